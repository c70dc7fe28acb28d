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

/** The example's Phase 1 steps for one month, in order: each layer's run, its OPTIMIZEs, then its duplicate checks. */
function phase1Ids(month: string): string[] {
  const layer = (k: number, names: string[]): string[] => [
    `p1-${month}-layer${k}-run`,
    ...names.map((n) => `p1-${month}-layer${k}-optimize-${n}`),
    ...names.map((n) => `p1-${month}-duplicates-${n}`),
  ];
  return [...layer(1, LAYER1), ...layer(2, LAYER2), ...layer(3, LAYER3)];
}

const COHORTS = 'int_execution_tokens_balance_cohorts_daily';

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
    assert.deepEqual(plan.warnings.map((w) => [w.code, w.uniqueId]), [['value-derived-key', P + COHORTS]]);
    assert.deepEqual(ids(plan), [
      'preflight-warnings',
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
    const plan = planPriceGap(workedExample({ clearMonthFor: [COHORTS] }));
    const gates = plan.steps.filter((s): s is GateStep => s.kind === 'gate');
    assert.deepEqual(gates.map((g) => g.id), ['phase1-approve', 'phase2-approve', 'phase3-approve']);
    // No writing step comes before the first gate; each writing step's phase has its gate earlier.
    const firstGate = plan.steps.findIndex((s) => s.kind === 'gate');
    assert.ok(plan.steps.slice(0, firstGate).every((s) => !s.writes));
    const p1 = gates[0]!;
    assert.equal(p1.title, `Rewrite month 2026-04-01 of 9 refill_append tables in 3 layers (append + OPTIMIZE ... FINAL DEDUPLICATE; the month of ${COHORTS} dropped first)`);
    assert.equal(p1.shows.length, 3 + 1 + 9 + 9 + 1); // 3 layer runs, 1 DROP PARTITION, 9 OPTIMIZE, 9 duplicate checks, the canary
    assert.equal(p1.shows[0], `dbt run --select ${LAYER1.join(' ')} --vars '${VARS_APRIL}' --project-dir /app --profiles-dir /app`);
    assert.equal(p1.shows[1], "OPTIMIZE TABLE `dbt`.`int_execution_gpay_activity` PARTITION '2026-04-01' FINAL DEDUPLICATE");
    assert.match(p1.shows[4]!, /^SELECT date, wallet_address, transaction_hash, log_index, count\(\) AS copies\nFROM `dbt`\.`int_execution_gpay_activity`/);
    assert.equal(p1.shows[7], `ALTER TABLE \`dbt\`.\`${COHORTS}\` DROP PARTITION '2026-04-01'`);
    assert.match(p1.shows[8]!, /^dbt run --select int_execution_account_balance_history_daily /);
    assert.deepEqual(gates[1]!.shows, [`dbt run --select int_execution_token_prices_daily+ --exclude tag:refill_append --vars '{"price_lookback_days": 12}' --project-dir /app --profiles-dir /app`]);
    assert.equal(gates[1]!.title, 'Re-derive 18 models of the price lineage with price_lookback_days = 12');
    assert.equal(gates[2]!.shows[0], 'dbt run --select tag:refill_append+ --exclude tag:refill_append --project-dir /app --profiles-dir /app');
    assert.equal(gates[2]!.title, 'Rebuild 13 models downstream of the refill_append cohort');
  });

  it("a duplicate-key check per table on its month partition, right after its layer's OPTIMIZEs and before the next layer reads it", () => {
    const plan = planPriceGap(workedExample());
    const at = (id: string): number => ids(plan).indexOf(id);
    for (const [k, names] of [LAYER1, LAYER2, LAYER3].entries()) {
      const lastOptimize = Math.max(...names.map((n) => at(`p1-2026-04-01-layer${k + 1}-optimize-${n}`)));
      const checks = names.map((n) => at(`p1-2026-04-01-duplicates-${n}`));
      assert.deepEqual(checks, names.map((_, i) => lastOptimize + 1 + i), `layer ${k + 1}: its checks follow its last OPTIMIZE`);
      const next = k < 2 ? at(`p1-2026-04-01-layer${k + 2}-run`) : at('canary');
      assert.equal(next, lastOptimize + 1 + names.length, `layer ${k + 1}: nothing between its checks and ${k < 2 ? 'the next layer' : 'the canary'}`);
    }
    assert.match(step(plan, 'p1-2026-04-01-duplicates-int_execution_tokens_balances_daily', 'check').description, /after OPTIMIZE, before layer 2 reads it$/);
    assert.match(step(plan, 'p1-2026-04-01-duplicates-int_revenue_holdings_fees_daily', 'check').description, /after OPTIMIZE$/);
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

  it('verification: zero or NULL *_usd per day for cohort tables; rows on the gap day, none zero, for api_* downstream', () => {
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
    assert.deepEqual(api.rule, { type: 'rows-nonzero', column: 'zero_values', onFail: 'warn' });
    assert.deepEqual(api.columns, ['day', 'rows', 'zero_values']);
    assert.equal(api.description, 'dbt.api_execution_gpay_volume_payments_by_token_daily has rows on 2026-04-17, the first day of the window, and none with value zero or NULL');
    assert.equal(
      api.sql,
      [
        'SELECT toDate(date) AS day, count() AS rows, countIf(value IS NULL OR value = 0) AS zero_values',
        'FROM `dbt`.`api_execution_gpay_volume_payments_by_token_daily`',
        "WHERE toDate(date) = toDate('2026-04-17')",
        'GROUP BY day',
      ].join('\n'),
    );
    // The value columns are what the relation's documented and compiled columns give: `value`, `*_usd`.
    const values = (n: string): string => /countIf\((.*)\) AS zero_values/.exec(step(plan, `verify-gap-day-${n}`, 'check').sql)![1]!;
    assert.equal(values('api_execution_account_balance_history_daily'), 'total_balance_usd IS NULL OR total_balance_usd = 0');
    assert.equal(values('api_execution_pools_tvl_daily'), 'tvl_usd IS NULL OR tvl_usd = 0');
    assert.equal(values('api_revenue_fees_daily'), 'value IS NULL OR value = 0');
    // A monthly relation (its date is a month start) is checked on the month of the gap day.
    const monthly = step(plan, 'verify-gap-day-api_execution_tokens_active_holders_monthly', 'check');
    assert.match(monthly.sql, /\nWHERE toDate\(date\) = toDate\('2026-04-01'\)\n/);
    assert.equal(monthly.description, 'dbt.api_execution_tokens_active_holders_monthly has rows on 2026-04-01, the month of 2026-04-17, and none with value zero or NULL');
    assert.ok(plan.notes.includes('api_execution_tokens_active_holders_monthly is monthly (date is a month start): the gap-day check looks at 2026-04-01, the month of 2026-04-17.'));
    assert.equal(plan.steps.filter((s) => s.kind === 'check' && /\n {0}WHERE toDate\(date\) = toDate\('2026-04-01'\)/.test(s.sql) && s.id.startsWith('verify-gap-day-')).length, 1);
    assert.ok(plan.steps.filter((s) => s.phase === 'verify').every((s) => s.kind === 'check' && !s.writes));
  });

  it('notes say why the layers, when re-running a half-done Phase 1 step is safe, and what append + OPTIMIZE cannot remove', () => {
    const plan = planPriceGap(workedExample());
    assert.equal(plan.notes[0], 'Window 2026-04-17 to 2026-04-27: price_lookback_days = (2026-04-27 - 2026-04-17) = 10 d, + 1 (the from-date itself), + 1 buffer = 12. Months: every month start from 2026-04-17 to 2026-04-27.');
    assert.match(plan.notes[1]!, /in 3 layers of its lineage .* The runbook's two passes are the two-layer case of this\.$/);
    assert.equal(
      plan.notes[2],
      'Re-running a half-done Phase 1 step is safe: a re-appended month writes the same keys again from the same inputs, and the next OPTIMIZE ... FINAL DEDUPLICATE collapses them. ' +
        'What append + OPTIMIZE never removes, on the first run or any re-run, is an old row whose key the refill no longer writes: a key computed from refilled values (the value-derived-key warning) needs its month cleared first.',
    );
    assert.ok(
      plan.notes.includes(
        `${COHORTS}'s key has cohort (from balance_usd), computed from refilled values: the refill leaves its stale rows of the moved keys in place, so verify-usd-${COHORTS} may still find zero-USD rows on the gap days. They are those rows, not a failed refill; clear the month (clearMonthFor) to remove them.`,
      ),
    );
    // No OPTIMIZE step claims that the month's old rows all give way.
    for (const s of plan.steps) assert.doesNotMatch(s.description, /old and new rows collapse/);
    assert.match(step(plan, `p1-2026-04-01-layer3-optimize-int_revenue_holdings_fees_daily`, 'sql').description, /: each old row whose key the refill wrote again collapses to the new one$/);
    assert.match(
      step(plan, `p1-2026-04-01-layer2-optimize-${COHORTS}`, 'sql').description,
      /a row whose key \(cohort, computed from refilled values\) the refill no longer writes stays \(see the value-derived-key warning\)$/,
    );
    assert.match(step(plan, `verify-usd-${COHORTS}`, 'check').description, /stale rows of a key the refill moved \(cohort\) count here too\)$/);
  });

  it('a cohort model whose key is computed from a USD value is a warning naming it and both ways out', () => {
    const plan = planPriceGap(workedExample());
    const [w] = plan.warnings;
    assert.equal(w!.code, 'value-derived-key');
    assert.equal(
      w!.message,
      `${COHORTS}: its key (date, token_address, cohort) has cohort, computed from balance_usd. When the refill changes that value, a row moves to another key: ` +
        "append + OPTIMIZE ... FINAL DEDUPLICATE collapses only rows of the same key, so the month's stale rows stay beside the corrected ones, however often Phase 1 runs. " +
        `Either clear the month first (plan with clearMonthFor / --clear-month-for ${COHORTS}: ALTER TABLE dbt.${COHORTS} DROP PARTITION '2026-04-01' runs right before its layer, ` +
        "and readers see no rows of it for the month until the layer's append ends), or take it out of the refill_append cohort with a unique_key without cohort " +
        "(e.g. (date, token_address)), so Phase 2's delete+insert replaces every row of a refilled day.",
    );
    assert.equal(step(plan, 'preflight-warnings', 'gate').title, `Go ahead despite 1 warning (${COHORTS})`);
  });

  it('clearMonthFor: the month partition dropped right before the layer that rewrites it, shown by the Phase 1 gate; no warning left', () => {
    const plan = planPriceGap(workedExample({ clearMonthFor: [COHORTS], fromDate: '2026-03-20', today: '2026-04-10' }));
    assert.deepEqual(plan.warnings, []);
    assert.equal(plan.params.clearMonthFor, COHORTS);
    for (const month of ['2026-03-01', '2026-04-01']) {
      const clear = step(plan, `p1-${month}-layer2-clear-${COHORTS}`, 'sql');
      assert.deepEqual(clear.operation, { op: 'exec', statement: `ALTER TABLE \`dbt\`.\`${COHORTS}\` DROP PARTITION '${month}'` });
      assert.equal(clear.sql, `ALTER TABLE \`dbt\`.\`${COHORTS}\` DROP PARTITION '${month}'`);
      assert.deepEqual([clear.writes, clear.idempotent, clear.phase], [true, true, 'phase1']);
      assert.match(clear.description, /Readers see no rows of it for the month until the layer's append ends\.$/);
      const i = ids(plan).indexOf(clear.id);
      assert.deepEqual(ids(plan).slice(i - 1, i + 2), [`p1-${month}-duplicates-int_execution_tokens_balances_daily`, clear.id, `p1-${month}-layer2-run`]);
      assert.match(step(plan, `p1-${month}-layer2-optimize-${COHORTS}`, 'sql').description, /the month holds only the rows just appended \(it was cleared before the layer ran\)/);
    }
    const gate = step(plan, 'phase1-approve', 'gate');
    assert.equal(gate.title, `Rewrite 2 months (2026-03-01 to 2026-04-01) of 9 refill_append tables in 3 layers (append + OPTIMIZE ... FINAL DEDUPLICATE; the month of ${COHORTS} dropped first)`);
    assert.match(gate.description, new RegExp(`dbt\\.${COHORTS} has its month partition dropped \\(DROP PARTITION\\) right before its layer runs: readers see no rows of it for the month until that layer's append ends\\.$`));
    assert.ok(gate.shows.includes(`ALTER TABLE \`dbt\`.\`${COHORTS}\` DROP PARTITION '2026-04-01'`));
    assert.equal(ids(plan).filter((id) => id.includes('-clear-')).length, 2);
    assert.ok(plan.notes.some((n) => n.startsWith(`${COHORTS}'s key has cohort (from balance_usd), computed from refilled values: its month is dropped before its layer runs (clearMonthFor)`)));
    assert.doesNotMatch(step(plan, `verify-usd-${COHORTS}`, 'check').description, /stale rows/);
    // Without it, no plan has the key.
    assert.ok(!('clearMonthFor' in planPriceGap(workedExample()).params));
  });

  it('clearMonthFor is refused for a model that is not in the cohort, has no month branch, or with --skip-balances-rewrite', () => {
    planError(() => planPriceGap(workedExample({ clearMonthFor: ['int_execution_tokens_balance_cohort_daily'] })), /^clearMonthFor: int_execution_tokens_balance_cohort_daily is not a model of this manifest; did you mean int_execution_tokens_balance_cohorts_daily\?/);
    planError(() => planPriceGap(workedExample({ clearMonthFor: ['fct_revenue_fees_daily'] })), /^clearMonthFor: fct_revenue_fees_daily is not tagged refill_append, so Phase 1 does not rewrite its month\./);
    // NON-COMPLIANT (refill-append-month-filter): the month would come back with the lookback only.
    planError(
      () => planPriceGap(workedExample({ clearMonthFor: ['int_revenue_gpay_fees_daily'] })),
      /^clearMonthFor: int_revenue_gpay_fees_daily has no \{% if start_month and end_month %\} branch, so after its month is dropped the refill would write back only its incremental lookback/,
    );
    planError(() => planPriceGap(workedExample({ clearMonthFor: [COHORTS], skipBalancesRewrite: true })), /--skip-balances-rewrite leaves out Phase 1/);
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
    assert.deepEqual(plan.warnings.map((w) => w.code), ['value-derived-key', 'downstream-stale']);
    assert.equal(step(plan, 'preflight-warnings', 'gate').title, `Go ahead despite 2 warnings (${COHORTS}, downstream-stale)`);
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
        ['value-derived-key', P + COHORTS],
      ],
    );
    assert.match(plan.warnings[1]!.message, /^int_execution_account_balance_history_daily \(refill-append-strategy, error\): /);
    assert.equal(plan.steps[0]!.id, 'preflight-warnings');
    const gate = step(plan, 'preflight-warnings', 'gate');
    assert.equal(
      gate.title,
      `Go ahead despite 5 warnings (int_execution_gpay_payments_by_token_daily, int_execution_account_balance_history_daily, int_execution_tokens_balances_by_sector_daily, int_revenue_gpay_fees_daily, ${COHORTS})`,
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
    assert.deepEqual(ids(plan).filter((id) => id.startsWith('p1-')).slice(0, 14), [
      'p1-2026-04-01-layer1-run',
      'p1-2026-04-01-layer1-optimize-a',
      'p1-2026-04-01-layer1-optimize-f',
      'p1-2026-04-01-duplicates-a',
      'p1-2026-04-01-duplicates-f',
      'p1-2026-04-01-layer2-run',
      'p1-2026-04-01-layer2-optimize-b',
      'p1-2026-04-01-duplicates-b',
      'p1-2026-04-01-layer3-run',
      'p1-2026-04-01-layer3-optimize-c',
      'p1-2026-04-01-duplicates-c',
      'p1-2026-04-01-layer4-run',
      'p1-2026-04-01-layer4-optimize-d',
      'p1-2026-04-01-duplicates-d',
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

  it('gap-day checks: the value columns (value, *_usd) none zero; rows only without one; monthly relations on the month start', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      cohort('agg', ['prices']),
      // Monthly by name, by a month column under the date's name, and by toStartOfMonth.
      { name: 'api_holders_monthly', deps: ['agg'], columns: ['date', 'value'] },
      { name: 'api_by_month', deps: ['agg'], compiled: 'SELECT t.block_month AS date, sum(x_usd) AS volume_usd FROM agg AS t GROUP BY date' },
      { name: 'api_month_start', deps: ['agg'], compiled: 'SELECT toStartOfMonth(day) AS date, count() AS value FROM agg GROUP BY date' },
      // Daily: a day column that merely mentions a month elsewhere in the SELECT.
      { name: 'api_daily', deps: ['agg'], compiled: "SELECT date, toStartOfMonth(date) AS month, amount_usd, fee_usd, 'x' AS label FROM agg" },
      { name: 'api_counts', deps: ['agg'], columns: ['date', 'label', 'holders'] },
    ];
    const plan = planPriceGap(syntheticInput(specs, { fromDate: '2026-04-02', today: '2026-04-05' }));
    const c = (n: string) => step(plan, `verify-gap-day-${n}`, 'check');
    for (const n of ['api_holders_monthly', 'api_by_month', 'api_month_start']) {
      assert.match(c(n).sql, /\nWHERE toDate\(date\) = toDate\('2026-04-01'\)\n/, n);
      assert.match(c(n).description, /has rows on 2026-04-01, the month of 2026-04-02, and none with/, n);
    }
    assert.match(c('api_by_month').sql, /countIf\(volume_usd IS NULL OR volume_usd = 0\) AS zero_values/);
    assert.ok(plan.notes.includes('api_by_month, api_holders_monthly, api_month_start are monthly (date is a month start): the gap-day check looks at 2026-04-01, the month of 2026-04-02.'));
    const daily = c('api_daily');
    assert.match(daily.sql, /^SELECT toDate\(date\) AS day, count\(\) AS rows, countIf\(amount_usd IS NULL OR amount_usd = 0 OR fee_usd IS NULL OR fee_usd = 0\) AS zero_values\n/);
    assert.match(daily.sql, /\nWHERE toDate\(date\) = toDate\('2026-04-02'\)\n/);
    assert.deepEqual(daily.rule, { type: 'rows-nonzero', column: 'zero_values', onFail: 'warn' });
    // No value column known: rows only, said in a note.
    const counts = c('api_counts');
    assert.deepEqual(counts.rule, { type: 'some-rows', onNone: 'warn' });
    assert.equal(counts.sql, ['SELECT toDate(date) AS day, count() AS rows', 'FROM `dbt`.`api_counts`', "WHERE toDate(date) = toDate('2026-04-02')", 'GROUP BY day'].join('\n'));
    assert.ok(plan.notes.includes('No value column (value, *_usd) known in api_counts: the gap-day check asks only for rows there.'));
  });

  it('value-derived keys: a key column computed from a *_usd or price value in the SELECT, or a key expression over one', () => {
    const specs: ModelSpec[] = [
      PRICE_ROOT,
      { ...cohort('tiers', ['prices'], { unique_key: '(date, id, tier)', order_by: '(date, id, tier)' }), compiled: "SELECT date, id, multiIf(b.value_usd < 10, 'small_usd', 'big') AS tier, sum(b.value_usd) AS value_usd FROM x AS b GROUP BY date, id, tier" },
      { ...cohort('bucketed', ['prices'], { unique_key: '(date, intDiv(value_usd, 100))' }), compiled: 'SELECT date, sum(v) AS value_usd FROM x GROUP BY date' },
      { ...cohort('by_price', ['prices'], { unique_key: 'date', order_by: ['date', 'band'] }), compiled: 'SELECT date, round(p.price, -1) AS band, sum(v) AS value_usd FROM x AS p GROUP BY date, band' },
      // Keys that pass columns through, whatever the names around them: not derived.
      { ...cohort('plain', ['prices'], { unique_key: '(date, id)' }), compiled: "SELECT b.date AS date, lower(b.id) AS id, 'price' AS label, sum(b.value_usd) AS value_usd FROM x AS b GROUP BY date, id" },
      { ...cohort('symbols', ['prices'], { unique_key: '(date, price_symbol)' }), compiled: 'SELECT date, price_symbol, sum(value_usd) AS value_usd FROM x GROUP BY date, price_symbol' },
    ];
    const plan = planPriceGap(syntheticInput(specs, { canary: false }));
    assert.deepEqual(
      plan.warnings.map((w) => [w.uniqueId, /^\w+: its key \(([^)]*(?:\([^)]*\))?[^)]*)\) has (.*?)\. When/.exec(w.message)?.slice(1)]),
      [
        ['model.shop.tiers', ['date, id, tier', 'tier, computed from value_usd']],
        ['model.shop.bucketed', ['date, intDiv(value_usd, 100)', 'intDiv(value_usd, 100), computed from value_usd']],
        ['model.shop.by_price', ['date, band', 'band, computed from price']],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    assert.match(plan.warnings.find((w) => w.uniqueId === 'model.shop.tiers')!.message, /with a unique_key without tier \(e\.g\. \(date, id\)\)/);
  });

  it('clearMonthFor on a toYYYYMM table drops the month by its number', () => {
    const specs: ModelSpec[] = [PRICE_ROOT, { ...cohort('m', ['prices'], { partition_by: 'toYYYYMM(date)' }), raw: "{% if var('start_month', none) and var('end_month', none) %} WHERE 1 {% endif %}" }];
    const plan = planPriceGap(syntheticInput(specs, { clearMonthFor: ['m'] }));
    assert.equal(step(plan, 'p1-2026-04-01-layer1-clear-m', 'sql').sql, 'ALTER TABLE `dbt`.`m` DROP PARTITION 202604');
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
