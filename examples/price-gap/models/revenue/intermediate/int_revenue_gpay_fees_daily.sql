{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, symbol)',
        unique_key='(date, symbol)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'revenue', 'gpay', 'refill_append']
    )
}}
-- NON-COMPLIANT (refill-append-month-filter): tagged refill_append but its WHERE has no start_month/end_month branch, so a month refill rewrites only the lookback.

-- Interchange revenue: 0.2% of card payment volume.
SELECT
    date,
    symbol,
    count() AS payments,
    sum(amount_usd) AS payment_volume_usd,
    sum(amount_usd) * 0.002 AS fees_usd
FROM {{ ref('int_execution_gpay_activity') }}
WHERE action = 'Payment'
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
GROUP BY date, symbol
