{{
    config(
        materialized='incremental',
        incremental_strategy='microbatch',
        event_time='date',
        batch_size='day',
        lookback=2,
        begin='2024-01-01',
        engine='ReplacingMergeTree()',
        order_by='(date)',
        unique_key='date',
        partition_by='toStartOfMonth(date)',
        full_refresh=false,
        tags=['production', 'blocks']
    )
}}
-- NON-COMPLIANT (microbatch-config): reads consensus.validators, which declares no event_time, so dbt cannot filter
-- it to the batch: every daily batch of a backfill scans the whole validator history.

-- consensus.blocks declares event_time, so dbt filters it to each batch's day by itself.
SELECT
    toDate(b.slot_timestamp) AS date,
    count() AS blocks,
    uniq(b.proposer_index) AS proposers,
    sum(b.withdrawals_count) AS withdrawals,
    any(v.active_validators) AS active_validators
FROM {{ source('consensus', 'blocks') }} AS b
LEFT JOIN (
    SELECT toDate(slot_timestamp) AS date, countIf(status = 'active_ongoing') AS active_validators
    FROM {{ source('consensus', 'validators') }}
    GROUP BY date
) AS v ON v.date = toDate(b.slot_timestamp)
GROUP BY date
