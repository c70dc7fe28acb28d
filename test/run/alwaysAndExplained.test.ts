import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Comparison, CompareSpec } from '../../src/core/compare/types';
import { textSha256 } from '../../src/core/plan/textSha256';
import type { CheckStep, CompareStep, GateStep, Plan, SqlStep, Step } from '../../src/core/plan/types';
import {
  applyFileEdit,
  approveAll,
  planProblems,
  resumeRun,
  runPlan,
  type ApprovalRequest,
  type Approver,
  type CompareRelations,
  type Journal,
  type RunOptions,
} from '../../src/core/run';
import { DuckDbWarehouse } from '../../src/core/warehouse';
import { EventLog } from './runFixture';

const MODEL = 'models/fct_orders.sql';
const ORIGINAL = "{{ config(materialized='table', snowflake_warehouse='ANALYTICS_S') }}\nselect 1 as id\n";
const OVERRIDE_LINE = "{{ config(snowflake_warehouse='ANALYTICS_XL') }} {# dbt-recovery: temporary override #}\n";

function gate(id: string, extra: Partial<GateStep> = {}): GateStep {
  return { kind: 'gate', id, phase: id, description: `approve ${id}`, idempotent: true, writes: false, title: `Approve ${id}`, shows: ['(what follows)'], ...extra };
}

function apply(): SqlStep {
  return {
    kind: 'sql', id: 'override-apply', phase: 'build', description: 'override', idempotent: true, writes: false,
    operation: { op: 'edit-file', path: MODEL, find: 'select 1 as id\n', replace: `select 1 as id\n${OVERRIDE_LINE}`, sha256: textSha256(ORIGINAL) },
    sql: `+ ${OVERRIDE_LINE}`,
  };
}

function revert(): SqlStep {
  return {
    kind: 'sql', id: 'override-revert', phase: 'build', description: 'revert', idempotent: true, writes: false, always: true, undoes: 'override-apply',
    operation: { op: 'edit-file', path: MODEL, find: `select 1 as id\n${OVERRIDE_LINE}`, replace: 'select 1 as id\n', sha256: null },
    sql: `- ${OVERRIDE_LINE}`,
  };
}

function stopUnlessEmpty(id: string, table: string): CheckStep {
  return { kind: 'check', id, phase: 'build', description: id, idempotent: true, writes: false, sql: `SELECT * FROM ${table}`, rule: { type: 'no-rows', onRows: 'stop' }, columns: ['x'] };
}

function promote(): SqlStep {
  return { kind: 'sql', id: 'promote', phase: 'promote', description: 'promote', idempotent: true, writes: true, operation: { op: 'exec', statement: 'CREATE TABLE promoted AS SELECT 42 AS v' }, sql: 'CREATE TABLE promoted AS SELECT 42 AS v' };
}

const SPEC: CompareSpec = {
  dev: { database: null, schema: 'dev', name: 'fct_orders' },
  prod: { database: null, schema: 'main', name: 'fct_orders' },
  key: ['id'],
  scope: null,
  historyBefore: null,
  sanity: [],
  spotCheck: null,
  outliers: { top: 20, explainAbove: 0.05, columns: null },
  partitions: null,
};

function compareStep(): CompareStep {
  return { kind: 'compare', id: 'compare', phase: 'compare', description: 'compare dev with prod', idempotent: true, writes: false, spec: SPEC, sql: ['SELECT ...'] };
}

function comparison(over: Partial<Comparison> = {}): Comparison {
  return {
    dev: SPEC.dev, prod: SPEC.prod, key: ['id'], scope: null,
    rowCounts: { dev: 10, prod: 10 },
    keys: { onlyInDev: 0, onlyInProd: 0, duplicatedInDev: 0, duplicatedInProd: 0, matched: 10 },
    samples: { onlyInDev: [], onlyInProd: [] },
    schema: { added: [], removed: [], retyped: [], types: [] },
    changedRows: 3,
    matchRates: [],
    history: null,
    anomalies: [],
    spotCheck: null,
    outliers: [
      { key: ['7'], column: 'amount', prod: 100, dev: 150, relDelta: 0.5, needsExplanation: true },
      { key: ['3'], column: 'amount', prod: 200, dev: 190, relDelta: -0.05 - 1e-9, needsExplanation: true },
      { key: ['5'], column: 'amount', prod: 100, dev: 101, relDelta: 0.01, needsExplanation: false },
    ],
    partitions: [],
    statements: ['SELECT count(*) FROM dev.fct_orders', 'SELECT count(*) FROM main.fct_orders'],
    millis: 3,
    ...over,
  };
}

