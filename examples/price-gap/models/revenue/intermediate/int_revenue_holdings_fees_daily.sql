{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, sector, symbol)',
        unique_key='(date, sector, symbol)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'revenue', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

-- Custody fee on balances parked in fee-bearing sectors: 1% a year, accrued daily. Third cohort layer: reads
-- balances_by_sector, which reads balances_daily. s.balance_usd is the input column: a bare balance_usd would be the
-- alias of the sum (Code 184, an aggregate inside an aggregate).
SELECT
    date,
    sector,
    symbol,
    sum(s.balance_usd) AS balance_usd,
    sum(s.balance_usd) * 0.01 / 365 AS fees_usd
FROM {{ ref('int_execution_tokens_balances_by_sector_daily') }} AS s
WHERE sector IN ('Gnosis Pay', 'Treasury')
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY date, sector, symbol
