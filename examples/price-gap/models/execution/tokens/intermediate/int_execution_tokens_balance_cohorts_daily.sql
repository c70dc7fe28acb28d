{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, token_address, cohort)',
        unique_key='(date, token_address, cohort)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'tokens', 'cohorts', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

SELECT
    date,
    token_address,
    any(symbol) AS symbol,
    multiIf(
        balance_usd < 10, '0-10',
        balance_usd < 1000, '10-1k',
        balance_usd < 100000, '1k-100k',
        balance_usd < 1000000, '100k-1M',
        '1M+'
    ) AS cohort,
    count() AS holders,
    sum(balance) AS balance,
    sum(balance_usd) AS balance_usd
FROM {{ ref('int_execution_tokens_balances_daily') }}
WHERE balance > 0
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY date, token_address, cohort
