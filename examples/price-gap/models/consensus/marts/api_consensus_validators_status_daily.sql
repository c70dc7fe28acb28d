{{ config(materialized='view', tags=['production', 'validators', 'api']) }}

SELECT
    date,
    status AS label,
    validators AS value
FROM {{ ref('int_consensus_validators_status_daily') }} FINAL
