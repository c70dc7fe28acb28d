{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, token_address)',
        unique_key='(date, token_address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        tags=['production', 'transfers']
    )
}}
-- NON-COMPLIANT (full-refresh-unprotected): incremental over the whole transfers history without full_refresh=false, so --full-refresh rebuilds years.

SELECT
    t.date AS date,
    t.token_address AS token_address,
    any(w.symbol) AS symbol,
    count() AS transfers,
    sum(t.amount_raw / pow(10, w.decimals)) AS volume,
    sum(t.amount_raw / pow(10, w.decimals) * coalesce(p.price, 0)) AS volume_usd
FROM {{ ref('stg_execution__transfers') }} AS t
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON w.address = t.token_address
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = t.date
   AND p.token_address = t.token_address
{{ apply_monthly_incremental_filter('t.date', 'date') }}
GROUP BY date, token_address
