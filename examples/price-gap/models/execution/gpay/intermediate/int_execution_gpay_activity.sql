{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, wallet_address, transaction_hash, log_index)',
        unique_key='(date, wallet_address, transaction_hash, log_index)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'gpay', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

WITH

wallets AS (
    SELECT wallet_address
    FROM {{ ref('gpay_wallets_snapshot') }}
    WHERE dbt_valid_to IS NULL
),

-- The spender module pays card settlements out of the wallet; refunds and cashback come back in.
classified AS (
    SELECT
        t.date AS date,
        t.block_timestamp AS block_timestamp,
        t.transaction_hash AS transaction_hash,
        t.log_index AS log_index,
        t.token_address AS token_address,
        if(t.from_address IN (SELECT wallet_address FROM wallets), t.from_address, t.to_address) AS wallet_address,
        multiIf(
            t.from_address IN (SELECT wallet_address FROM wallets) AND t.to_address = '0x4822521e6135cd2599199c83ea35179229a172ee', 'Payment',
            t.to_address IN (SELECT wallet_address FROM wallets) AND t.from_address = '0xcdf50be9061086e2ecfe6e4a1bf9164d43568eec', 'Cashback',
            t.to_address IN (SELECT wallet_address FROM wallets), 'Top Up',
            'Withdrawal'
        ) AS action,
        t.amount_raw AS amount_raw
    FROM {{ ref('stg_execution__transfers') }} AS t
    WHERE (t.from_address IN (SELECT wallet_address FROM wallets) OR t.to_address IN (SELECT wallet_address FROM wallets))
    {% if start_month and end_month %}
      AND toStartOfMonth(t.date) >= toDate('{{ start_month }}')
      AND toStartOfMonth(t.date) <= toDate('{{ end_month }}')
    {% else %}
      {{ apply_monthly_incremental_filter('t.date', 'date', true) }}
    {% endif %}
)

SELECT
    c.date AS date,
    c.block_timestamp AS block_timestamp,
    c.transaction_hash AS transaction_hash,
    c.log_index AS log_index,
    c.wallet_address AS wallet_address,
    c.action AS action,
    c.token_address AS token_address,
    w.symbol AS symbol,
    c.amount_raw / pow(10, w.decimals) AS amount,
    (c.amount_raw / pow(10, w.decimals)) * coalesce(p.price, 0) AS amount_usd
FROM classified AS c
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON w.address = c.token_address
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = c.date
   AND p.token_address = c.token_address
