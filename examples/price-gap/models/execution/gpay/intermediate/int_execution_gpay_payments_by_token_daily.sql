{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, symbol)',
        unique_key='(date, symbol)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'gpay']
    )
}}
-- NON-COMPLIANT (price-lookback-ignored): price consumer whose incremental filter bypasses apply_monthly_incremental_filter, so price_lookback_days never widens it.

SELECT
    a.date AS date,
    a.symbol AS symbol,
    count() AS payments,
    uniq(a.wallet_address) AS paying_wallets,
    sum(a.amount) AS volume,
    sum(a.amount * coalesce(p.price, 0)) AS volume_usd
FROM {{ ref('int_execution_gpay_activity') }} AS a
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = a.date
   AND p.token_address = a.token_address
WHERE a.action = 'Payment'
{% if is_incremental() %}
  AND a.date >= (SELECT max(date) FROM {{ this }})
{% endif %}
GROUP BY date, symbol
