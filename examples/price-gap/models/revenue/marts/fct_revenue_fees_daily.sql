{{
    config(
        materialized='table',
        engine='MergeTree()',
        order_by='(date, stream)',
        tags=['production', 'revenue']
    )
}}

SELECT
    date,
    stream,
    sum(fees_usd) AS fees_usd,
    sum(sum(fees_usd)) OVER (PARTITION BY stream ORDER BY date ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS fees_usd_30d
FROM {{ ref('int_revenue_fees_unified_daily') }} FINAL
GROUP BY date, stream
