{{ config(materialized='view', tags=['production', 'transfers', 'api']) }}

SELECT
    date,
    symbol AS label,
    volume_usd AS value
FROM {{ ref('int_execution_transfers_usd_daily') }} FINAL
