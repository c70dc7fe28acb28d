import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../src/core/plan';
import { copyExample } from '../run/runFixture';
import { runBuiltCli } from '../support/builtCli';

/** The example's profile with a dev target of its own (`dbt_dev`): the committed one writes dev and prod to `dbt`. */
const PROFILES = `gnosis_recovery_example:
  target: dev
  outputs:
    dev:
      type: clickhouse
      host: 127.0.0.1
      port: 8123
      user: default
      password: "{{ env_var('CLICKHOUSE_PASSWORD', '') }}"
      schema: dbt_dev
    prod:
      type: clickhouse
      host: 127.0.0.1
      port: 8123
      user: default
      password: "{{ env_var('CLICKHOUSE_PASSWORD', '') }}"
      schema: dbt
    live:
      type: clickhouse
      host: 127.0.0.1
      port: 8123
      user: default
      schema: dbt
`;

describe('cli: dbt-recovery plan dev-build', function () {
  this.timeout(60_000);
  let project: ReturnType<typeof copyExample>;
  beforeEach(() => {
    project = copyExample();
    writeFileSync(path.join(project.dir, 'profiles.yml'), PROFILES);
  });
  afterEach(() => project.cleanup());

  const args = (...extra: string[]): string[] => [
    'plan', 'dev-build', '--project-dir', project.dir, '--profiles-dir', project.dir, '--model', 'int_execution_tokens_supply_holders_daily', '--today', '2026-04-27', ...extra,
  ];

  it('prints the plan as text: relations, the dev build against the dev target, the gated promotion, the downstream by hand', async () => {
    const r = await runBuiltCli(args('--mode', 'backfill', '--backfill-date', '2026-04-08', '--backfill-columns', 'supply,holders', '--sanity', 'supply<=1e15', '--cleanup'), { env: { CLICKHOUSE_PASSWORD: 'pw-never-shown' } });
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout;
    assert.match(text, /^dbt Recovery plan: dev-build\n/);
    assert.match(text, /connection {3}ClickHouse http:\/\/default@127\.0\.0\.1:8123, database dbt \(profile gnosis_recovery_example, target prod\)/);
    assert.match(text, /Dev: dbt_dev\.int_execution_tokens_supply_holders_daily \(target dev: its database, the model's name\)\. Production: dbt\.int_execution_tokens_supply_holders_daily \(target prod/);
    assert.match(text, / 3\. build \| sql \| clone-prod-to-dev {2}\(writes, safe to re-run\)\n/);
    assert.match(text, /\$ dbt run --select int_execution_tokens_supply_holders_daily --vars '\{"backfill_date": "2026-04-08", "backfill_columns": \["supply", "holders"\]\}' --profiles-dir \S+ --target dev\n/);
    assert.match(text, /APPROVAL REQUIRED: Promote dev dbt_dev\.int_execution_tokens_supply_holders_daily into production dbt\.int_execution_tokens_supply_holders_daily \(steps 8-9\)/);
    assert.match(text, /EXCHANGE TABLES `dbt`\.`int_execution_tokens_supply_holders_daily` AND `dbt_dev`\.`int_execution_tokens_supply_holders_daily`/);
    assert.match(text, /! fct_execution_tokens_metrics_daily \(table\) reads it: it holds a copy of the old values; rebuild it after the promotion\. By hand, against production: dbt run --select fct_execution_tokens_metrics_daily --profiles-dir \S+ --target prod/);
    assert.match(text, /DROP TABLE IF EXISTS `dbt_dev`\.`int_execution_tokens_supply_holders_daily`/);
    assert.ok(!text.includes('pw-never-shown'));
    const runs = text.split('\n').filter((l) => /^\s+\$ /.test(l));
    assert.deepEqual(runs.length, 1, 'one dbt command runs: the dev build');
    assert.ok(!runs[0]!.includes('--target prod'));
  });

  it('prints JSON and writes it with --out, for dbt-recovery run', async () => {
    const out = path.join(project.dir, 'plan.json');
    const r = await runBuiltCli(args('--mode', 'full-refresh', '--format', 'json', '--out', out, '--key', 'date,token_address', '--since', '2026-04-01'));
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), plan);
    assert.equal(plan.workflow, 'dev-build');
    assert.equal(plan.target, 'dev');
    assert.equal(plan.connectionTarget, 'prod');
    assert.deepEqual(plan.steps.map((s) => `${s.kind}:${s.id}`), [
      'check:prod-exists', 'gate:approve-dev-build', 'dbt:dbt-run-dev', 'compare:compare', 'check:reading-views', 'gate:approve-promotion', 'sql:promote', 'check:verify-prod',
    ]);
    const cmp = plan.steps.find((s) => s.kind === 'compare');
    assert.ok(cmp && cmp.kind === 'compare');
    assert.deepEqual(cmp.spec.scope, { column: 'date', from: '2026-04-01', to: null });
    assert.deepEqual(plan.steps.find((s) => s.kind === 'gate' && s.id === 'approve-promotion')!.kind === 'gate' && (plan.steps.find((s) => s.id === 'approve-promotion') as { requiresExplained?: string[] }).requiresExplained, ['compare']);
  });

  it('refuses a plan that would pass the production target to dbt, and a dev target that writes production', async () => {
    const prodAsDev = await runBuiltCli(args('--mode', 'full-refresh', '--target', 'prod'));
    assert.equal(prodAsDev.code, 2);
    assert.match(prodAsDev.stderr, /^error: The dev target and the production target are both prod: a dev build never runs dbt against production\./);
    assert.equal(prodAsDev.stdout, '');
    const envTarget = await runBuiltCli(args('--mode', 'full-refresh'), { env: { DBT_TARGET: 'prod' } });
    assert.equal(envTarget.code, 2, 'DBT_TARGET=prod picks prod as the dev target: refused');
    assert.match(envTarget.stderr, /both prod/);
    const live = await runBuiltCli(args('--mode', 'full-refresh', '--target', 'live'));
    assert.equal(live.code, 2);
    assert.match(live.stderr, /error: The dev relation dbt\.int_execution_tokens_supply_holders_daily is the production relation: building it would write production\. Give the dev target \(live\) its own database \(schema\), or pass --dev/);
    const cmd = await runBuiltCli(args('--mode', 'full-refresh', '--dbt-command', 'dbt', '--target=prod'));
    assert.equal(cmd.code, 2);
    const badMode = await runBuiltCli(args('--mode', 'backfill'));
    assert.equal(badMode.code, 2);
    assert.match(badMode.stderr, /A backfill needs the first day to rebuild\. Pass --backfill-date YYYY-MM-DD\./);
    const unknown = await runBuiltCli(args('--mode', 'full-refresh', '--model', 'int_execution_tokens_supply_holder_daily'));
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /did you mean int_execution_tokens_supply_holders_daily\?/);
  });
});
