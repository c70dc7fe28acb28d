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

-- The input columns are qualified (b.balance, b.balance_usd): the outputs reuse their names, and ClickHouse resolves
-- a bare name to the SELECT's alias first (sum(balance) AS balance ... WHERE balance > 0 is Code 184).
SELECT
    date,
    token_address,
    any(b.symbol) AS symbol,
    multiIf(
        b.balance_usd < 10, '0-10',
        b.balance_usd < 1000, '10-1k',
        b.balance_usd < 100000, '1k-100k',
        b.balance_usd < 1000000, '100k-1M',
        '1M+'
    ) AS cohort,
    count() AS holders,
    sum(b.balance) AS balance,
    sum(b.balance_usd) AS balance_usd
FROM {{ ref('int_execution_tokens_balances_daily') }} AS b
WHERE b.balance > 0
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY date, token_address, cohort
