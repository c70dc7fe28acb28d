{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        engine='ReplacingMergeTree()',
        order_by='(date, status)',
        unique_key='(date, status)',
        partition_by='toStartOfMonth(date)',
        settings={'allow_nullable_key': 1},
        full_refresh=false,
        tags=['production', 'validators']
    )
}}

SELECT
    date,
    status,
    uniq(validator_index) AS validators,
    sum(effective_balance) / 1e9 AS effective_balance_gno
FROM {{ ref('stg_consensus__validators') }}
{{ apply_monthly_incremental_filter('slot_timestamp', 'date') }}
GROUP BY date, status
