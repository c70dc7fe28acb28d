import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Journal } from '../../src/core/run';
import { copyExample, dbtRun, gate, planOf, standinCalls } from '../run/runFixture';
import { runBuiltCli } from '../support/builtCli';

describe('cli: dbt-recovery run', function () {
  this.timeout(60_000);
  let project: ReturnType<typeof copyExample>;
  let tmp: string;
  beforeEach(() => {
    project = copyExample();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-cli-run-'));
  });
  afterEach(() => {
    project.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  function writePlan(): string {
    const plan = planOf(project.dir, [
      gate('phase1-approve', 'Rewrite April in two layers'),
      dbtRun('layer1', ['int_execution_tokens_balances_daily']),
      dbtRun('layer2', ['int_execution_tokens_supply_holders_daily']),
    ]);
    const file = path.join(tmp, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    return file;
  }

  function journals(): Journal[] {
    const runs = path.join(project.target, 'dbt-recovery', 'runs');
    if (!existsSync(runs)) return [];
    return readdirSync(runs).map((d) => JSON.parse(readFileSync(path.join(runs, d, 'journal.json'), 'utf8')) as Journal);
  }

  it('refuses to pass a gate without a terminal or --yes, and runs nothing', async () => {
    const log = path.join(tmp, 'standin.log');
    const r = await runBuiltCli(['run', writePlan()], { env: { DBT_STANDIN_LOG: log } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /run with --yes/);
    assert.deepEqual(standinCalls(log), [], 'dbt never started');
    const [journal] = journals();
    assert.equal(journal?.status, 'refused');
  });

  it('runs every step with --yes, printing each model\'s result, and records the approval as automatic', async () => {
    const log = path.join(tmp, 'standin.log');
    const r = await runBuiltCli(['run', writePlan(), '--yes'], { env: { DBT_STANDIN_LOG: log } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 of 1 SUCCESS int_execution_tokens_balances_daily/);
    assert.match(r.stdout, /1 of 1 SUCCESS int_execution_tokens_supply_holders_daily/);
    assert.match(r.stdout, /Run done/);
    assert.equal(standinCalls(log).length, 2);
    const [journal] = journals();
    assert.equal(journal?.status, 'done');
    assert.deepEqual(journal?.approvals.map((a) => [a.stepId, a.approved, a.automatic]), [['phase1-approve', true, true]]);
  });

  it('explains a failed model and resumes from it without re-running what was done', async () => {
    const log = path.join(tmp, 'standin.log');
    const file = writePlan();
    const failed = await runBuiltCli(['run', file, '--yes'], { env: { DBT_STANDIN_LOG: log, DBT_STANDIN_FAIL: 'int_execution_tokens_supply_holders_daily:241' } });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /Code: 241|MEMORY_LIMIT_EXCEEDED/);
    assert.match(failed.stdout, /refill-append-hooks/, 'points at the hooks quick fix');
    const runId = /resume with: dbt-recovery run --resume (\S+)/.exec(failed.stdout)?.[1];
    assert.ok(runId, failed.stdout);

    const resumed = await runBuiltCli(['run', '--resume', runId, '--project-dir', project.dir, '--yes'], { env: { DBT_STANDIN_LOG: log } });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming run/);
    const selected = standinCalls(log).map((c) => c.argv[c.argv.indexOf('--select') + 1]);
    // layer1 once, layer2 failed once and ran again on resume.
    assert.deepEqual(selected, ['int_execution_tokens_balances_daily', 'int_execution_tokens_supply_holders_daily', 'int_execution_tokens_supply_holders_daily']);
  });

  it('refuses a file that is not a plan, saying how to write one', async () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"steps": 3}');
    const r = await runBuiltCli(['run', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a dbt Recovery plan/);
    assert.match(r.stderr, /dbt-recovery plan price-gap/);
  });
});

describe('cli: dbt-recovery refill-after-price-gap', () => {
  it('--dry-run prints the whole plan and runs nothing', async () => {
    const example = path.resolve(__dirname, '../../examples/price-gap');
    const r = await runBuiltCli(['refill-after-price-gap', '--project-dir', example, '--from-date', '2026-04-17', '--today', '2026-04-27', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lookback\s+12 days/);
    assert.match(r.stdout, /\$ dbt run --select int_execution_token_prices_daily\+ --exclude tag:refill_append --vars '\{"price_lookback_days": 12\}'/);
    assert.match(r.stdout, /OPTIMIZE TABLE `dbt`\.`int_execution_tokens_balances_daily` PARTITION '2026-04-01' FINAL DEDUPLICATE/);
    // The gpay model that bypasses the lookback macro is named before anything runs.
    assert.match(r.stdout, /int_execution_gpay_payments_by_token_daily/);
  });
});
