{{ config(materialized='view', tags=['production', 'tokens', 'api']) }}

SELECT
    address,
    date,
    total_balance_usd,
    tokens_held
FROM {{ ref('int_execution_account_balance_history_daily') }} FINAL
