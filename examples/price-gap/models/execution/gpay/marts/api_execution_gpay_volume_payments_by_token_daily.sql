{{ config(materialized='view', tags=['production', 'gpay', 'api']) }}

SELECT
    date,
    symbol AS label,
    round(volume_usd, 2) AS value
FROM {{ ref('fct_execution_gpay_volume_payments_by_token_daily') }}
ORDER BY date, label
