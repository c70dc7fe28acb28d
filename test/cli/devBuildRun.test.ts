import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Journal } from '../../src/core/run';
import { STANDIN } from '../run/runFixture';
import { runBuiltCli } from '../support/builtCli';
import { amounts, duckdbProject, EXECUTOR } from './devBuildWorld';

describe('cli: a dev build run end to end on DuckDB (plan dev-build, then run)', function () {
  this.timeout(120_000);
  let project: Awaited<ReturnType<typeof duckdbProject>>;
  beforeEach(async () => {
    project = await duckdbProject();
  });
  afterEach(() => project.cleanup());

  const journals = (): Journal[] => {
    const runs = path.join(project.dir, 'target', 'dbt-recovery', 'runs');
    return existsSync(runs) ? readdirSync(runs).sort().map((d) => JSON.parse(readFileSync(path.join(runs, d, 'journal.json'), 'utf8')) as Journal) : [];
  };
  const env = (): Record<string, string> => ({ DBT_STANDIN_EXECUTOR: EXECUTOR, DBT_PROFILES_DIR: project.dir });

  async function plan(): Promise<string> {
    const out = path.join(project.dir, 'plan.json');
    const r = await runBuiltCli(
      ['plan', 'dev-build', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'fct_orders', '--mode', 'backfill', '--backfill-date', '2026-04-08',
        '--date-column', 'day', '--sanity', 'amount<=100000', '--sanity', 'amount>=0', '--today', '2026-04-27', '--out', out, '--dbt-command', process.execPath, STANDIN],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
    return out;
  }

  it('--yes builds dev and compares, but no promotion statement runs while an outlier is unexplained; with the note it promotes', async () => {
    const planFile = await plan();
    const before = await amounts(project.db, 'main.fct_orders');
    assert.deepEqual(before, { 1: 10, 2: 20, 3: 30, 4: 40, 5: 1000, 6: 98 });

    const first = await runBuiltCli(['run', planFile, '--yes'], { env: env() });
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stderr, /error: --yes does not explain outliers: 1 of 1 outlier\(s\) above the threshold have no note, so "Promote dev warehouse\.dev_ana\.fct_orders into production warehouse\.main\.fct_orders" is refused and nothing after it runs\./);
    assert.match(first.stderr, /5 amount: prod 1000, dev 1300, \+30\.00%\n {4}--explain '5:amount=<why this change is expected>'/);
    assert.match(first.stdout, /Run refused: Gate approve-promotion .* was not approved: 1 of 1 outlier\(s\) above the threshold have no note \(5 amount\)/);
    assert.deepEqual(await amounts(project.db, 'main.fct_orders'), before, 'production untouched');
    assert.deepEqual(await amounts(project.db, 'dev_ana.fct_orders'), { 1: 10, 2: 20, 3: 30, 4: 40, 5: 1300, 6: 100 }, 'dev: a clone of prod, backfilled from 2026-04-08');

    const [journal] = journals();
    assert.equal(journal!.status, 'refused');
    const byId = new Map(journal!.steps.map((s) => [s.id, s]));
    assert.deepEqual(
      [...byId.values()].map((s) => [s.id, s.status]),
      [['prod-exists', 'done'], ['approve-dev-build', 'done'], ['clone-prod-to-dev', 'done'], ['dbt-run-dev', 'done'], ['compare', 'done'], ['reading-views', 'done'], ['approve-promotion', 'failed'], ['promote', 'pending'], ['verify-prod', 'pending']],
    );
    const cmp = byId.get('compare')!.comparison!;
    assert.deepEqual([cmp.rowCounts, cmp.changedRows, cmp.history?.differing], [{ dev: 3, prod: 3 }, 2, 0], 'scoped from the backfill date (orders 4 to 6); history before it identical');
    assert.deepEqual(cmp.outliers.filter((o) => o.needsExplanation).map((o) => [o.key, o.column, o.prod, o.dev]), [[['5'], 'amount', 1000, 1300]]);
    assert.ok(byId.get('dbt-run-dev')!.dbt!.argv.includes('--target') && byId.get('dbt-run-dev')!.dbt!.argv[byId.get('dbt-run-dev')!.dbt!.argv.indexOf('--target') + 1] === 'dev');

    // The note given, the same run resumes at the gate and promotes.
    const second = await runBuiltCli(['run', '--resume', journal!.runId, '--project-dir', project.dir, '--yes', '--explain', '5:amount=late price correction for 2026-04-09'], { env: env() });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(await amounts(project.db, 'main.fct_orders'), { 1: 10, 2: 20, 3: 30, 4: 40, 5: 1300, 6: 100 }, 'production holds the dev build');
    assert.match(second.stdout, /Downstream, by hand \(dbt Recovery never runs dbt against production\):\n {2}- daily_totals \(table\) reads it: .* run --select daily_totals --profiles-dir \S+ --target prod/);
    const [after] = journals();
    assert.equal(after!.status, 'done');
    const approval = after!.approvals.filter((a) => a.stepId === 'approve-promotion').at(-1)!;
    assert.equal(approval.approved, true);
    assert.deepEqual(approval.explanations, [{ key: ['5'], column: 'amount', note: 'late price correction for 2026-04-09' }]);
    const promote = after!.steps.find((s) => s.id === 'promote')!;
    assert.deepEqual(promote.statements, ['BEGIN TRANSACTION', 'CREATE OR REPLACE TABLE "warehouse"."main"."fct_orders" AS SELECT * FROM "warehouse"."dev_ana"."fct_orders"', 'COMMIT']);
    assert.equal(after!.steps.find((s) => s.id === 'verify-prod')!.status, 'done');
  });

  it('an explanations file gives the notes too; a gate refused interactively or without a terminal promotes nothing', async () => {
    const planFile = await plan();
    const noTerminal = await runBuiltCli(['run', planFile], { env: env() });
    assert.equal(noTerminal.code, 1);
    assert.match(noTerminal.stderr, /there is no terminal to ask: run with --yes/);
    assert.deepEqual((await amounts(project.db, 'main.fct_orders'))[5], 1000);

    const notes = path.join(project.dir, 'notes.json');
    writeFileSync(notes, JSON.stringify([{ key: ['5'], column: 'amount', note: 'known upstream correction' }]));
    const r = await runBuiltCli(['run', planFile, '--yes', '--explanations', notes], { env: env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((await amounts(project.db, 'main.fct_orders'))[5], 1300);
    const runs = journals();
    assert.deepEqual(runs.map((j) => j.status).sort(), ['done', 'refused']);
    assert.deepEqual(runs.find((j) => j.status === 'done')!.approvals.at(-1)!.explanations, [{ key: ['5'], column: 'amount', note: 'known upstream correction' }]);
  });
});
