{{
    config(
        materialized='table',
        engine='MergeTree()',
        order_by='(date, token_address)',
        tags=['production', 'tokens']
    )
}}

-- Full rebuild: holds stale values after a refill until it is re-run (Phase 3).
WITH cohorts AS (
    SELECT
        date,
        token_address,
        sumIf(holders, cohort IN ('100k-1M', '1M+')) AS whale_holders,
        sumIf(balance_usd, cohort IN ('100k-1M', '1M+')) AS whale_balance_usd
    FROM {{ ref('int_execution_tokens_balance_cohorts_daily') }} FINAL
    GROUP BY date, token_address
)

SELECT
    s.date AS date,
    s.token_address AS token_address,
    s.symbol AS symbol,
    s.supply AS supply,
    s.supply_usd AS supply_usd,
    s.holders AS holders,
    c.whale_holders AS whale_holders,
    c.whale_balance_usd / nullIf(s.supply_usd, 0) AS whale_share
FROM {{ ref('int_execution_tokens_supply_holders_daily') }} AS s FINAL
LEFT JOIN cohorts AS c
    ON c.date = s.date
   AND c.token_address = s.token_address
