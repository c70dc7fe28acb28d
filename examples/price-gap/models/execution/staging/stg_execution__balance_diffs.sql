{{ config(materialized='view', tags=['production', 'tokens']) }}

SELECT
    block_timestamp,
    lower(token_address) AS token_address,
    lower(address) AS address,
    delta_raw
FROM {{ source('execution', 'balance_diffs') }}
WHERE address != '0x0000000000000000000000000000000000000000'
