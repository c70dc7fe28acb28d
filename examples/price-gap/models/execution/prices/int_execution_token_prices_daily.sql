{{ config(materialized='view', tags=['production', 'prices']) }}

-- The price root. A view, so a Dune backfill of a skipped day shows here on the next read; every materialized model
-- below it keeps the values it computed without that day until it is re-derived.
SELECT
    p.block_date AS date,
    w.address AS token_address,
    w.symbol AS symbol,
    argMax(p.price, p.updated_at) AS price
FROM {{ source('dune', 'prices') }} AS p
INNER JOIN {{ ref('tokens_whitelist') }} AS w
    ON upper(p.symbol) = upper(w.price_symbol)
GROUP BY date, token_address, symbol
