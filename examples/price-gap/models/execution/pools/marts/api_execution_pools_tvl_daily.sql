{{ config(materialized='view', tags=['production', 'pools', 'api']) }}

SELECT
    date,
    pool_address,
    sum(tvl_usd) AS tvl_usd
FROM {{ ref('int_execution_pools_tvl_daily') }} FINAL
GROUP BY date, pool_address
