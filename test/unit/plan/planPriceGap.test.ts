import { strict as assert } from 'node:assert';
import { Linter } from '../../../src/core/lint/linter';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';
import { planPriceGap, PlanError, type DbtStep, type GateStep, type Plan, type SqlStep, type Step } from '../../../src/core/plan';
import { cohort, EXAMPLE_DIR, exampleProject, PRICE_ROOT, syntheticInput, workedExample, type ModelSpec } from './planFixtures';

const P = 'model.gnosis_recovery_example.';
const ids = (plan: Plan): string[] => plan.steps.map((s) => s.id);
const step = <K extends Step['kind']>(plan: Plan, id: string, kind: K): Extract<Step, { kind: K }> => {
  const s = plan.steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  assert.equal(s.kind, kind);
  return s as Extract<Step, { kind: K }>;
};
const dbtSteps = (plan: Plan): DbtStep[] => plan.steps.filter((s): s is DbtStep => s.kind === 'dbt');

function planError(fn: () => unknown, pattern: RegExp): PlanError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PlanError, `expected a PlanError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  return caught;
}

const LAYER1 = ['int_execution_gpay_activity', 'int_execution_pools_fees_daily', 'int_execution_tokens_balances_daily'];
const LAYER2 = [
  'int_execution_account_balance_history_daily',
  'int_execution_tokens_balance_cohorts_daily',
  'int_execution_tokens_balances_by_sector_daily',
  'int_execution_tokens_supply_holders_daily',
  'int_revenue_gpay_fees_daily',
];
const LAYER3 = ['int_revenue_holdings_fees_daily'];
const VARS_APRIL = '{"start_month": "2026-04-01", "end_month": "2026-04-01"}';
const PASS_THROUGH = ['--project-dir', '/app', '--profiles-dir', '/app'];

/** The example's Phase 1 steps for one month, in order. */
function phase1Ids(month: string): string[] {
  const layer = (k: number, names: string[]): string[] => [`p1-${month}-layer${k}-run`, ...names.map((n) => `p1-${month}-layer${k}-optimize-${n}`)];
  return [...layer(1, LAYER1), ...layer(2, LAYER2), ...layer(3, LAYER3), ...[...LAYER1, ...LAYER2, ...LAYER3].map((n) => `p1-${month}-duplicates-${n}`)];
}

const API_CHECKS = [
  'api_execution_account_balance_history_daily',
  'api_execution_gpay_volume_payments_by_token_daily',
  'api_execution_pools_tvl_daily',
  'api_execution_tokens_active_holders_monthly',
  'api_execution_tokens_balances_by_sector_daily',
  'api_execution_tokens_holders_daily',
  'api_execution_tokens_supply_daily',
  'api_execution_transfers_usd_daily',
  'api_revenue_fees_daily',
].map((n) => `verify-gap-day-${n}`);
const USD_CHECKS = [...LAYER1, ...LAYER2, ...LAYER3].map((n) => `verify-usd-${n}`);

describe('plan: price-gap refill on examples/price-gap', () => {
  it("the runbook's worked example: lookback 12, month 2026-04-01, every step in order", () => {
    const plan = planPriceGap(workedExample());
    assert.equal(plan.workflow, 'price-gap');
    assert.equal(plan.version, 1);
    assert.equal(plan.lookbackDays, 12);
    assert.deepEqual(plan.months, ['2026-04-01']);
    assert.equal(plan.today, '2026-04-27');
    assert.equal(plan.projectDir, EXAMPLE_DIR);
    assert.equal(plan.profilesDir, '/app');
    assert.deepEqual(plan.dbtCommand, ['dbt']);
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(ids(plan), [
      'preflight-mutations',
      'phase1-approve',
      ...phase1Ids('2026-04-01'),
      'canary',
      'phase2-approve',
      'phase2-run',
      'phase3-approve',
      'phase3-run',
      ...USD_CHECKS,
      ...API_CHECKS,
    ]);
  });

  it("Phase 2's argv is the runbook's command with the vars", () => {
    const plan = planPriceGap(workedExample());
    assert.deepEqual(step(plan, 'phase2-run', 'dbt').argv, [
      'run',
      '--select',
      'int_execution_token_prices_daily+',
      '--exclude',
      'tag:refill_append',
      '--vars',
      '{"price_lookback_days": 12}',
      '--project-dir',
      '/app',
      '--profiles-dir',
      '/app',
    ]);
    assert.deepEqual(step(plan, 'phase3-run', 'dbt').argv, ['run', '--select', 'tag:refill_append+', '--exclude', 'tag:refill_append', ...PASS_THROUGH]);
  });

  it('Phase 1: the cohort in its three layers, each run with the month vars, then OPTIMIZE of each of its tables', () => {
    const plan = planPriceGap(workedExample());
    const runs = dbtSteps(plan).filter((s) => s.phase === 'phase1');
    assert.deepEqual(
      runs.map((s) => s.argv),
      [LAYER1, LAYER2, LAYER3].map((names) => ['run', '--select', ...names, '--vars', VARS_APRIL, ...PASS_THROUGH]),
    );
    assert.deepEqual(
      runs.map((s) => s.expectedNodes),
      [LAYER1, LAYER2, LAYER3].map((names) => names.map((n) => P + n)),
    );
    assert.ok(runs.every((s) => s.writes && s.idempotent));
    const opt = step(plan, 'p1-2026-04-01-layer2-optimize-int_execution_tokens_supply_holders_daily', 'sql');
    assert.deepEqual(opt.operation, { op: 'optimize-partition', database: 'dbt', table: 'int_execution_tokens_supply_holders_daily', partition: '2026-04-01' });
    assert.equal(opt.sql, "OPTIMIZE TABLE `dbt`.`int_execution_tokens_supply_holders_daily` PARTITION '2026-04-01' FINAL DEDUPLICATE");
    assert.equal(opt.writes, true);
    assert.equal(opt.idempotent, true);
  });

  it('one gate per writing phase, before its first write, showing every command and statement up to the next gate', () => {
    const plan = planPriceGap(workedExample());
    const gates = plan.steps.filter((s): s is GateStep => s.kind === 'gate');
    assert.deepEqual(gates.map((g) => g.id), ['phase1-approve', 'phase2-approve', 'phase3-approve']);
    // No writing step comes before the first gate; each writing step's phase has its gate earlier.
    const firstGate = plan.steps.findIndex((s) => s.kind === 'gate');
    assert.ok(plan.steps.slice(0, firstGate).every((s) => !s.writes));
    const p1 = gates[0]!;
    assert.equal(p1.title, 'Rewrite month 2026-04-01 of 9 refill_append tables in 3 layers (append + OPTIMIZE ... FINAL DEDUPLICATE)');
    assert.equal(p1.shows.length, 3 + 9 + 9 + 1); // 3 layer runs, 9 OPTIMIZE, 9 duplicate checks, the canary
    assert.equal(p1.shows[0], `dbt run --select ${LAYER1.join(' ')} --vars '${VARS_APRIL}' --project-dir /app --profiles-dir /app`);
    assert.equal(p1.shows[1], "OPTIMIZE TABLE `dbt`.`int_execution_gpay_activity` PARTITION '2026-04-01' FINAL DEDUPLICATE");
    assert.deepEqual(gates[1]!.shows, [`dbt run --select int_execution_token_prices_daily+ --exclude tag:refill_append --vars '{"price_lookback_days": 12}' --project-dir /app --profiles-dir /app`]);
    assert.equal(gates[1]!.title, 'Re-derive 18 models of the price lineage with price_lookback_days = 12');
    assert.equal(gates[2]!.shows[0], 'dbt run --select tag:refill_append+ --exclude tag:refill_append --project-dir /app --profiles-dir /app');
    assert.equal(gates[2]!.title, 'Rebuild 13 models downstream of the refill_append cohort');
  });

  it('after the last layer of a month, a duplicate-key check per table on its month partition', () => {
    const plan = planPriceGap(workedExample());
    const c = step(plan, 'p1-2026-04-01-duplicates-int_execution_tokens_balances_daily', 'check');
    assert.deepEqual(c.rule, { type: 'all-equal', column: 'copies', expected: 1, onMismatch: 'stop' });
    assert.deepEqual(c.columns, ['date', 'token_address', 'address', 'copies']);
    assert.equal(
      c.sql,
      [
        'SELECT date, token_address, address, count() AS copies',
        'FROM `dbt`.`int_execution_tokens_balances_daily`',
        "WHERE toStartOfMonth(date) = toDate('2026-04-01')",
        'GROUP BY date, token_address, address',
        'HAVING copies > 1',
        'ORDER BY copies DESC, date, token_address, address',
        'LIMIT 10',
      ].join('\n'),
    );
  });

  it('preflight: unfinished mutations in the database of every relation the plan writes (portable SQL by default)', () => {
    const plan = planPriceGap(workedExample());
    const c = step(plan, 'preflight-mutations', 'check');
    assert.deepEqual(c.rule, { type: 'no-pending-mutations' });
    assert.equal(
      c.sql,
      "SELECT database, table, mutation_id, command, toString(create_time) AS create_time, parts_to_do, '' AS latest_fail_reason FROM system.mutations WHERE is_done = 0 AND database = 'dbt' ORDER BY create_time, database, table, mutation_id",
    );
    const withReason = step(planPriceGap(workedExample({ mutationFailReason: true })), 'preflight-mutations', 'check');
    assert.match(withReason.sql, /parts_to_do, latest_fail_reason FROM system\.mutations/);
  });

  it("the canary: GNO supply, 1.5x up and 0.66x down, from 3 days before the first month to today; SQL without window functions", () => {
    const plan = planPriceGap(workedExample());
    const c = step(plan, 'canary', 'check');
    assert.equal(c.phase, 'canary');
    assert.deepEqual(c.rule, { type: 'adjacent-day-ratio', up: 1.5, down: 0.66 });
    assert.deepEqual(c.columns, ['day', 'supply', 'ratio']);
    assert.equal(
      c.sql,
      [
        'SELECT day, value, if(prev_value = 0, NULL, value / prev_value) AS ratio',
        'FROM',
        '(',
        '    SELECT toDate(date) AS day, sum(supply) AS value',
        '    FROM `dbt`.`int_execution_tokens_supply_holders_daily`',
        "    WHERE (symbol = 'GNO') AND toDate(date) >= toDate('2026-03-29') AND toDate(date) <= toDate('2026-04-27')",
        '    GROUP BY day',
        ') AS cur',
        'ANY LEFT JOIN',
        '(',
        '    SELECT toDate(date) + 1 AS day, sum(supply) AS prev_value',
        '    FROM `dbt`.`int_execution_tokens_supply_holders_daily`',
        "    WHERE (symbol = 'GNO') AND toDate(date) >= toDate('2026-03-28') AND toDate(date) <= toDate('2026-04-26')",
        '    GROUP BY day',
        ') AS prev USING day',
        'ORDER BY day',
      ].join('\n'),
    );
    assert.doesNotMatch(c.sql, /\bOVER\b|\bneighbor\b|\bWITH\b/i);
  });

  it('the canary is configurable and can be left out', () => {
    const custom = planPriceGap(
      workedExample({ canary: { model: 'int_execution_tokens_balances_by_sector_daily', filter: "sector = 'DEX'", valueColumn: 'balance_usd', up: 2, down: 0.5, marginDays: 10 } }),
    );
    const c = step(custom, 'canary', 'check');
    assert.deepEqual(c.rule, { type: 'adjacent-day-ratio', up: 2, down: 0.5 });
    assert.match(c.sql, /SELECT toDate\(date\) AS day, sum\(balance_usd\) AS value\n {4}FROM `dbt`\.`int_execution_tokens_balances_by_sector_daily`\n {4}WHERE \(sector = 'DEX'\) AND toDate\(date\) >= toDate\('2026-03-22'\)/);
    assert.equal(custom.params.canaryModel, 'int_execution_tokens_balances_by_sector_daily');
    const none = planPriceGap(workedExample({ canary: false }));
    assert.ok(!ids(none).includes('canary'));
    assert.equal(none.params.canaryModel, null);
  });

  it('verification: zero or NULL *_usd per day for cohort tables, rows on the gap day for api_* downstream', () => {
    const plan = planPriceGap(workedExample());
    const usd = step(plan, 'verify-usd-int_revenue_holdings_fees_daily', 'check');
    assert.deepEqual(usd.rule, { type: 'all-equal', column: 'zero_usd', expected: 0, onMismatch: 'warn' });
    assert.deepEqual(usd.columns, ['day', 'rows', 'zero_usd']);
    assert.equal(
      usd.sql,
      [
        'SELECT toDate(date) AS day, count() AS rows, countIf(balance_usd IS NULL OR balance_usd = 0 OR fees_usd IS NULL OR fees_usd = 0) AS zero_usd',
        'FROM `dbt`.`int_revenue_holdings_fees_daily`',
        "WHERE toDate(date) >= toDate('2026-04-17') AND toDate(date) <= toDate('2026-04-27')",
        'GROUP BY day',
        'ORDER BY day',
      ].join('\n'),
    );
    // balance_usd is not documented for balance_cohorts: it comes from the compiled SQL's outer SELECT.
    assert.match(step(plan, 'verify-usd-int_execution_tokens_balance_cohorts_daily', 'check').sql, /countIf\(balance_usd IS NULL OR balance_usd = 0\)/);
    const api = step(plan, 'verify-gap-day-api_execution_gpay_volume_payments_by_token_daily', 'check');
    assert.deepEqual(api.rule, { type: 'some-rows', onNone: 'warn' });
    assert.equal(
      api.sql,
      [
        'SELECT toDate(date) AS day, count() AS rows',
        'FROM `dbt`.`api_execution_gpay_volume_payments_by_token_daily`',
        "WHERE toDate(date) = toDate('2026-04-17')",
        'GROUP BY day',
      ].join('\n'),
    );
    assert.ok(plan.steps.filter((s) => s.phase === 'verify').every((s) => s.kind === 'check' && !s.writes));
  });

  it('notes say why the layers and that re-running a half-done Phase 1 step is safe', () => {
    const plan = planPriceGap(workedExample());
    assert.equal(plan.notes[0], 'Window 2026-04-17 to 2026-04-27: price_lookback_days = (2026-04-27 - 2026-04-17) = 10 d, + 1 (the from-date itself), + 1 buffer = 12. Months: every month start from 2026-04-17 to 2026-04-27.');
    assert.match(plan.notes[1]!, /in 3 layers of its lineage .* The runbook's two passes are the two-layer case of this\.$/);
    assert.match(plan.notes[2]!, /^Re-running a half-done Phase 1 step is safe: append \+ OPTIMIZE \.\.\. FINAL DEDUPLICATE is idempotent/);
  });

  it('a several-weeks gap spanning two months: Phase 1 for each month, in month order, with that month in the vars', () => {
    const plan = planPriceGap(workedExample({ fromDate: '2026-03-20', today: '2026-04-10' }));
    assert.equal(plan.lookbackDays, 23);
    assert.deepEqual(plan.months, ['2026-03-01', '2026-04-01']);
    const phase1 = plan.steps.filter((s) => s.phase === 'phase1').map((s) => s.id);
    assert.deepEqual(phase1, ['phase1-approve', ...phase1Ids('2026-03-01'), ...phase1Ids('2026-04-01')]);
    const runs = dbtSteps(plan).filter((s) => s.phase === 'phase1');
    assert.deepEqual(
      runs.map((s) => s.argv[s.argv.indexOf('--vars') + 1]),
      [...Array<string>(3).fill('{"start_month": "2026-03-01", "end_month": "2026-03-01"}'), ...Array<string>(3).fill(VARS_APRIL)],
    );
    assert.equal(step(plan, 'p1-2026-03-01-layer1-optimize-int_execution_pools_fees_daily', 'sql').sql, "OPTIMIZE TABLE `dbt`.`int_execution_pools_fees_daily` PARTITION '2026-03-01' FINAL DEDUPLICATE");
    assert.match(step(plan, 'phase2-run', 'dbt').argv.join(' '), /--vars \{"price_lookback_days": 23\}/);
    assert.equal(step(plan, 'phase1-approve', 'gate').title, 'Rewrite 2 months (2026-03-01 to 2026-04-01) of 9 refill_append tables in 3 layers (append + OPTIMIZE ... FINAL DEDUPLICATE)');
    assert.match(step(plan, 'canary', 'check').sql, /toDate\(date\) >= toDate\('2026-02-26'\) AND toDate\(date\) <= toDate\('2026-04-10'\)/);
  });

  it('--lookback-days: the window ends today, the lookback is N', () => {
    const plan = planPriceGap(workedExample({ fromDate: undefined, lookbackDays: 30 }));
    assert.equal(plan.lookbackDays, 30);
    assert.deepEqual(plan.months, ['2026-03-01', '2026-04-01']);
    assert.equal(plan.params.lookbackDays, 30);
    assert.equal(plan.params.fromDate, null);
    assert.deepEqual(step(plan, 'phase2-run', 'dbt').argv.slice(5, 7), ['--vars', '{"price_lookback_days": 30}']);
    assert.match(step(plan, 'verify-usd-int_execution_tokens_balances_daily', 'check').sql, /toDate\(date\) >= toDate\('2026-03-29'\) AND toDate\(date\) <= toDate\('2026-04-27'\)/);
  });

  it('--skip-balances-rewrite: only Phase 2 (no Phase 1, canary, Phase 3 or cohort checks)', () => {
    const plan = planPriceGap(workedExample({ skipBalancesRewrite: true }));
    // Every api_* of the example is in the price lineage, so Phase 2's selection alone reaches all of them.
    assert.deepEqual(ids(plan), ['preflight-mutations', 'phase2-approve', 'phase2-run', ...API_CHECKS]);
    assert.equal(plan.notes[1], '--skip-balances-rewrite: Phase 1, the canary and Phase 3 are left out; only Phase 2 runs.');
  });

  it('--skip-price-dependent: only Phase 1 and the canary, with a warning that downstream stays stale', () => {
    const plan = planPriceGap(workedExample({ skipPriceDependent: true }));
    assert.deepEqual(ids(plan), ['preflight-warnings', 'preflight-mutations', 'phase1-approve', ...phase1Ids('2026-04-01'), 'canary', ...USD_CHECKS]);
    assert.deepEqual(plan.warnings.map((w) => w.code), ['downstream-stale']);
    assert.equal(step(plan, 'preflight-warnings', 'gate').title, 'Go ahead despite 1 warning (downstream-stale)');
  });

  it('both skip flags together are an error', () => {
    planError(() => planPriceGap(workedExample({ skipBalancesRewrite: true, skipPriceDependent: true })), /together leave nothing to run\. Give at most one of them\./);
  });

  it('--select replaces the Phase 2 root; several selectors become several values', () => {
    const plan = planPriceGap(workedExample({ select: 'int_execution_transfers_usd_daily+  int_execution_pools_tvl_daily' }));
    const run = step(plan, 'phase2-run', 'dbt');
    assert.deepEqual(run.argv.slice(0, 6), ['run', '--select', 'int_execution_transfers_usd_daily+', 'int_execution_pools_tvl_daily', '--exclude', 'tag:refill_append']);
    assert.deepEqual(run.expectedNodes, [P + 'api_execution_transfers_usd_daily', P + 'int_execution_pools_tvl_daily', P + 'int_execution_transfers_usd_daily']);
    planError(() => planPriceGap(workedExample({ select: 'int_execution_transfer_usd_daily+' })), /^Phase 2 selector: .*int_execution_transfer_usd_daily.*\. Did you mean 'int_execution_transfers_usd_daily'\?$/);
    planError(() => planPriceGap(workedExample({ select: '   ' })), /^--select is empty\./);
  });

  it('the dbt command prefix, --target and no --project-dir pass through to every dbt step', () => {
    const plan = planPriceGap(workedExample({ dbtCommand: ['docker', 'exec', 'dbt', 'dbt'], projectDir: undefined, profilesDir: undefined, target: 'prod', connection: 'clickhouse://default@127.0.0.1:8123/dbt (profile gnosis_recovery_example, target prod)' }));
    assert.deepEqual(plan.dbtCommand, ['docker', 'exec', 'dbt', 'dbt']);
    assert.equal(plan.target, 'prod');
    assert.equal(plan.connection, 'clickhouse://default@127.0.0.1:8123/dbt (profile gnosis_recovery_example, target prod)');
    for (const s of dbtSteps(plan)) {
      assert.deepEqual(s.argv.slice(-2), ['--target', 'prod']);
      assert.ok(!s.argv.includes('--project-dir') && !s.argv.includes('--profiles-dir'));
      assert.notEqual(s.argv[0], 'docker');
    }
    assert.equal(step(plan, 'phase3-approve', 'gate').shows[0], 'docker exec dbt dbt run --select tag:refill_append+ --exclude tag:refill_append --target prod');
    planError(() => planPriceGap(workedExample({ dbtCommand: [] })), /The dbt command \[\] is empty/);
  });

  it("lint findings on cohort models (and price-lookback-ignored on Phase 2 models) are warnings named by a gate before anything runs", () => {
    const { project, manifest } = exampleProject();
    const read = (file: string): string | null => {
      try {
        return readFileSync(path.join(EXAMPLE_DIR, file), 'utf8');
      } catch {
        return null;
      }
    };
    const findings = new Linter({ project, manifest, profile: DEFAULT_PROFILE, readFile: read }).lintProject(read);
    const plan = planPriceGap(workedExample({ lint: findings }));
    assert.deepEqual(
      plan.warnings.map((w) => [w.code, w.uniqueId]),
      [
        ['lint/price-lookback-ignored', P + 'int_execution_gpay_payments_by_token_daily'],
        ['lint/refill-append-strategy', P + 'int_execution_account_balance_history_daily'],
        ['lint/refill-append-hooks', P + 'int_execution_tokens_balances_by_sector_daily'],
        ['lint/refill-append-month-filter', P + 'int_revenue_gpay_fees_daily'],
      ],
    );
    assert.match(plan.warnings[1]!.message, /^int_execution_account_balance_history_daily \(refill-append-strategy, error\): /);
    assert.equal(plan.steps[0]!.id, 'preflight-warnings');
    const gate = step(plan, 'preflight-warnings', 'gate');
    assert.equal(
      gate.title,
      'Go ahead despite 4 warnings (int_execution_gpay_payments_by_token_daily, int_execution_account_balance_history_daily, int_execution_tokens_balances_by_sector_daily, int_revenue_gpay_fees_daily)',
    );
    assert.equal(gate.shows.length, 1); // the mutations check that follows
  });

  it('dataBegins: a window before the first day of data is refused', () => {
    planError(() => planPriceGap(workedExample({ dataBegins: '2026-04-20' })), /^The refill window starts on 2026-04-17, before the data begins on 2026-04-20 \(dataBegins\)\. Give a --from-date on or after 2026-04-20\.$/);
    assert.equal(planPriceGap(workedExample({ dataBegins: '2026-04-17' })).params.dataBegins, '2026-04-17');
  });

  it('validation errors name the bad input', () => {
    planError(() => planPriceGap(workedExample({ fromDate: '2026-02-30' })), /2026-02-30 is not a real calendar day/);
    planError(() => planPriceGap(workedExample({ fromDate: '2026-04-28' })), /is after today/);
    planError(() => planPriceGap(workedExample({ lookbackDays: 3 })), /^Both --from-date and --lookback-days/);
    planError(() => planPriceGap(workedExample({ fromDate: undefined })), /^Neither --from-date nor --lookback-days/);
    planError(() => planPriceGap(workedExample({ fromDate: undefined, lookbackDays: 0 })), /at least 1/);
    planError(() => planPriceGap(workedExample({ canary: { model: 'int_execution_tokens_suply_holders_daily' } })), /^The canary model int_execution_tokens_suply_holders_daily is not a model of this manifest; did you mean int_execution_tokens_supply_holders_daily\?/);
    planError(() => planPriceGap(workedExample({ canary: { valueColumn: 'supply; DROP TABLE x' } })), /^The canary value column "supply; DROP TABLE x" is not a column name\./);
    planError(() => planPriceGap(workedExample({ canary: { filter: ' ' } })), /^The canary filter is empty\./);
    planError(() => planPriceGap(workedExample({ canary: { up: 0.9 } })), /upper ratio 0\.9 is not above 1/);
    planError(() => planPriceGap(workedExample({ canary: { down: 1.2 } })), /lower ratio 1\.2 is not between 0 and 1/);
    planError(() => planPriceGap(workedExample({ canary: { marginDays: 0 } })), /canary margin 0 is not a whole number of days, 1 or more/);
    planError(() => planPriceGap(workedExample({ profile: { ...DEFAULT_PROFILE, priceRoot: 'int_token_prices' } })), /^The price root int_token_prices is not a model of this manifest.* Set price_root in dbt-recovery\.yml/);
    planError(() => planPriceGap(workedExample({ profile: { ...DEFAULT_PROFILE, refillTag: 'heavy_refill' } })), /^No model of this manifest is tagged heavy_refill, so Phase 1 has nothing to rewrite\./);
  });
});

describe('plan: price-gap refill on hand-made projects', () => {
  it('a deeper cohort: one layer per lineage level, also through a model outside the cohort', () => {
    // a -> b -> (view v, not in the cohort) -> c -> d ; e reads a and d.
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      cohort('a', ['prices']),
      cohort('b', ['a']),
      { name: 'v', deps: ['b'] },
      cohort('c', ['v']),
      cohort('d', ['c']),
      cohort('e', ['a', 'd']),
      cohort('f', ['prices']),
    ];
    const plan = planPriceGap(syntheticInput(specs));
    const runs = dbtSteps(plan).filter((s) => s.phase === 'phase1');
    assert.deepEqual(
      runs.map((s) => s.argv.slice(2, s.argv.indexOf('--vars'))),
      [['a', 'f'], ['b'], ['c'], ['d'], ['e']],
    );
    assert.deepEqual(ids(plan).filter((id) => id.startsWith('p1-')).slice(0, 9), [
      'p1-2026-04-01-layer1-run',
      'p1-2026-04-01-layer1-optimize-a',
      'p1-2026-04-01-layer1-optimize-f',
      'p1-2026-04-01-layer2-run',
      'p1-2026-04-01-layer2-optimize-b',
      'p1-2026-04-01-layer3-run',
      'p1-2026-04-01-layer3-optimize-c',
      'p1-2026-04-01-layer4-run',
      'p1-2026-04-01-layer4-optimize-d',
    ]);
    assert.match(plan.notes[1]!, /\(6 models\) month by month in 5 layers/);
    // Phase 3 rebuilds v (downstream of the cohort, not in it).
    assert.deepEqual(step(plan, 'phase3-run', 'dbt').expectedNodes, ['model.shop.v']);
  });

  it('partition literals follow the partition key: toStartOfMonth -> date string, toYYYYMM -> number', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      cohort('by_month_start', ['prices']),
      cohort('by_yyyymm', ['prices'], { partition_by: 'toYYYYMM(block_date)' }),
      cohort('in_parens', ['prices'], { partition_by: '(toStartOfMonth(toDate(ts)))' }),
      cohort('as_list', ['prices'], { partition_by: ['toYYYYMM(date)'] }),
    ];
    const plan = planPriceGap(syntheticInput(specs, { fromDate: '2026-03-30', today: '2026-04-02' }));
    const opt = (t: string, m: string): SqlStep => step(plan, `p1-${m}-layer1-optimize-${t}`, 'sql');
    assert.equal(opt('by_month_start', '2026-03-01').sql, "OPTIMIZE TABLE `dbt`.`by_month_start` PARTITION '2026-03-01' FINAL DEDUPLICATE");
    assert.deepEqual(opt('by_month_start', '2026-03-01').operation, { op: 'optimize-partition', database: 'dbt', table: 'by_month_start', partition: '2026-03-01' });
    assert.equal(opt('by_yyyymm', '2026-03-01').sql, 'OPTIMIZE TABLE `dbt`.`by_yyyymm` PARTITION 202603 FINAL DEDUPLICATE');
    assert.deepEqual(opt('by_yyyymm', '2026-04-01').operation, { op: 'optimize-partition', database: 'dbt', table: 'by_yyyymm', partition: '202604' });
    assert.equal(opt('in_parens', '2026-04-01').sql, "OPTIMIZE TABLE `dbt`.`in_parens` PARTITION '2026-04-01' FINAL DEDUPLICATE");
    assert.equal(opt('as_list', '2026-04-01').sql, 'OPTIMIZE TABLE `dbt`.`as_list` PARTITION 202604 FINAL DEDUPLICATE');
    // The duplicate check and the zero-USD check filter on the same key and day column.
    assert.match(step(plan, 'p1-2026-04-01-duplicates-by_yyyymm', 'check').sql, /\nWHERE toYYYYMM\(block_date\) = 202604\n/);
    assert.match(step(plan, 'p1-2026-04-01-duplicates-in_parens', 'check').sql, /\nWHERE toStartOfMonth\(toDate\(ts\)\) = toDate\('2026-04-01'\)\n/);
    assert.match(step(plan, 'verify-usd-by_yyyymm', 'check').sql, /^SELECT toDate\(block_date\) AS day/);
  });

  it('schema and alias name the ClickHouse database and table', () => {
    const specs: ModelSpec[] = [PRICE_ROOT, { ...cohort('m', ['prices']), schema: 'analytics', alias: 'm_daily' }];
    const plan = planPriceGap(syntheticInput(specs));
    const opt = step(plan, 'p1-2026-04-01-layer1-optimize-m_daily', 'sql');
    assert.deepEqual(opt.operation, { op: 'optimize-partition', database: 'analytics', table: 'm_daily', partition: '2026-04-01' });
    // Two databases in the plan: the mutations preflight looks at all.
    assert.doesNotMatch(step(plan, 'preflight-mutations', 'check').sql, /AND database =/);
    assert.deepEqual(dbtSteps(plan)[0]!.argv.slice(0, 3), ['run', '--select', 'm']);
  });

  it('a cohort model whose partition key is not one month is refused, named', () => {
    for (const partition_by of ['toDate(date)', 'toStartOfMonth(date), symbol', null, ['toStartOfMonth(date)', 'symbol'], 'toMonday(date)']) {
      planError(
        () => planPriceGap(syntheticInput([PRICE_ROOT, cohort('good', ['prices']), cohort('bad_key', ['prices'], { partition_by })]))
        , /^bad_key is tagged refill_append but has (no partition_by|partition_by .*); Phase 1 rewrites and OPTIMIZEs one month partition per table, so its key must be one month\. Partition it by toStartOfMonth\(<date>\) or toYYYYMM\(<date>\)/,
      );
    }
  });

  it('unique keys in every dbt-clickhouse form; a table without one gets no duplicate check', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      cohort('k_tuple', ['prices'], { unique_key: '(date, id)' }),
      cohort('k_plain', ['prices'], { unique_key: 'date, id' }),
      cohort('k_list', ['prices'], { unique_key: ['date', 'id'] }),
      cohort('k_expr', ['prices'], { unique_key: '(date, lower(id))' }),
      cohort('k_none', ['prices'], { unique_key: null }),
    ];
    const plan = planPriceGap(syntheticInput(specs));
    for (const t of ['k_tuple', 'k_plain', 'k_list']) assert.deepEqual(step(plan, `p1-2026-04-01-duplicates-${t}`, 'check').columns, ['date', 'id', 'copies']);
    assert.match(step(plan, 'p1-2026-04-01-duplicates-k_expr', 'check').sql, /^SELECT date, lower\(id\), count\(\) AS copies/);
    assert.ok(!ids(plan).includes('p1-2026-04-01-duplicates-k_none'));
  });

  it('undocumented columns: the compiled SQL\'s outer SELECT, else a note and no zero-USD check', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      { ...cohort('from_sql', ['prices'], {}, []), compiled: "SELECT date, id, sum(x * p.price) AS value_usd, 'a_usd' AS label FROM (SELECT 1 AS inner_usd) GROUP BY date, id" },
      { ...cohort('unknown', ['prices'], {}, []) },
      cohort('no_usd', ['prices'], {}, ['date', 'id', 'value']),
    ];
    const plan = planPriceGap(syntheticInput(specs, { canary: false }));
    assert.match(step(plan, 'verify-usd-from_sql', 'check').sql, /countIf\(value_usd IS NULL OR value_usd = 0\) AS zero_usd/);
    assert.ok(!ids(plan).includes('verify-usd-unknown') && !ids(plan).includes('verify-usd-no_usd'));
    assert.ok(plan.notes.includes('No *_usd column in no_usd: no zero-USD check for it.'));
    assert.ok(plan.notes.includes('Columns unknown (not documented, no compiled SQL in the manifest) for unknown: no zero-USD check; document them or run dbt compile.'));
  });

  it('api_* relations downstream with a known date column get a gap-day check; others are named in a note', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      cohort('agg', ['prices']),
      { name: 'api_with_date', deps: ['agg'], columns: ['date', 'value'] },
      { name: 'api_monthly', deps: ['agg'], columns: ['month', 'value'] },
      { name: 'api_prices', deps: ['prices'], compiled: 'SELECT date, symbol AS label, price AS value FROM prices' },
      { name: 'fct_not_api', deps: ['agg'], columns: ['date'] },
    ];
    const plan = planPriceGap(syntheticInput(specs));
    assert.deepEqual(ids(plan).filter((id) => id.startsWith('verify-gap-day-')), ['verify-gap-day-api_prices', 'verify-gap-day-api_with_date']);
    assert.ok(plan.notes.includes('No date column known in api_monthly: no gap-day check for it.'));
  });

  it('the earliest begin config of the price root and the cohort is where the data begins', () => {
    const specs: ModelSpec[] = [{ ...PRICE_ROOT, config: { begin: '2026-04-20' } }, cohort('agg', ['prices'], { begin: '2026-04-25T00:00:00' })];
    planError(() => planPriceGap(syntheticInput(specs)), /^The refill window starts on 2026-04-17, before the data begins on 2026-04-20 \(the begin config of prices\)\./);
    assert.equal(planPriceGap(syntheticInput(specs, { fromDate: '2026-04-21' })).params.dataBegins, '2026-04-20');
  });

  it('a cohort member reading a materialized price consumer outside the cohort is warned about', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      { name: 'usd_table', deps: ['prices'], config: { materialized: 'incremental' } },
      { name: 'usd_view', deps: ['prices'] },
      cohort('agg', ['usd_table', 'usd_view']),
    ];
    const plan = planPriceGap(syntheticInput(specs));
    assert.deepEqual(plan.warnings.map((w) => [w.code, w.uniqueId]), [['cohort-reads-stale-consumer', 'model.shop.usd_table']]);
    assert.match(plan.warnings[0]!.message, /^agg \(refill cohort\) reads usd_table, a materialized price consumer outside the cohort that Phase 2 refreshes only after Phase 1/);
  });

  it('several cohort members reading one stale consumer, directly or through other models, are named together', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      { name: 'usd_table', deps: ['prices'], config: { materialized: 'table' } },
      { name: 'usd_inc', deps: ['prices'], config: { materialized: 'incremental' } },
      { name: 'hop', deps: ['usd_table'] },
      cohort('a', ['usd_table']),
      cohort('b', ['hop', 'usd_inc']),
      cohort('c', ['a']),
      cohort('d', ['prices']),
    ];
    const plan = planPriceGap(syntheticInput(specs));
    assert.deepEqual(
      plan.warnings.map((w) => w.message.split(' (refill cohort)')[0] + ' <- ' + w.uniqueId),
      ['b <- model.shop.usd_inc', 'a, b, c <- model.shop.usd_table'],
    );
  });

  it('without tagged models, Phase 2 alone still plans (no --exclude of an empty tag)', () => {
    const specs: ModelSpec[] = [PRICE_ROOT, { name: 'usd', deps: ['prices'], config: { materialized: 'incremental' } }];
    const plan = planPriceGap(syntheticInput(specs, { skipBalancesRewrite: true, canary: false }));
    assert.deepEqual(step(plan, 'phase2-run', 'dbt').argv, ['run', '--select', 'prices+', '--vars', '{"price_lookback_days": 12}']);
  });

  it('a model name shared with another package is selected package-qualified', () => {
    const manifest = syntheticInput([PRICE_ROOT, cohort('agg', ['prices'])]).manifest;
    const other = { ...manifest.nodes.get('model.shop.agg')!, uniqueId: 'model.other.agg', packageName: 'other', tags: [] };
    const nodes = new Map(manifest.nodes);
    nodes.set(other.uniqueId, other);
    const plan = planPriceGap(syntheticInput([], { manifest: { ...manifest, nodes }, canary: { model: 'prices', filter: '1', valueColumn: 'price' } }));
    assert.deepEqual(dbtSteps(plan)[0]!.argv.slice(0, 3), ['run', '--select', 'shop.agg']);
  });
});

describe('plan: check steps are read-only and every writing step is approved', () => {
  it('holds for every plan shape above', () => {
    const plans = [
      planPriceGap(workedExample()),
      planPriceGap(workedExample({ skipBalancesRewrite: true })),
      planPriceGap(workedExample({ skipPriceDependent: true })),
      planPriceGap(workedExample({ fromDate: '2026-01-30', today: '2026-04-10' })),
    ];
    for (const plan of plans) {
      let approved = false;
      for (const s of plan.steps) {
        if (s.kind === 'gate') approved = true;
        if (s.kind === 'check') assert.equal(s.writes, false);
        if (s.writes) assert.ok(approved, `${s.id} writes before any gate`);
      }
      assert.equal(new Set(ids(plan)).size, plan.steps.length, 'step ids are unique');
    }
  });
});
