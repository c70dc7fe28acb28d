{{
    config(
        materialized='table',
        engine='MergeTree()',
        order_by='(date, stream)',
        tags=['production', 'revenue']
    )
}}

-- f.fees_usd is the input column: a bare fees_usd would be the alias of the daily sum (Code 184).
SELECT
    date,
    stream,
    sum(f.fees_usd) AS fees_usd,
    sum(sum(f.fees_usd)) OVER (PARTITION BY stream ORDER BY date ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS fees_usd_30d
FROM {{ ref('int_revenue_fees_unified_daily') }} AS f FINAL
GROUP BY date, stream
