{{ config(materialized='view', tags=['production', 'tokens', 'api']) }}

SELECT
    date,
    symbol AS label,
    holders AS value
FROM {{ ref('fct_execution_tokens_metrics_daily') }}
ORDER BY date, label
