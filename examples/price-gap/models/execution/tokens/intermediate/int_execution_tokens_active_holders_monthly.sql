{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(month, token_address)',
        unique_key='(month, token_address)',
        partition_by='toStartOfMonth(month)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'tokens', 'holders']
    )
}}
-- NON-COMPLIANT (heavy-model-untagged): uniqExact and a window over a whole month of balances, yet not tagged refill_append.

SELECT
    toStartOfMonth(date) AS month,
    token_address,
    any(symbol) AS symbol,
    uniqExact(address) AS active_holders,
    sum(balance_usd) / uniqExact(date) AS avg_daily_balance_usd,
    rank() OVER (PARTITION BY month ORDER BY active_holders DESC) AS holders_rank
FROM {{ ref('int_execution_tokens_balances_daily') }}
WHERE balance > 0
  {{ apply_monthly_incremental_filter('date', 'month', true) }}
GROUP BY month, token_address
