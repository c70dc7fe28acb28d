import { strict as assert } from 'node:assert';
import { clickhouseCode, explainFailure } from '../../../src/core/run/explainFailure';

// Messages as dbt-clickhouse (clickhouse-connect over HTTP) puts them in run_results.json and RunResultError, with
// the ClickHouse exception texts of 23.x-24.x servers.
const phase1 = { kind: 'dbt' as const, phase: 'phase1', argv: ['run', '--select', 'int_execution_tokens_balances_by_sector_daily', '--vars', '{"start_month": "2026-04-01", "end_month": "2026-04-01"}'] };
const phase2 = { kind: 'dbt' as const, phase: 'phase2', argv: ['run', '--select', 'int_execution_token_prices_daily+', '--exclude', 'tag:refill_append', '--vars', '{"price_lookback_days": 12}'] };

const oom241 = `Database Error in model int_execution_tokens_balances_by_sector_daily (models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql)
  HTTPDriver for http://clickhouse:8123 returned response code 500)
   Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB. OvercommitTracker decision: Query was selected to stop by OvercommitTracker.: While executing AggregatingTransform. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))
  compiled code at target/run/gnosis_dbt/models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql`;

const mutation341 = `Database Error in model int_execution_account_balance_history_daily (models/execution/tokens/intermediate/int_execution_account_balance_history_daily.sql)
  HTTPDriver for http://clickhouse:8123 returned response code 500)
   Code: 341. DB::Exception: Exception happened during execution of mutation 'mutation_2417.txt' with part '202604_1_58_3' reason: 'Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB (attempt to allocate chunk of 8388608 bytes), maximum: 9.31 GiB.: While executing CreatingSetsTransform. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))'. This error maybe retryable or not. In case of unretryable error, mutation can be killed with KILL MUTATION query. (UNFINISHED) (version 24.8.4.13 (official build))`;

const poisoned = `Database Error in model int_execution_tokens_balances_daily (models/execution/tokens/intermediate/int_execution_tokens_balances_daily.sql)
  HTTPDriver for http://clickhouse:8123 returned response code 500)
   Code: 341. DB::Exception: Exception happened during execution of mutation 'mutation_2409.txt' with part '202604_1_58_3' reason: 'Code: 60. DB::Exception: Table dbt.__dbt_new_data_5f0b3c2a_9d1e_4c7b_8a6f_2e4d1c0b9a87 does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))'. This error maybe retryable or not. In case of unretryable error, mutation can be killed with KILL MUTATION query. (UNFINISHED) (version 24.8.4.13 (official build))`;

