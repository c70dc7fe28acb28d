{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, token_address, sector)',
        unique_key='(date, token_address, sector)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'tokens', 'sectors', 'refill_append']
    )
}}
-- NON-COMPLIANT (refill-append-hooks): tagged refill_append but has no refill_safe_pre_hook()/refill_safe_post_hook().

{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

SELECT
    b.date AS date,
    b.token_address AS token_address,
    any(b.symbol) AS symbol,
    coalesce(nullIf(s.sector, ''), 'Unknown') AS sector,
    uniqExact(b.address) AS holders,
    sum(b.balance) AS balance,
    sum(b.balance_usd) AS balance_usd
FROM {{ ref('int_execution_tokens_balances_daily') }} AS b
LEFT JOIN {{ ref('address_sectors') }} AS s
    ON s.address = b.address
WHERE b.balance > 0
{% if start_month and end_month %}
  AND toStartOfMonth(b.date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(b.date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('b.date', 'date', true) }}
{% endif %}
GROUP BY date, token_address, sector
