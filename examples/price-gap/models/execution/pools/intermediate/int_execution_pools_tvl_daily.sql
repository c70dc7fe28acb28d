{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, pool_address, token_address)',
        unique_key='(date, pool_address, token_address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'pools']
    )
}}

SELECT
    toDate(r.block_timestamp) AS date,
    lower(r.pool_address) AS pool_address,
    lower(r.token_address) AS token_address,
    any(w.symbol) AS symbol,
    argMax(r.reserve_raw, r.block_timestamp) / pow(10, any(w.decimals)) AS reserve,
    argMax(r.reserve_raw, r.block_timestamp) / pow(10, any(w.decimals)) * coalesce(any(p.price), 0) AS tvl_usd
FROM {{ source('execution', 'pool_reserves') }} AS r
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON w.address = lower(r.token_address)
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = toDate(r.block_timestamp)
   AND p.token_address = lower(r.token_address)
{{ apply_monthly_incremental_filter('r.block_timestamp', 'date') }}
GROUP BY date, pool_address, token_address
