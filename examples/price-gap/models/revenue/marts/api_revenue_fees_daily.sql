{{ config(materialized='view', tags=['production', 'revenue', 'api']) }}

SELECT
    date,
    stream AS label,
    fees_usd AS value
FROM {{ ref('fct_revenue_fees_daily') }}
ORDER BY date, label
