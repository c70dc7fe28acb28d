import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateProject } from '../../../bench/generateProject';
import { ManifestError } from '../../../src/core/manifest/manifestError';
import { loadRunResults, memoryErrorOf, parseRunResults } from '../../../src/core/manifest/runResults';

// Hand-written run_results.json files in the shape of each schema, from dbt's published JSON schemas
// (schemas.getdbt.com/dbt/run-results/v4..v6): v4 (dbt 1.0-1.4) has no compiled/compiled_code/relation_name,
// v5 (dbt 1.5-1.7) adds them, v6 (dbt 1.8+) adds batch_results (1.9) and the `partial success`/`no-op` statuses.

const OOM =
  'Database Error in model int_execution_tokens_balances_by_sector_daily (models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql)\n' +
  '  :HTTPDriver for http://127.0.0.1:8123 received ClickHouse error code 241\n' +
  '   Code: 241. DB::Exception: Memory limit (total) exceeded: would use 9.32 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))';
const POISONED =
  'Database Error in model int_execution_gpay_activity (models/execution/gpay/intermediate/int_execution_gpay_activity.sql)\n' +
  '  Code: 341. DB::Exception: Exception happened during execution of mutation \'mutation_1234.txt\' with part \'202604_1_1_0\' reason: \'Code: 60. DB::Exception: Table dbt.__dbt_new_data_3f2a does not exist. (UNKNOWN_TABLE)\'. This error maybe retryable or not. (UNFINISHED)';

const v4 = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v4.json',
    dbt_version: '1.3.2',
    generated_at: '2023-02-01T10:00:05.000000Z',
    invocation_id: 'aaaa',
    env: {},
  },
  results: [
    {
      status: 'success',
      timing: [
        { name: 'compile', started_at: '2023-02-01T10:00:00.000000Z', completed_at: '2023-02-01T10:00:00.100000Z' },
        { name: 'execute', started_at: '2023-02-01T10:00:00.100000Z', completed_at: '2023-02-01T10:05:12.500000Z' },
      ],
      thread_id: 'Thread-1',
      execution_time: 312.5,
      adapter_response: { _message: 'OK' },
      message: 'OK',
      failures: null,
      unique_id: 'model.shop.orders_daily',
    },
    {
      status: 'fail',
      timing: [],
      thread_id: 'Thread-2',
      execution_time: 0.2,
      adapter_response: {},
      message: 'Got 3 results, configured to fail if != 0',
      failures: 3,
      unique_id: 'test.shop.unique_orders_daily_id.abc',
    },
  ],
  elapsed_time: 313.1,
  args: { which: 'build' },
};

const v5 = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v5.json',
    dbt_version: '1.7.4',
    generated_at: '2024-03-01T00:10:00.000000Z',
    invocation_id: 'bbbb',
    env: {},
  },
  results: [
    {
      status: 'error',
      timing: [
        { name: 'compile', started_at: '2024-03-01T00:00:00.000000Z', completed_at: '2024-03-01T00:00:01.000000Z' },
        { name: 'execute', started_at: '2024-03-01T00:00:01.000000Z', completed_at: '2024-03-01T00:04:00.000000Z' },
      ],
      thread_id: 'Thread-1 (worker)',
      execution_time: 240,
      adapter_response: {},
      message: OOM,
      failures: null,
      unique_id: 'model.gnosis.int_execution_tokens_balances_by_sector_daily',
      compiled: true,
      compiled_code: 'SELECT 1',
      relation_name: '`dbt`.`int_execution_tokens_balances_by_sector_daily`',
    },
    {
      status: 'skipped',
      timing: [],
      thread_id: 'Thread-2 (worker)',
      execution_time: 0,
      adapter_response: {},
      message: null,
      failures: null,
      unique_id: 'model.gnosis.int_revenue_holdings_fees_daily',
      compiled: false,
      compiled_code: null,
      relation_name: '`dbt`.`int_revenue_holdings_fees_daily`',
    },
  ],
  elapsed_time: 241,
  args: { which: 'run' },
};

