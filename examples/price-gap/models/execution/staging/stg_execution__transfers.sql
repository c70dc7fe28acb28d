{{ config(materialized='view', tags=['production', 'transfers']) }}

SELECT
    block_timestamp,
    toDate(block_timestamp) AS date,
    transaction_hash,
    log_index,
    lower(token_address) AS token_address,
    lower(from_address) AS from_address,
    lower(to_address) AS to_address,
    amount_raw
FROM {{ source('execution', 'transfers') }}
WHERE amount_raw > 0
