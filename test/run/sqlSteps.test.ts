import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckStep, SqlStep, Step } from '../../src/core/plan/types';
import { approveAll, runPlan, type ApprovalRequest, type Journal, type RunOptions } from '../../src/core/run';
import { ClickHouseWarehouse, pendingMutationsSql } from '../../src/core/warehouse';
import { openChdbWarehouse } from '../support/chdb';
import { ClickHouseTestServer, serverTarget } from '../support/clickhouseServer';
import { copyExample, gate, planOf } from './runFixture';

function optimize(id: string, database: string, table: string, partition: string): SqlStep {
  return {
    kind: 'sql',
    id,
    phase: 'phase1',
    description: `OPTIMIZE ${table} ${partition}`,
    idempotent: true,
    writes: true,
    operation: { op: 'optimize-partition', database, table, partition },
    sql: `OPTIMIZE TABLE ${database}.${table} PARTITION '${partition}' FINAL DEDUPLICATE`,
  };
}

function check(id: string, sql: string, rule: CheckStep['rule'], columns: string[]): CheckStep {
  return { kind: 'check', id, phase: 'preflight', description: id, idempotent: true, writes: false, sql, rule, columns };
}

interface Engine {
  warehouse(): ClickHouseWarehouse;
  /** 18.16: remove a mutation by the manual steps the run gave. */
  removeByHand?: (error: string, database: string, table: string) => Promise<void>;
}