const v6 = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.9.4',
    generated_at: '2026-04-28T02:00:00.000000Z',
    invocation_id: 'cccc',
    invocation_started_at: '2026-04-28T01:00:00.000000Z',
    env: {},
  },
  results: [
    {
      status: 'error',
      timing: [{ name: 'execute', started_at: '2026-04-28T01:00:00.000000Z', completed_at: '2026-04-28T01:00:30.000000Z' }],
      thread_id: 'Thread-1 (worker)',
      execution_time: 30,
      adapter_response: {},
      message: POISONED,
      failures: null,
      unique_id: 'model.gnosis.int_execution_gpay_activity',
      compiled: true,
      compiled_code: 'SELECT 1',
      relation_name: '`dbt`.`int_execution_gpay_activity`',
      batch_results: null,
    },
    {
      status: 'partial success',
      timing: [{ name: 'execute', started_at: '2026-04-28T01:00:00.000000Z', completed_at: '2026-04-28T01:20:00.000000Z' }],
      thread_id: 'Thread-2 (worker)',
      execution_time: 1200,
      adapter_response: {},
      message: 'PARTIAL SUCCESS (2/3)',
      failures: null,
      unique_id: 'model.gnosis.int_consensus_blocks_daily',
      compiled: true,
      compiled_code: 'SELECT 1',
      relation_name: '`dbt`.`int_consensus_blocks_daily`',
      batch_results: {
        successful: [['2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z'], ['2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z']],
        failed: [['2026-04-03T00:00:00Z', '2026-04-04T00:00:00Z']],
      },
    },
    // `dbt retry` appended to the same file: the later completion wins, wherever it stands.
    {
      status: 'success',
      timing: [{ name: 'execute', started_at: '2026-04-28T01:30:00.000000Z', completed_at: '2026-04-28T01:31:00.000000Z' }],
      thread_id: 'Thread-1 (worker)',
      execution_time: 60,
      adapter_response: {},
      message: 'OK',
      failures: null,
      unique_id: 'model.gnosis.int_consensus_blocks_daily',
      compiled: true,
      compiled_code: 'SELECT 1',
      relation_name: '`dbt`.`int_consensus_blocks_daily`',
      batch_results: null,
    },
  ],
  elapsed_time: 1800,
  args: { which: 'run' },
};