describe('run: always steps, and gates that need outliers explained (DuckDB)', function () {
  this.timeout(30_000);
  let dir: string;
  let target: string;
  let w: DuckDbWarehouse;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-always-'));
    target = path.join(dir, 'target');
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: p\nprofile: p\n');
    mkdirSync(path.join(dir, 'models'));
    writeFileSync(path.join(dir, MODEL), ORIGINAL);
    w = await DuckDbWarehouse.openPath(':memory:');
    await w.exec('CREATE TABLE bad (x INTEGER)');
  });
  afterEach(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const modelText = (): string => readFileSync(path.join(dir, MODEL), 'utf8');
  const planOf = (steps: Step[]): Plan => ({
    workflow: 'dev-build', version: 1, projectDir: dir, profilesDir: null, target: 'dev', dbtCommand: ['dbt'], connection: w.description,
    params: { prodTarget: 'prod' }, today: '2026-04-27', lookbackDays: null, months: [], warnings: [], notes: [], steps,
  });
  const options = (over: Partial<RunOptions> = {}): RunOptions => ({ approve: approveAll(), warehouse: w, targetPath: target, ...over });
  const promoted = async (): Promise<boolean> => Number((await w.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'promoted'"))[0]!.n) > 0;

  it('applies an edit-file override exactly and refuses a file changed since planning', () => {
    const file = path.join(dir, MODEL);
    assert.equal(applyFileEdit(file, apply().operation as never), 'applied');
    assert.equal(modelText(), ORIGINAL + OVERRIDE_LINE);
    assert.equal(applyFileEdit(file, apply().operation as never), 'already', 'a repeated apply leaves the file alone');
    assert.equal(modelText(), ORIGINAL + OVERRIDE_LINE);
    assert.equal(applyFileEdit(file, revert().operation as never), 'applied');
    assert.equal(modelText(), ORIGINAL);
    assert.equal(applyFileEdit(file, revert().operation as never), 'already', 'nothing to revert: done');
    writeFileSync(file, `${ORIGINAL}-- edited by the user\n`);
    assert.throws(() => applyFileEdit(file, apply().operation as never), /changed since the plan was made/);
    assert.equal(modelText(), `${ORIGINAL}-- edited by the user\n`, 'untouched');
    writeFileSync(file, `select 1 as id\n${ORIGINAL}`);
    assert.throws(() => applyFileEdit(file, { ...(apply().operation as never as object), sha256: null } as never), /2 times/);
  });

  it('runs the always step (the revert) after a failed step, says so, and a resume applies the override again before going on', async () => {
    const steps: Step[] = [gate('build'), apply(), stopUnlessEmpty('check-bad', 'bad'), revert(), gate('approve-promote'), promote()];
    await w.exec('INSERT INTO bad VALUES (1)');
    const log = new EventLog();
    const first = await runPlan(planOf(steps), options({ onEvent: log.listener }));
    assert.equal(first.status, 'failed');
    assert.equal(first.stoppedAt, 'check-bad', 'the run keeps the step that stopped it');
    assert.equal(modelText(), ORIGINAL, 'the override was taken back although the run failed');
    const rec = first.journal.steps.find((s) => s.id === 'override-revert')!;
    assert.equal(rec.status, 'done');
    assert.equal(rec.ranAsCleanup, true);
    assert.match(first.message, /^Check check-bad stopped the run: .*Then ran the step that always runs: override-revert done\./s);
    assert.equal(first.journal.steps.find((s) => s.id === 'promote')!.status, 'pending');
    assert.deepEqual(
      log.of('step-start').map((e) => e.step),
      ['build', 'override-apply', 'check-bad', 'override-revert'],
    );
    assert.equal(await promoted(), false);

    // Fixed; the resume re-applies the override (the dbt run still to come needs it), then reverts it in its turn.
    await w.exec('DELETE FROM bad');
    const log2 = new EventLog();
    const edits: string[] = [];
    log2.waitFor((e) => e.type === 'step-end' && e.step === 'override-apply').then(() => edits.push(modelText()), () => undefined);
    const second = await resumeRun(first.runDir, options({ onEvent: log2.listener }));
    assert.equal(second.status, 'done', second.message);
    assert.deepEqual(log2.of('step-start').map((e) => e.step), ['override-apply', 'check-bad', 'override-revert', 'approve-promote', 'promote']);
    assert.equal(edits[0], ORIGINAL + OVERRIDE_LINE, 'the override was in place while the run went on');
    assert.equal(modelText(), ORIGINAL);
    const journal = JSON.parse(readFileSync(path.join(first.runDir, 'journal.json'), 'utf8')) as Journal;
    assert.equal(journal.steps.find((s) => s.id === 'override-revert')!.ranAsCleanup, false);
    assert.equal(journal.steps.find((s) => s.id === 'override-apply')!.attempts, 2);
    assert.equal(await promoted(), true);
  });

  it('runs the always step after a refused gate, and after a cancel', async () => {
    const steps: Step[] = [gate('build'), apply(), gate('middle'), revert(), gate('approve-promote'), promote()];
    const refusing: Approver = (r) => Promise.resolve(r.stepId !== 'middle');
    const refused = await runPlan(planOf(steps), options({ approve: refusing }));
    assert.equal(refused.status, 'refused');
    assert.equal(refused.stoppedAt, 'middle');
    assert.equal(modelText(), ORIGINAL);
    assert.match(refused.message, /was refused by .*Then ran the step that always runs: override-revert done/s);

    const abort = new AbortController();
    const cancelling: Approver = (r) => {
      if (r.stepId === 'middle') abort.abort();
      return Promise.resolve(true);
    };
    const cancelled = await runPlan(planOf(steps), options({ approve: cancelling, signal: abort.signal }));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(modelText(), ORIGINAL, 'reverted although the run was cancelled');
    assert.equal(cancelled.journal.steps.find((s) => s.id === 'override-revert')!.status, 'done');
    assert.equal(await promoted(), false);
  });

  describe('a gate with requiresExplained', () => {
    const steps = (): Step[] => [compareStep(), gate('approve-promote', { requiresExplained: ['compare'], shows: ['CREATE TABLE promoted AS SELECT 42 AS v'] }), promote()];
    const compare: CompareRelations = () => Promise.resolve(comparison());

    it('asks with the outliers to explain and the comparison summary; --yes without notes is refused and nothing is promoted', async () => {
      const log = new EventLog();
      const outcome = await runPlan(planOf(steps()), options({ compare, onEvent: log.listener }));
      assert.equal(outcome.status, 'refused');
      assert.equal(outcome.stoppedAt, 'approve-promote');
      assert.match(outcome.message, /Gate approve-promote \("Approve approve-promote"\) was not approved: 2 of 2 outlier\(s\) above the threshold have no note \(7 amount; 3 amount\)/);
      assert.equal(await promoted(), false);
      const approval = outcome.journal.approvals[0]!;
      assert.equal(approval.approved, false);
      assert.equal(approval.automatic, true);
      assert.match(approval.note!, /^Approval refused by the runner: 2 of 2/);
      assert.deepEqual(approval.explanations, []);
      const cmp = log.of('compare')[0]!;
      assert.equal(cmp.comparison.changedRows, 3);
      assert.deepEqual(outcome.journal.steps[0]!.comparison!.outliers.length, 3, 'the comparison is in the journal');
      assert.deepEqual(outcome.journal.steps[0]!.statements, comparison().statements);
    });

    it('refuses when one required note is empty, keeping the notes given; approves when every outlier has one', async () => {
      const asked: ApprovalRequest[] = [];
      const partial: Approver = (r) => {
        asked.push(r);
        return Promise.resolve({ approved: true, by: 'ana', explanations: [{ key: ['7'], column: 'amount', note: 'late Dune batch corrected' }, { key: ['3'], column: 'amount', note: '   ' }] });
      };
      const first = await runPlan(planOf(steps()), options({ compare, approve: partial }));
      assert.equal(first.status, 'refused');
      assert.match(first.message, /1 of 2 outlier\(s\) above the threshold have no note \(3 amount\)/);
      assert.deepEqual(first.journal.approvals[0]!.explanations, [{ key: ['7'], column: 'amount', note: 'late Dune batch corrected' }]);
      assert.deepEqual(
        asked[0]!.explain!.map((o) => [o.step, o.key, o.column, o.prod, o.dev]),
        [['compare', ['7'], 'amount', 100, 150], ['compare', ['3'], 'amount', 200, 190]],
        'only the outliers above the threshold',
      );
      assert.match(asked[0]!.description, /approve approve-promote\nComparison compare: rows dev 10 \/ prod 10; .*3 changed rows; 3 outliers \(2 need a note\)\./);
      assert.equal(await promoted(), false);

      const full: Approver = () =>
        Promise.resolve({ approved: true, by: 'ana', explanations: [{ key: ['7'], column: 'amount', note: 'late Dune batch corrected' }, { key: ['3'], column: 'amount', note: 'price revaluation' }] });
      const second = await resumeRun(first.runDir, options({ compare, approve: full }));
      assert.equal(second.status, 'done', second.message);
      assert.equal(await promoted(), true);
      const approval = second.journal.approvals.at(-1)!;
      assert.equal(approval.approved, true);
      assert.deepEqual(approval.explanations!.map((e) => e.note), ['late Dune batch corrected', 'price revaluation']);
      assert.match(second.journal.steps[1]!.summary!, /Approved by ana, with 2 outlier note\(s\)\./);
    });

    it('a comparison whose history, sanity or spot check fails stops the run before the gate', async () => {
      const bad: CompareRelations = () =>
        Promise.resolve(comparison({
          history: { before: '2026-04-08', rows: 100, differing: 2, columns: [{ column: 'amount', differing: 2 }] },
          anomalies: [{ column: 'amount', max: 1e12, min: null, rows: 1 }],
        }));
      const outcome = await runPlan(planOf(steps()), options({ compare: bad }));
      assert.equal(outcome.status, 'failed');
      assert.equal(outcome.stoppedAt, 'compare');
      assert.match(outcome.message, /2 of 100 rows before 2026-04-08 differ from prod \(amount\).*1 dev rows of amount are outside the sanity range max 1000000000000/);
      assert.equal(outcome.journal.approvals.length, 0, 'the gate was never asked');
    });

    it('lets go of a DuckDB file while a gate waits, so another process can read it; the next step opens it again', async () => {
      const db = path.join(dir, 'warehouse.duckdb');
      const seed = await DuckDbWarehouse.openPath(db);
      await seed.exec('CREATE TABLE main_orders (id INTEGER)');
      await seed.close();
      const create: SqlStep = { kind: 'sql', id: 'build', phase: 'build', description: 'build', idempotent: true, writes: true, operation: { op: 'exec', statement: 'INSERT INTO main_orders VALUES (1), (2)' }, sql: 'INSERT INTO main_orders VALUES (1), (2)' };
      const after: SqlStep = { kind: 'sql', id: 'promote', phase: 'promote', description: 'promote', idempotent: true, writes: true, operation: { op: 'exec', statement: 'INSERT INTO main_orders VALUES (3)' }, sql: 'INSERT INTO main_orders VALUES (3)' };
      let seenAtGate: string | null = null;
      const approve: Approver = async (request) => {
        if (request.stepId !== 'approve-promote') return { approved: true, by: 'ana' };
        // Another process (a person's DuckDB shell) opens the file the run is using, while the gate waits.
        const script = "const { DuckDBInstance } = require('@duckdb/node-api'); (async () => { const i = await DuckDBInstance.create(process.argv[1]); const c = await i.connect(); const r = await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM main_orders'); process.stdout.write(String(r.getRowObjects()[0].n)); c.closeSync(); })().catch((e) => { process.stdout.write('error: ' + e.message); });";
        const { execFileSync } = await import('node:child_process');
        seenAtGate = execFileSync(process.execPath, ['-e', script, db], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
        return { approved: true, by: 'ana' };
      };
      const outcome = await runPlan(planOf([gate('approve-build'), create, gate('approve-promote'), after]), { approve, connect: () => DuckDbWarehouse.openPath(db), targetPath: target });
      assert.equal(outcome.status, 'done', outcome.message);
      assert.equal(seenAtGate, '2', 'the other process read the file at the gate');
      const check = await DuckDbWarehouse.openPath(db);
      try {
        assert.deepEqual((await check.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM main_orders')).map((r) => Number(r.n)), [3]);
      } finally {
        await check.close();
      }
    });

    it('a plan whose gate names no earlier compare step cannot run', () => {
      const p = planOf([gate('approve-promote', { requiresExplained: ['compare'] }), compareStep(), promote()]);
      assert.match(planProblems(p).join('\n'), /Gate approve-promote requires the outliers of compare explained, but no compare step compare comes before it/);
    });
  });
});