function sqlStepTests(engine: Engine): void {
  let db: string;
  let project: ReturnType<typeof copyExample>;
  const w = (): ClickHouseWarehouse => engine.warehouse();
  const run = (steps: Step[], options: Partial<RunOptions> = {}) =>
    runPlan(planOf(project.dir, steps, { connection: w().description }), { approve: approveAll(), targetPath: project.target, warehouse: w(), ...options });

  beforeEach(async () => {
    project = copyExample();
    db = `run_${randomUUID().slice(0, 8)}`;
    await w().exec(`CREATE DATABASE ${w().quoteIdent(db)}`);
  });
  afterEach(async () => {
    await w().exec(`DROP DATABASE IF EXISTS ${w().quoteIdent(db)}`);
    project.cleanup();
  });

  async function tableWithDuplicates(name: string): Promise<string> {
    const rel = w().relation(null, db, name);
    // A size cap of one byte keeps background merges away; OPTIMIZE FINAL ignores it.
    await w().exec(
      `CREATE TABLE ${rel} (date Date, k String, v Float64) ENGINE = ReplacingMergeTree() PARTITION BY toStartOfMonth(date) ORDER BY (date, k) SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1`,
    );
    for (const v of [1, 2]) await w().exec(`INSERT INTO ${rel} VALUES ('2026-04-17', 'a', ${v}), ('2026-04-18', 'b', ${v})`);
    return rel;
  }

  it('optimize-partition deduplicates the month, and an all-equal check then passes', async () => {
    const rel = await tableWithDuplicates('balances');
    const counts = `SELECT k, count() AS c FROM ${rel} WHERE toStartOfMonth(date) = toDate('2026-04-01') GROUP BY k ORDER BY k`;
    const outcome = await run([
      gate('g'),
      optimize('opt', db, 'balances', '2026-04-01'),
      check('dups', counts, { type: 'all-equal', column: 'c', expected: 1, onMismatch: 'stop' }, ['k', 'c']),
    ]);
    assert.equal(outcome.status, 'done', outcome.message);
    const [, opt, dups] = outcome.journal.steps;
    assert.match(opt!.statements[0]!, new RegExp(`^OPTIMIZE TABLE \`${db}\`\\.\`balances\` PARTITION '2026-04-01' FINAL DEDUPLICATE  -- with optimize_throw_if_noop = 1$`));
    assert.match(opt!.summary!, /partition 2026-04-01 done \(2 parts before\)/);
    assert.deepEqual(dups!.check?.rows.map((r) => [r.k, Number(r.c)]), [['a', 1], ['b', 1]]);
    assert.equal(dups!.check?.status, 'pass');
  });

  it('a check that stops ends the run as failed, with the offending rows', async () => {
    const rel = await tableWithDuplicates('balances');
    const counts = `SELECT k, count() AS c FROM ${rel} GROUP BY k ORDER BY k`;
    const outcome = await run([check('dups', counts, { type: 'all-equal', column: 'c', expected: 1, onMismatch: 'stop' }, ['k', 'c']), gate('g'), optimize('opt', db, 'balances', '2026-04-01')]);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.stoppedAt, 'dups');
    assert.match(outcome.message, /2 rows with c other than 1/);
    assert.match(outcome.message, /k\s+c\n-+\s+-+\na\s+2\nb\s+2/);
    assert.deepEqual(outcome.journal.steps.map((s) => s.status), ['failed', 'pending', 'pending']);
  });

  it('a partition literal that names no partition stops the run, explained', async () => {
    await tableWithDuplicates('balances');
    const outcome = await run([gate('g'), optimize('opt', db, 'balances', '2026-04-15'), optimize('next', db, 'balances', '2026-04-01')]);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.explanation?.code, 'wrong-partition');
    assert.match(outcome.explanation.title, new RegExp(`'2026-04-15' matches no partition of ${db}\\.balances`));
    assert.equal(outcome.journal.steps[2]!.status, 'pending');
  });

  it('a month the table has no rows for (a sparse model) is a warning in the journal, nothing sent, and the run goes on', async () => {
    const rel = await tableWithDuplicates('sparse');
    const outcome = await run([gate('g'), optimize('may', db, 'sparse', '2026-05-01'), optimize('april', db, 'sparse', '2026-04-01')]);
    assert.equal(outcome.status, 'done', outcome.message);
    const warning = `no rows for 2026-05 in ${db}.sparse: nothing to deduplicate`;
    const onDisk = JSON.parse(readFileSync(path.join(outcome.runDir, 'journal.json'), 'utf8')) as Journal;
    for (const journal of [outcome.journal, onDisk]) {
      const [, may, april] = journal.steps;
      assert.deepEqual([may!.status, may!.warnings, may!.summary, may!.statements, may!.error], ['done', [warning], `Warning: ${warning}.`, [], null]);
      assert.equal(april!.status, 'done');
      assert.match(april!.summary!, /partition 2026-04-01 done \(2 parts before\)/);
    }
    assert.match(readFileSync(path.join(outcome.runDir, onDisk.steps[1]!.log!), 'utf8'), new RegExp(`-- not sent: ${warning.replace(/\./g, '\\.')}`));
    assert.deepEqual(await w().query(`SELECT count() AS c FROM ${rel}`), [{ c: '2' }], "April's duplicates collapsed by the next step");
  });

  it('an OPTIMIZE on a table whose merges are stopped is explained with SYSTEM START MERGES', async () => {
    const rel = await tableWithDuplicates('stopped');
    await w().exec(`SYSTEM STOP MERGES ${rel}`);
    try {
      const outcome = await run([gate('g'), optimize('opt', db, 'stopped', '2026-04-01')]);
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.explanation?.code, 'merges-stopped');
      assert.deepEqual(outcome.explanation?.statements, [`SYSTEM START MERGES ${rel}`]);
    } finally {
      await w().exec(`SYSTEM START MERGES ${rel}`);
    }
  });

  it('a kill-mutations step kills, after approval, what the check before it found (from the journal)', async () => {
    const caps = await w().capabilities();
    const rel = w().relation(null, db, 'stuck');
    await w().exec(`CREATE TABLE ${rel} (date Date, k String) ENGINE = MergeTree() PARTITION BY toStartOfMonth(date) ORDER BY k`);
    await w().exec(`INSERT INTO ${rel} VALUES ('2026-04-01', 'a')`);
    await w().exec(`SYSTEM STOP MERGES ${rel}`);
    await w().exec(`ALTER TABLE ${rel} DELETE WHERE k = 'a'`, undefined, caps.mutationsSync ? { settings: { mutations_sync: 0 } } : {});
    const preflight = check('found', pendingMutationsSql(db, { failReason: caps.mutationFailReason }).sql, { type: 'no-pending-mutations' }, ['database', 'table', 'mutation_id']);
    const kill: SqlStep = { kind: 'sql', id: 'kill', phase: 'preflight', description: 'kill them', idempotent: true, writes: true, operation: { op: 'kill-mutations', database: db }, sql: 'KILL MUTATION WHERE ...' };
    const asked: ApprovalRequest[] = [];
    try {
      const outcome = await run([preflight, kill], { approve: (r) => (asked.push(r), Promise.resolve(true)) });
      assert.match(outcome.journal.steps[0]!.summary!, /Step kill kills them after approval/);
      assert.equal(outcome.journal.steps[0]!.status, 'done');
      if (caps.killMutation) {
        assert.equal(outcome.status, 'done', outcome.message);
        assert.deepEqual(asked.map((r) => [r.reason, r.stepId]), [['kill-mutations', 'kill']]);
        assert.deepEqual(await w().pendingMutations(db), []);
      } else {
        assert.equal(outcome.status, 'failed');
        assert.deepEqual(asked, []);
        assert.match(outcome.journal.steps[1]!.error!, /has no KILL MUTATION/);
        await engine.removeByHand!(outcome.journal.steps[1]!.error!, db, 'stuck');
      }
    } finally {
      await w().exec(`SYSTEM START MERGES ${rel}`);
    }
  });

  it('pending mutations: killed after an approval that shows each KILL statement, where the server can; else the manual steps', async () => {
    const caps = await w().capabilities();
    const rel = w().relation(null, db, 'poisoned');
    await w().exec(`CREATE TABLE ${rel} (date Date, k String) ENGINE = MergeTree() PARTITION BY toStartOfMonth(date) ORDER BY k`);
    await w().exec(`INSERT INTO ${rel} VALUES ('2026-04-01', 'a'), ('2026-03-01', 'b')`);
    await w().exec(`SYSTEM STOP MERGES ${rel}`);
    await w().exec(`ALTER TABLE ${rel} DELETE WHERE k = 'a'`, undefined, caps.mutationsSync ? { settings: { mutations_sync: 0 } } : {});
    const [m] = await w().pendingMutations(db);
    assert.ok(m);
    const preflight = check('preflight-mutations', pendingMutationsSql(db, { failReason: caps.mutationFailReason }).sql, { type: 'no-pending-mutations' }, ['database', 'table', 'mutation_id']);
    const after: SqlStep = { kind: 'sql', id: 'after', phase: 'phase1', description: 'a write after the preflight', idempotent: true, writes: true, operation: { op: 'exec', statement: 'SELECT 1' }, sql: 'SELECT 1' };
    const steps = [preflight, gate('g'), after];
    const asked: ApprovalRequest[] = [];
    const approver = (answer: boolean) => (r: ApprovalRequest) => {
      asked.push(r);
      return Promise.resolve({ approved: answer, by: 'carol' });
    };
    try {
      if (caps.killMutation) {
        const refused = await run(steps, { approve: approver(false) });
        assert.equal(refused.status, 'refused');
        assert.equal((await w().pendingMutations(db)).length, 1, 'nothing killed without approval');
        const statement = `KILL MUTATION WHERE database = '${db}' AND table = 'poisoned' AND mutation_id = '${m.mutationId}'`;
        assert.deepEqual(asked.map((r) => [r.reason, r.stepId]), [['kill-mutations', 'preflight-mutations']]);
        assert.ok(asked[0]!.shows.includes(statement), asked[0]!.shows.join('\n'));
        asked.length = 0;
        const outcome = await run(steps, { approve: approver(true) });
        assert.equal(outcome.status, 'done', outcome.message);
        assert.deepEqual(asked.map((r) => r.reason), ['kill-mutations', 'gate']);
        assert.deepEqual(outcome.journal.steps[0]!.statements, [statement]);
        assert.match(outcome.journal.steps[0]!.summary!, /Killed 1 pending mutation\(s\) after approval by carol/);
        assert.deepEqual(await w().pendingMutations(db), []);
        assert.deepEqual(outcome.journal.steps[2]!.statements, ['SELECT 1']);
      } else {
        const outcome = await run(steps, { approve: approver(true) });
        assert.equal(outcome.status, 'failed');
        assert.deepEqual(asked, [], 'nothing to approve: the server cannot kill it');
        const error = outcome.journal.steps[0]!.error!;
        assert.match(error, /has no KILL MUTATION/);
        assert.match(error, new RegExp(`remove the file \\S+/${m.mutationId.replace('.', '\\.')}, then run DETACH TABLE`));
        assert.deepEqual(outcome.journal.steps.map((s) => s.status), ['failed', 'pending', 'pending']);
        await engine.removeByHand!(error, db, 'poisoned');
        assert.deepEqual(await w().pendingMutations(db), [], 'the manual steps the run gave work');
      }
    } finally {
      await w().exec(`SYSTEM START MERGES ${rel}`);
    }
  });
}

describe('run: sql and check steps on embedded ClickHouse 26 (chdb)', function () {
  this.timeout(60_000);
  let warehouse: ClickHouseWarehouse;
  before(async () => {
    warehouse = await openChdbWarehouse();
  });
  after(async () => {
    await warehouse?.close();
  });
  sqlStepTests({ warehouse: () => warehouse });
});

describe('run: sql and check steps on the ClickHouse server 18.16', function () {
  this.timeout(60_000);
  let server: ClickHouseTestServer;
  let warehouse: ClickHouseWarehouse;
  before(async () => {
    server = await ClickHouseTestServer.start();
    warehouse = ClickHouseWarehouse.connect(serverTarget(server));
  });
  after(async () => {
    await warehouse?.close();
    await server?.stop();
  });
  sqlStepTests({
    warehouse: () => warehouse,
    removeByHand: async (error, database, table) => {
      const file = /remove the file (\S+),/.exec(error)?.[1];
      assert.ok(file && path.isAbsolute(file) && file.startsWith(server.dir), error);
      rmSync(file);
      const rel = warehouse.relation(null, database, table);
      await warehouse.exec(`DETACH TABLE ${rel}`);
      await warehouse.exec(`ATTACH TABLE ${rel}`);
    },
  });
});