describe('run_results.json', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-rr-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  it('reads schema v4 (dbt 1.0-1.4): status, run time, completion from the last timing step, test failures', () => {
    const rr = loadRunResults(write('v4.json', JSON.stringify(v4)));
    assert.equal(rr.schemaVersion, 4);
    assert.equal(rr.dbtVersion, '1.3.2');
    assert.equal(rr.command, 'build');
    assert.deepEqual(rr.results.get('model.shop.orders_daily'), {
      uniqueId: 'model.shop.orders_daily',
      status: 'success',
      executionTime: 312.5,
      completedAt: '2023-02-01T10:05:12.500000Z',
      message: 'OK',
      failures: null,
      memoryError: null,
    });
    const test = rr.results.get('test.shop.unique_orders_daily_id.abc');
    assert.equal(test?.status, 'fail');
    assert.equal(test?.failures, 3);
    assert.equal(test?.completedAt, null);
  });

  it('reads schema v5 (dbt 1.5-1.7) and sees Code: 241 in an error message', () => {
    const rr = parseRunResults(JSON.stringify(v5), 'target/run_results.json');
    assert.equal(rr.schemaVersion, 5);
    const oom = rr.results.get('model.gnosis.int_execution_tokens_balances_by_sector_daily');
    assert.equal(oom?.status, 'error');
    assert.equal(oom?.executionTime, 240);
    assert.equal(oom?.completedAt, '2024-03-01T00:04:00.000000Z');
    assert.deepEqual(oom?.memoryError, { code: 241, label: 'Code: 241 (MEMORY_LIMIT_EXCEEDED)', poisonedMutation: false });
    const skipped = rr.results.get('model.gnosis.int_revenue_holdings_fees_daily');
    assert.equal(skipped?.status, 'skipped');
    assert.equal(skipped?.memoryError, null);
  });

  it('reads schema v6 (dbt 1.8-1.11): a poisoned mutation (Code: 341 on __dbt_new_data_*), and the latest of repeated results', () => {
    const rr = parseRunResults(JSON.stringify(v6), 'run_results.json');
    assert.equal(rr.schemaVersion, 6);
    assert.deepEqual(rr.results.get('model.gnosis.int_execution_gpay_activity')?.memoryError, {
      code: 341,
      label: 'Code: 341 (mutation failed)',
      poisonedMutation: true,
    });
    const blocks = rr.results.get('model.gnosis.int_consensus_blocks_daily');
    assert.equal(blocks?.status, 'success');
    assert.equal(blocks?.executionTime, 60);
    assert.equal(rr.results.size, 2);
  });

  it('keeps an earlier result that ran over a later one without timing (skipped)', () => {
    const doc = structuredClone(v6);
    doc.results.push({ ...v6.results[0]!, status: 'skipped', timing: [], message: null as unknown as string, execution_time: 0 });
    const rr = parseRunResults(JSON.stringify(doc), 'run_results.json');
    assert.equal(rr.results.get('model.gnosis.int_execution_gpay_activity')?.status, 'error');
  });

  it('tells memory errors apart: 241 by code or name, 341 with or without a poisoned mutation, other codes not at all', () => {
    assert.equal(memoryErrorOf('Code: 241. DB::Exception: Memory limit (for query) exceeded')?.code, 241);
    assert.equal(memoryErrorOf('received ClickHouse error code 241')?.code, 241);
    assert.equal(memoryErrorOf('(MEMORY_LIMIT_EXCEEDED)')?.code, 241);
    assert.deepEqual(memoryErrorOf('Code: 341. DB::Exception: Mutation memory limit exceeded (UNFINISHED)'), {
      code: 341,
      label: 'Code: 341 (mutation failed)',
      poisonedMutation: false,
    });
    assert.equal(memoryErrorOf('Code: 60. DB::Exception: Table dbt.x does not exist. (UNKNOWN_TABLE)'), null);
    assert.equal(memoryErrorOf('Code: 2410. something else'), null);
    assert.equal(memoryErrorOf(null), null);
  });

  it('reads the bench generator\'s run_results.json (a 400-model project, its Code: 241 failures)', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-rr-gen-'));
    try {
      const summary = generateProject({ dir: path.join(dir, 'project'), models: 400, seed: 42 });
      const rr = loadRunResults(path.join(dir, 'project', 'target', 'run_results.json'));
      assert.equal(rr.schemaVersion, 6);
      assert.equal(rr.results.size, summary.counts.models);
      const oom = [...rr.results.values()].filter((r) => r.memoryError?.code === 241);
      assert.ok(summary.failedInRun.length > 0, 'the generator writes at least one Code: 241 failure');
      assert.deepEqual(oom.map((r) => r.uniqueId).sort(), summary.failedInRun.map((name) => `model.bench_project.${name}`).sort());
      for (const r of oom) assert.equal(r.status, 'error');
      const skipped = [...rr.results.values()].filter((r) => r.status === 'skipped');
      for (const r of skipped) assert.equal(r.completedAt, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file, says what is wrong and what to do for a truncated, empty, foreign or missing file', () => {
    const full = JSON.stringify(v6);
    const cut = write('cut.json', full.slice(0, Math.floor(full.length / 2)));
    assert.throws(() => loadRunResults(cut), (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.match(err.message, new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not complete JSON \\(.*\\): dbt writes it at the end of a run, so it may be half-written\\. Wait for the running dbt command to finish`));
      return true;
    });
    assert.throws(() => loadRunResults(write('empty.json', '  ')), /empty\.json is empty: dbt is probably writing it right now\. Wait/);
    assert.throws(
      () => parseRunResults(JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' }, nodes: {} }), 'target/run_results.json'),
      /^ManifestError: target\/run_results\.json has no recognizable "metadata\.dbt_schema_version" \(found "https:\/\/schemas\.getdbt\.com\/dbt\/manifest\/v12\.json"\), so it is not a dbt run_results\.json/,
    );
    assert.throws(
      () => parseRunResults(JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v3.json' }, results: [] }), 'rr.json'),
      /rr\.json is run-results schema v3 \(dbt older than 1\.0\)/,
    );
    assert.throws(() => loadRunResults(path.join(dir, 'nope.json')), /nope\.json does not exist\. Run `dbt run` or `dbt build`/);
  });

  it('reads a newer schema as v6 with a warning', () => {
    const doc = { ...v6, metadata: { ...v6.metadata, dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v7.json' } };
    const rr = parseRunResults(JSON.stringify(doc), 'rr.json');
    assert.equal(rr.schemaVersion, 7);
    assert.match(rr.warnings[0]!, /rr\.json is run-results schema v7, newer than v6/);
  });
});
