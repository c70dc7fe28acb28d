{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, token_address)',
        unique_key='(date, token_address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'transfers']
    )
}}

-- Counts only, no prices: outside the price lineage, untouched by a price-gap refill.
SELECT
    t.date AS date,
    t.token_address AS token_address,
    count() AS transfers,
    uniq(t.from_address) AS senders,
    uniq(t.to_address) AS receivers
FROM {{ ref('stg_execution__transfers') }} AS t
WHERE t.token_address IN (SELECT address FROM {{ ref('tokens_whitelist') }})
  {{ apply_monthly_incremental_filter('t.date', 'date', true) }}
GROUP BY date, token_address
