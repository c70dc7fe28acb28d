{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, pool_address, token_address)',
        unique_key='(date, pool_address, token_address)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'pools', 'refill_append']
    )
}}

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

SELECT
    toDate(s.block_timestamp) AS date,
    lower(s.pool_address) AS pool_address,
    lower(s.token_sold_address) AS token_address,
    any(w.symbol) AS symbol,
    count() AS swaps,
    sum(s.fee_raw / pow(10, w.decimals)) AS fees,
    sum(s.fee_raw / pow(10, w.decimals) * coalesce(p.price, 0)) AS fees_usd
FROM {{ source('execution', 'pool_swaps') }} AS s
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON w.address = lower(s.token_sold_address)
LEFT JOIN {{ ref('int_execution_token_prices_daily') }} AS p
    ON p.date = toDate(s.block_timestamp)
   AND p.token_address = lower(s.token_sold_address)
WHERE 1 = 1
{% if start_month and end_month %}
  AND toStartOfMonth(s.block_timestamp) >= toDate('{{ start_month }}')
  AND toStartOfMonth(s.block_timestamp) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('s.block_timestamp', 'date', true) }}
{% endif %}
GROUP BY date, pool_address, token_address
