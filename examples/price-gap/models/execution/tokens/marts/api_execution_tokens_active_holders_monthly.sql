{{ config(materialized='view', tags=['production', 'tokens', 'api']) }}

SELECT
    month AS date,
    symbol AS label,
    active_holders AS value
FROM {{ ref('int_execution_tokens_active_holders_monthly') }} FINAL
