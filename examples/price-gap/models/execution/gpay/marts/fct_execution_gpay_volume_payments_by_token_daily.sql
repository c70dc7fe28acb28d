{{
    config(
        materialized='table',
        engine='MergeTree()',
        order_by='(date, symbol)',
        tags=['production', 'gpay']
    )
}}

SELECT
    date,
    symbol,
    payments,
    paying_wallets,
    volume,
    volume_usd,
    volume_usd / nullIf(payments, 0) AS avg_payment_usd
FROM {{ ref('int_execution_gpay_payments_by_token_daily') }} FINAL
