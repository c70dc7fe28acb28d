{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, token_address)',
        unique_key='(date, token_address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'tokens', 'supply', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

-- The refill canary: an unmerged upstream month shows here as a supply jump on the month's first day.
SELECT
    date,
    token_address,
    any(symbol) AS symbol,
    sum(balance) AS supply,
    sum(balance_usd) AS supply_usd,
    countIf(balance > 0) AS holders
FROM {{ ref('int_execution_tokens_balances_daily') }}
WHERE 1 = 1
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY date, token_address
