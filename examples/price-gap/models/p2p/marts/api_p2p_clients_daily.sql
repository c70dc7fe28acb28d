{{ config(materialized='view', tags=['production', 'p2p', 'api']) }}

SELECT
    date,
    client AS label,
    visits AS value
FROM {{ ref('int_p2p_discv5_clients_daily') }} FINAL
