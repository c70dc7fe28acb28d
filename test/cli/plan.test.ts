import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Plan } from '../../src/core/plan/types';
import { ROOT, runBuiltCli } from '../support/builtCli';

const EXAMPLE = path.join(ROOT, 'examples', 'price-gap');

describe('cli: dbt-recovery plan price-gap', () => {
  it('prints the runbook\'s worked example as JSON: lookback 12, month 2026-04-01, the three phases', async () => {
    const r = await runBuiltCli(['plan', 'price-gap', '--project-dir', EXAMPLE, '--profiles-dir', EXAMPLE, '--from-date', '2026-04-17', '--today', '2026-04-27', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    assert.equal(plan.lookbackDays, 12);
    assert.deepEqual(plan.months, ['2026-04-01']);
    // The connection comes from the example's profiles.yml, described without a password.
    assert.match(plan.connection ?? '', /clickhouse/i);
    const dbt = plan.steps.filter((s) => s.kind === 'dbt').map((s) => (s.kind === 'dbt' ? s.argv.join(' ') : ''));
    assert.ok(dbt.includes('run --select int_execution_token_prices_daily+ --exclude tag:refill_append --vars {"price_lookback_days": 12} --profiles-dir ' + EXAMPLE), dbt.join('\n'));
    assert.ok(dbt.includes('run --select tag:refill_append+ --exclude tag:refill_append --profiles-dir ' + EXAMPLE), dbt.join('\n'));
    for (const s of plan.steps) {
      assert.ok(s.id && s.phase && s.kind && s.description, JSON.stringify(s));
      if (s.kind === 'sql' || s.kind === 'check') assert.ok(s.sql.length > 0);
    }
    // The cohort models that break the lint contract, the gpay consumer that bypasses the lookback macro (the
    // runbook's missed model), and the cohort model whose key is computed from USD values, are named before anything
    // runs.
    assert.deepEqual(
      plan.warnings.map((w) => [w.code, w.uniqueId]).sort(),
      [
        ['lint/price-lookback-ignored', 'model.gnosis_recovery_example.int_execution_gpay_payments_by_token_daily'],
        ['lint/refill-append-hooks', 'model.gnosis_recovery_example.int_execution_tokens_balances_by_sector_daily'],
        ['lint/refill-append-month-filter', 'model.gnosis_recovery_example.int_revenue_gpay_fees_daily'],
        ['lint/refill-append-strategy', 'model.gnosis_recovery_example.int_execution_account_balance_history_daily'],
        ['value-derived-key', 'model.gnosis_recovery_example.int_execution_tokens_balance_cohorts_daily'],
      ],
    );
  });

  it('--clear-month-for drops the named cohort models\' month before their layer; a model it cannot clear exits 2', async () => {
    const args = ['plan', 'price-gap', '--project-dir', EXAMPLE, '--from-date', '2026-04-17', '--today', '2026-04-27', '--format', 'json'];
    const r = await runBuiltCli([...args, '--clear-month-for', 'int_execution_tokens_balance_cohorts_daily']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    const drop = plan.steps.find((s) => s.id === 'p1-2026-04-01-layer2-clear-int_execution_tokens_balance_cohorts_daily');
    assert.equal(drop?.kind === 'sql' ? drop.sql : null, "ALTER TABLE `dbt`.`int_execution_tokens_balance_cohorts_daily` DROP PARTITION '2026-04-01'");
    assert.ok(!plan.warnings.some((w) => w.code === 'value-derived-key'));
    assert.equal(plan.params.clearMonthFor, 'int_execution_tokens_balance_cohorts_daily');
    const bad = await runBuiltCli([...args, '--clear-month-for', 'int_revenue_gpay_fees_daily']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /clearMonthFor: int_revenue_gpay_fees_daily has no \{% if start_month and end_month %\} branch/);
  });

  it('passes the dbt command prefix and the project dir dbt sees to every dbt step', async () => {
    const r = await runBuiltCli(['plan', 'price-gap', '--project-dir', EXAMPLE, '--lookback-days', '5', '--today', '2026-04-27', '--dbt-command', 'docker', 'exec', 'dbt', 'dbt', '--dbt-project-dir', '/app', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    assert.deepEqual(plan.dbtCommand, ['docker', 'exec', 'dbt', 'dbt']);
    assert.equal(plan.lookbackDays, 5);
    for (const s of plan.steps) if (s.kind === 'dbt') assert.deepEqual(s.argv.slice(-2), ['--project-dir', '/app']);
  });

  it('exits 2 with a clear message on a bad date, and prints the text plan otherwise', async () => {
    const bad = await runBuiltCli(['plan', 'price-gap', '--project-dir', EXAMPLE, '--from-date', '2026-04-31', '--today', '2026-04-27']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /2026-04-31 is not a real calendar day/);
    const future = await runBuiltCli(['plan', 'price-gap', '--project-dir', EXAMPLE, '--from-date', '2026-05-02', '--today', '2026-04-27']);
    assert.equal(future.code, 2);
    assert.match(future.stderr, /2026-05-02/);
    const text = await runBuiltCli(['plan', 'price-gap', '--project-dir', EXAMPLE, '--from-date', '2026-04-17', '--today', '2026-04-27']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /lookback\s+12 days/);
    assert.match(text.stdout, /APPROVAL REQUIRED/);
  });
});
