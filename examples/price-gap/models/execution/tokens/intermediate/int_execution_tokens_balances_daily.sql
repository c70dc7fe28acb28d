{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, token_address, address)',
        unique_key='(date, token_address, address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'tokens', 'balances', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

WITH

daily_deltas AS (
    SELECT
        toDate(d.block_timestamp) AS date,
        d.token_address AS token_address,
        d.address AS address,
        sum(d.delta_raw) AS delta_raw
    FROM {{ ref('stg_execution__balance_diffs') }} AS d
    WHERE d.token_address IN (SELECT address FROM {{ ref('tokens_whitelist') }})
    {% if start_month and end_month %}
      AND toStartOfMonth(d.block_timestamp) >= toDate('{{ start_month }}')
      AND toStartOfMonth(d.block_timestamp) <= toDate('{{ end_month }}')
    {% else %}
      {{ apply_monthly_incremental_filter('d.block_timestamp', 'date', true) }}
    {% endif %}
    GROUP BY date, token_address, address
),

-- Balances carried into the window: each holder's last balance before it.
opening AS (
    {% if is_incremental() %}
    SELECT
        token_address,
        address,
        argMax(balance_raw, date) AS balance_raw
    FROM {{ this }} FINAL
    WHERE date < (SELECT min(date) FROM daily_deltas)
    GROUP BY token_address, address
    {% else %}
    SELECT '' AS token_address, '' AS address, toInt256(0) AS balance_raw
    WHERE 0
    {% endif %}
),

balances AS (
    SELECT
        dd.date AS date,
        dd.token_address AS token_address,
        dd.address AS address,
        coalesce(o.balance_raw, toInt256(0))
            + sum(dd.delta_raw) OVER (
                PARTITION BY dd.token_address, dd.address
                ORDER BY dd.date
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS balance_raw
    FROM daily_deltas AS dd
    LEFT JOIN opening AS o
        ON o.token_address = dd.token_address
       AND o.address = dd.address
)

SELECT
    b.date AS date,
    b.token_address AS token_address,
    w.symbol AS symbol,
    b.address AS address,
    b.balance_raw AS balance_raw,
    b.balance_raw / pow(10, w.decimals) AS balance,
    (b.balance_raw / pow(10, w.decimals)) * coalesce(p.price, 0) AS balance_usd
FROM balances AS b
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON w.address = b.token_address
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = b.date
   AND p.token_address = b.token_address