describe('run: explainFailure', () => {
  it('reads the first ClickHouse code of a message (19.x+ and 18.16 wording)', () => {
    assert.equal(clickhouseCode(mutation341), 341);
    assert.equal(clickhouseCode('Code: 236, e.displayText() = DB::Exception: Cancelled merging parts'), 236);
    assert.equal(clickhouseCode('HTTPDriver returned response code 500)'), null);
  });

  it('Code 241 names the model (from the log node) and points to the refill-append-hooks quick fix', () => {
    const e = explainFailure(oom241, {
      step: phase1,
      node: { uniqueId: 'model.gnosis_dbt.int_execution_tokens_balances_by_sector_daily', name: 'int_execution_tokens_balances_by_sector_daily', file: 'models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql', tags: ['refill_append'] },
    })!;
    assert.equal(e.code, 'memory-limit');
    assert.equal(e.model, 'model.gnosis_dbt.int_execution_tokens_balances_by_sector_daily');
    assert.match(e.title, /`int_execution_tokens_balances_by_sector_daily` ran out of memory \(ClickHouse Code: 241, MEMORY_LIMIT_EXCEEDED\)/);
    assert.deepEqual(e.quickFix, { ruleId: 'refill-append-hooks', title: 'Add the refill_safe_pre_hook/refill_safe_post_hook hooks' });
    assert.match(e.fix, /pre_hook=refill_safe_pre_hook\(\), post_hook=refill_safe_post_hook\(\)/);
    assert.match(e.fix, /int_execution_tokens_balances_by_sector_daily\.sql/);
    assert.match(e.fix, /resume/);
  });

  it('Code 241 without a node still names the model, from dbt\'s "Database Error in model" line', () => {
    const e = explainFailure(oom241, { step: phase1 })!;
    assert.equal(e.modelName, 'int_execution_tokens_balances_by_sector_daily');
    assert.equal(e.file, 'models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql');
    assert.equal(e.model, null);
  });

  it('Code 241 on a model outside the cohort points to tagging it (heavy-model-untagged)', () => {
    const e = explainFailure(oom241.replace(/int_execution_tokens_balances_by_sector_daily/g, 'int_execution_tokens_active_holders_monthly'), {
      step: phase2,
      node: { name: 'int_execution_tokens_active_holders_monthly', tags: ['execution'] },
    })!;
    assert.equal(e.quickFix?.ruleId, 'heavy-model-untagged');
    assert.match(e.fix, /Tag it refill_append/);
  });

  it('Code 341 in a month rewrite says to check the strategy expression, even though it quotes a 241', () => {
    const e = explainFailure(mutation341, { step: phase1, node: { name: 'int_execution_account_balance_history_daily', tags: ['refill_append'] } })!;
    assert.equal(e.code, 'mutation-failed');
    assert.match(e.fix, /incremental_strategy=\('append' if \(var\('start_month', none\) or var\('incremental_end_date', none\)\) else 'delete\+insert'\)/);
    assert.equal(e.quickFix?.ruleId, 'refill-append-strategy');
  });

  it('a poisoned mutation (341 on a dropped __dbt_new_data_* table) gives the exact KILL MUTATION', () => {
    const e = explainFailure(poisoned, { step: phase1, node: { name: 'int_execution_tokens_balances_daily', database: 'dbt', alias: 'int_execution_tokens_balances_daily' } })!;
    assert.equal(e.code, 'poisoned-mutation');
    assert.deepEqual(e.statements, ["KILL MUTATION WHERE database = 'dbt' AND table = 'int_execution_tokens_balances_daily' AND mutation_id = 'mutation_2409.txt'"]);
    assert.match(e.title, /__dbt_new_data_5f0b3c2a_9d1e_4c7b_8a6f_2e4d1c0b9a87/);
    assert.match(e.fix, /preflight/);
    // Without the table: the query that finds it.
    const bare = explainFailure(poisoned, { step: phase1 })!;
    assert.match(bare.statements[0]!, /FROM system\.mutations WHERE is_done = 0 AND command LIKE '%__dbt_new_data_%'/);
  });

  it('Code 236 on an OPTIMIZE says merges are stopped and gives SYSTEM START MERGES', () => {
    const sql = { kind: 'sql' as const, phase: 'phase1' };
    const e = explainFailure("ClickHouse cancelled the OPTIMIZE of dbt.int_a: merges are stopped on it (SYSTEM STOP MERGES), and OPTIMIZE is a merge. Run SYSTEM START MERGES `dbt`.`int_a` and run the step again.", { step: sql, table: { database: 'dbt', table: 'int_a', partition: '2026-04-01' } })!;
    assert.equal(e.code, 'merges-stopped');
    assert.deepEqual(e.statements, ['SYSTEM START MERGES `dbt`.`int_a`']);
    const raw = explainFailure('Code: 236. DB::Exception: Cancelled merging parts. (ABORTED) (version 26.1.1.1)', { step: sql, table: { database: 'dbt', table: 'int_a' } })!;
    assert.equal(raw.code, 'merges-stopped');
  });

  it('a wrong partition literal says so, with the partitions there are', () => {
    const e = explainFailure(
      "No active partition of dbt.int_a (partition key toStartOfMonth(date)) matches '2026-04-15', so OPTIMIZE would silently do nothing. Active partitions: 2026-03-01, 2026-04-01. The key is toStartOfMonth(date): the partition holding 2026-04-15 is '2026-04-01'.",
      { step: { kind: 'sql', phase: 'phase1' }, table: { database: 'dbt', table: 'int_a', partition: '2026-04-15' } },
    )!;
    assert.equal(e.code, 'wrong-partition');
    assert.match(e.title, /'2026-04-15' matches no partition of dbt\.int_a/);
    assert.match(e.detail, /Active partitions: 2026-03-01, 2026-04-01/);
  });

  it('anything else is not explained', () => {
    assert.equal(explainFailure("Compilation Error in model a (models/a.sql)\n  'foo' is undefined", { step: phase1 }), null);
    assert.equal(explainFailure('Code: 62. DB::Exception: Syntax error: failed at position 1', { step: phase1 }), null);
  });
});
