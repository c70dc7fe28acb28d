{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, stream, symbol)',
        unique_key='(date, stream, symbol)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'revenue']
    )
}}

WITH unified AS (
    SELECT date, 'gpay' AS stream, symbol, fees_usd
    FROM {{ ref('int_revenue_gpay_fees_daily') }} FINAL
    UNION ALL
    SELECT date, 'holdings' AS stream, symbol, fees_usd
    FROM {{ ref('int_revenue_holdings_fees_daily') }} FINAL
    UNION ALL
    SELECT date, 'pools' AS stream, symbol, fees_usd
    FROM {{ ref('int_execution_pools_fees_daily') }} FINAL
)

SELECT
    date,
    stream,
    symbol,
    sum(fees_usd) AS fees_usd
FROM unified
{{ apply_monthly_incremental_filter('date', 'date') }}
GROUP BY date, stream, symbol
