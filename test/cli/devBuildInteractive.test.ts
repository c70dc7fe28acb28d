import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/io';
import type { Journal } from '../../src/core/run';
import { DuckDbWarehouse } from '../../src/core/warehouse';
import { STANDIN } from '../run/runFixture';
import { runBuiltCli } from '../support/builtCli';
import { amounts, duckdbProject, EXECUTOR } from './devBuildWorld';

/** The CLI in this process, with a terminal whose answers are scripted: each question is matched in order. */
function terminal(dir: string, answers: Array<[RegExp, string]>): { io: CliIo; asked: string[]; out: () => string } {
  const asked: string[] = [];
  let out = '';
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (out += s),
    cwd: dir,
    env: { ...process.env, DBT_STANDIN_EXECUTOR: EXECUTOR, DBT_PROFILES_DIR: dir },
    prompt: (q) => {
      asked.push(q);
      const next = answers.shift();
      assert.ok(next, `an unexpected question: ${q}`);
      assert.match(q, next[0]);
      return Promise.resolve(next[1]);
    },
  };
  return { io, asked, out: () => out };
}

describe('cli: a dev build run at a terminal collects a note per outlier before the promotion', function () {
  this.timeout(120_000);
  let project: Awaited<ReturnType<typeof duckdbProject>>;
  beforeEach(async () => {
    project = await duckdbProject();
  });
  afterEach(() => project.cleanup());

  const journals = (): Journal[] => {
    const runs = path.join(project.dir, 'target', 'dbt-recovery', 'runs');
    return existsSync(runs) ? readdirSync(runs).map((d) => JSON.parse(readFileSync(path.join(runs, d, 'journal.json'), 'utf8')) as Journal) : [];
  };

  async function planFile(): Promise<string> {
    const out = path.join(project.dir, 'plan.json');
    const r = await runBuiltCli(
      ['plan', 'dev-build', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'fct_orders', '--mode', 'full-refresh', '--date-column', 'day', '--since', '2026-04-01',
        '--today', '2026-04-27', '--out', out, '--dbt-command', process.execPath, STANDIN],
    );
    assert.equal(r.code, 0, r.stderr);
    return out;
  }

  it('asks the note of each outlier above the threshold, then the approval, and promotes with the notes in the journal', async () => {
    const plan = await planFile();
    const t = terminal(project.dir, [
      [/^Approve and run this\?/, 'yes'],
      [/^ {2}5 amount: prod 1000, dev 1300, \+30\.00%\n {4}note: $/, 'late price correction'],
      [/^Approve and run this\?/, 'yes'],
    ]);
    const code = await runCli(['run', plan], t.io);
    assert.equal(code, 0, t.out());
    assert.equal(t.asked.length, 3);
    assert.match(t.out(), /APPROVAL: Promote dev warehouse\.dev_ana\.fct_orders into production warehouse\.main\.fct_orders\n.*\nComparison compare: rows dev 6 \/ prod 6; .*2 changed rows; .*\(1 need a note\)\./);
    assert.match(t.out(), /Each of these 1 outlier\(s\) above the threshold needs a note/);
    assert.deepEqual(await amounts(project.db, 'main.fct_orders'), { 1: 10, 2: 20, 3: 30, 4: 40, 5: 1300, 6: 100 });
    const [j] = journals();
    assert.deepEqual(j!.approvals.map((a) => [a.stepId, a.approved, a.automatic, a.explanations ?? null]), [
      ['approve-dev-build', true, false, null],
      ['approve-promotion', true, false, [{ key: ['5'], column: 'amount', note: 'late price correction' }]],
    ]);
  });

  it('an outlier left without a note refuses the approval, although the person typed yes', async () => {
    const plan = await planFile();
    const t = terminal(project.dir, [
      [/^Approve and run this\?/, 'yes'],
      [/note: $/, '   '],
      [/^Approve and run this\?/, 'yes'],
    ]);
    const code = await runCli(['run', plan], t.io);
    assert.equal(code, 1);
    assert.match(t.out(), /Run refused: Gate approve-promotion \("Promote dev .*"\) was not approved: 1 of 1 outlier\(s\) above the threshold have no note \(5 amount\)/);
    assert.deepEqual((await amounts(project.db, 'main.fct_orders'))[5], 1000, 'production untouched');
    const approval = journals()[0]!.approvals.at(-1)!;
    assert.equal(approval.approved, false);
    assert.match(approval.note!, /^Approval refused by the runner/);
  });
});

describe('cli: dbt-recovery compare', function () {
  this.timeout(120_000);
  let project: Awaited<ReturnType<typeof duckdbProject>>;
  beforeEach(async () => {
    project = await duckdbProject();
  });
  afterEach(() => project.cleanup());

  it('--format json has the keys CI gates on; text for people; relations from the target and the manifest, or given', async () => {
    // A dev build of the model already sits in dev_ana (as after `dbt run` against the dev target).
    const w = await DuckDbWarehouse.openPath(project.db);
    await w.exec('CREATE SCHEMA dev_ana');
    await w.exec('CREATE TABLE dev_ana.fct_orders AS SELECT order_id, day, qty * price AS amount, 1 AS is_fixed FROM main.raw_orders WHERE order_id <> 1');
    await w.close();
    const r = await runBuiltCli(['compare', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'fct_orders', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown> & {
      rowCounts: { dev: number; prod: number };
      keys: Record<string, number>;
      schema: { added: string[]; removed: string[]; retyped: string[] };
      changedRows: number;
      outliers: Array<{ key: string[]; column: string; prod: number; dev: number; relDelta: number }>;
    };
    assert.deepEqual(json.rowCounts, { dev: 5, prod: 6 });
    assert.deepEqual([json.keys.onlyInDev, json.keys.onlyInProd, json.keys.duplicatedInDev, json.keys.duplicatedInProd], [0, 1, 0, 0]);
    assert.deepEqual(json.schema.added, ['is_fixed']);
    assert.deepEqual([json.schema.removed, json.schema.retyped], [[], []]);
    assert.equal(json.changedRows, 2);
    assert.deepEqual(json.outliers.map((o) => [o.key, o.column, o.prod, o.dev, Math.round(o.relDelta * 10000) / 10000]), [[['5'], 'amount', 1000, 1300, 0.3], [['6'], 'amount', 98, 100, 0.0204]]);
    const text = await runBuiltCli(['compare', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'fct_orders', '--dev', 'dev_ana.fct_orders', '--prod', 'warehouse.main.fct_orders', '--since', '2026-04-09', '--date-column', 'day']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /dev warehouse\.dev_ana\.fct_orders vs prod warehouse\.main\.fct_orders/);
    const missing = await runBuiltCli(['compare', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'fct_order']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /did you mean fct_orders\?/);
  });
});
