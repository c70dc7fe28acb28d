{{ config(materialized='view', tags=['production', 'tokens', 'api']) }}

SELECT
    date,
    symbol AS label,
    supply_usd AS value
FROM {{ ref('fct_execution_tokens_metrics_daily') }}
ORDER BY date, label
