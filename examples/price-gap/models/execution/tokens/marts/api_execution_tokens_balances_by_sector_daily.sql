{{ config(materialized='view', tags=['production', 'tokens', 'api']) }}

SELECT
    date,
    symbol,
    sector AS label,
    balance_usd AS value
FROM {{ ref('int_execution_tokens_balances_by_sector_daily') }} FINAL
