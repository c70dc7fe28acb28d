{{
    config(
        materialized='incremental',
        incremental_strategy='microbatch',
        event_time='date',
        batch_size='day',
        lookback=2,
        engine='ReplacingMergeTree()',
        order_by='(date)',
        unique_key='date',
        partition_by='toStartOfMonth(date)',
        full_refresh=false,
        tags=['production', 'blocks']
    )
}}
-- NON-COMPLIANT (microbatch-begin): microbatch model without begin; dbt 1.9 refuses it at parse (see README).

-- consensus.blocks declares event_time, so dbt filters it to each batch's day by itself.
SELECT
    toDate(slot_timestamp) AS date,
    count() AS blocks,
    uniq(proposer_index) AS proposers,
    sum(withdrawals_count) AS withdrawals
FROM {{ source('consensus', 'blocks') }}
GROUP BY date
