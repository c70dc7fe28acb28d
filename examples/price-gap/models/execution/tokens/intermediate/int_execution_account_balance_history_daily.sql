{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(address, date)',
        unique_key='(address, date)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'tokens', 'accounts', 'refill_append']
    )
}}
-- NON-COMPLIANT (refill-append-strategy): plain incremental_strategy='delete+insert', so a month refill still mutates.

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

SELECT
    address,
    date,
    sum(balance_usd) AS total_balance_usd,
    groupArray((symbol, balance)) AS balances,
    count() AS tokens_held
FROM {{ ref('int_execution_tokens_balances_daily') }}
WHERE balance > 0
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY address, date
