{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, client)',
        unique_key='(date, client)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'p2p']
    )
}}

SELECT
    toDate(visit_ended_at) AS date,
    coalesce(nullIf(splitByChar('/', agent_version)[1], ''), 'Unknown') AS client,
    count() AS visits
FROM {{ source('crawlers_data', 'p2p_visits') }}
{{ apply_monthly_incremental_filter('visit_ended_at', 'date') }}
GROUP BY date, client
