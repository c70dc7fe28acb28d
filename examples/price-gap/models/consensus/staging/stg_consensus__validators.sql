{{ config(materialized='view', tags=['production', 'validators']) }}

SELECT
    slot_timestamp,
    toDate(slot_timestamp) AS date,
    validator_index,
    status,
    effective_balance
FROM {{ source('consensus', 'validators') }}
