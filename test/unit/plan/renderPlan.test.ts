import { strict as assert } from 'node:assert';
import { countDbtStarts, planPriceGap, planToJson, renderPlanText, seedScriptDbtStarts, seedScriptShape, shellLine, shellQuote } from '../../../src/core/plan';
import { EXAMPLE_DIR, workedExample } from './planFixtures';

describe('plan: text and JSON', () => {
  it('shellQuote is for display: plain words stay, anything else is single-quoted', () => {
    assert.equal(shellQuote('tag:refill_append+'), 'tag:refill_append+');
    assert.equal(shellQuote('{"price_lookback_days": 12}'), `'{"price_lookback_days": 12}'`);
    assert.equal(shellQuote("it's"), `'it'"'"'s'`);
    assert.equal(shellQuote(''), "''");
    assert.equal(shellLine(['dbt', 'run', '--select', 'a b']), "dbt run --select 'a b'");
  });

  it("the worked example's --dry-run text: header, notes, numbered steps with argv or SQL, gates", () => {
    const text = renderPlanText(planPriceGap(workedExample({ connection: 'clickhouse://default@127.0.0.1:8123/dbt (profile gnosis_recovery_example, target dev)' })));
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 8), [
      'dbt Recovery plan: price-gap',
      `  project      ${EXAMPLE_DIR}`,
      '  today        2026-04-27',
      '  lookback     12 days',
      '  months       2026-04-01',
      '  connection   clickhouse://default@127.0.0.1:8123/dbt (profile gnosis_recovery_example, target dev)',
      '  dbt command  dbt',
      '  parameters   fromDate=2026-04-17 projectDirArg=/app canaryModel=int_execution_tokens_supply_holders_daily',
    ]);
    assert.ok(text.endsWith('\n'));
    const at = (line: string): number => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, `missing line: ${line}`);
      return i;
    };
    // The example's balance cohorts have a key computed from USD values: a warning, approved by the first gate.
    assert.match(lines[lines.indexOf('Warnings (1):') + 1]!, /^ {2}! int_execution_tokens_balance_cohorts_daily: its key \(date, token_address, cohort\) has cohort, computed from balance_usd\./);
    const s1 = at(' 1. preflight | gate | preflight-warnings');
    assert.equal(lines[s1 + 1], '     APPROVAL REQUIRED: Go ahead despite 1 warning (int_execution_tokens_balance_cohorts_daily) (step 2)');
    const s2 = at(' 2. preflight | check | preflight-mutations  (read-only)');
    assert.equal(lines[s2 + 2], '     rule: no pending mutations, else stop (kill after approval)');
    const s3 = at(' 3. phase1 | gate | phase1-approve');
    assert.equal(lines[s3 + 1], '     APPROVAL REQUIRED: Rewrite month 2026-04-01 of 9 refill_append tables in 3 layers (append + OPTIMIZE ... FINAL DEDUPLICATE) (steps 4-25)');
    const s4 = at(' 4. phase1 | dbt | p1-2026-04-01-layer1-run  (writes, safe to re-run)');
    assert.deepEqual(lines.slice(s4 + 1, s4 + 3), [
      '     Month 2026-04-01, layer 1 of 3: rewrite 3 models in append mode',
      `     $ dbt run --select int_execution_gpay_activity int_execution_pools_fees_daily int_execution_tokens_balances_daily --vars '{"start_month": "2026-04-01", "end_month": "2026-04-01"}' --project-dir /app --profiles-dir /app`,
    ]);
    const s5 = at(' 5. phase1 | sql | p1-2026-04-01-layer1-optimize-int_execution_gpay_activity  (writes, safe to re-run)');
    assert.equal(lines[s5 + 2], "       OPTIMIZE TABLE `dbt`.`int_execution_gpay_activity` PARTITION '2026-04-01' FINAL DEDUPLICATE");
    at(' 8. phase1 | check | p1-2026-04-01-duplicates-int_execution_gpay_activity  (read-only)');
    const s25 = at('25. canary | check | canary  (read-only)');
    assert.equal(lines[s25 + 2], '     rule: adjacent-day-ratio, stop above 1.5x or below 0.66x of the day before');
    assert.equal(lines[s25 + 3], '       SELECT day, value, if(prev_value = 0, NULL, value / prev_value) AS ratio');
    const s26 = at('26. phase2 | gate | phase2-approve');
    assert.equal(lines[s26 + 1], '     APPROVAL REQUIRED: Re-derive 18 models of the price lineage with price_lookback_days = 12 (step 27)');
    const s27 = at('27. phase2 | dbt | phase2-run  (writes, safe to re-run)');
    assert.equal(lines[s27 + 2], `     $ dbt run --select int_execution_token_prices_daily+ --exclude tag:refill_append --vars '{"price_lookback_days": 12}' --project-dir /app --profiles-dir /app`);
    at('29. phase3 | dbt | phase3-run  (writes, safe to re-run)');
    const s47 = at('47. verify | check | verify-gap-day-api_revenue_fees_daily  (read-only)');
    assert.equal(lines[s47 + 2], '     rule: rows expected, every zero_values = 0, else warn');
    assert.ok(lines.includes('Steps (47):'));
    assert.ok(lines.includes('Notes:'));
  });

  it('warnings are listed before the steps', () => {
    const text = renderPlanText(planPriceGap(workedExample({ skipPriceDependent: true, dbtCommand: ['docker', 'exec', 'dbt', 'dbt'] })));
    const lines = text.split('\n');
    const w = lines.indexOf('Warnings (2):');
    assert.ok(w > 0 && w < lines.indexOf('Steps (34):'));
    assert.match(lines[w + 1]!, /^ {2}! int_execution_tokens_balance_cohorts_daily: its key /);
    assert.match(lines[w + 2]!, /^ {2}! --skip-price-dependent: Phase 2 and Phase 3 are left out/);
    assert.ok(lines.includes('  dbt command  docker exec dbt dbt'));
    assert.ok(lines.some((l) => l.startsWith('     $ docker exec dbt dbt run --select int_execution_gpay_activity')));
    assert.ok(lines.includes('  parameters   fromDate=2026-04-17 skipPriceDependent=true projectDirArg=/app canaryModel=int_execution_tokens_supply_holders_daily'));
  });

  it('JSON: lookbackDays, months and steps[] with id, phase, kind, description, then argv (dbt) or sql (sql, check)', () => {
    const plan = planPriceGap(workedExample());
    const json = planToJson(plan);
    assert.deepEqual(Object.keys(json).slice(0, 4), ['workflow', 'version', 'lookbackDays', 'months']);
    assert.equal(json.lookbackDays, 12);
    assert.deepEqual(json.months, ['2026-04-01']);
    const byKind = (kind: string): Record<string, unknown> => JSON.parse(JSON.stringify(json.steps.find((s) => s.kind === kind))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(byKind('dbt')), ['id', 'phase', 'kind', 'description', 'argv', 'expectedNodes', 'idempotent', 'writes']);
    assert.deepEqual(Object.keys(byKind('sql')), ['id', 'phase', 'kind', 'description', 'sql', 'operation', 'idempotent', 'writes']);
    assert.deepEqual(Object.keys(byKind('check')), ['id', 'phase', 'kind', 'description', 'sql', 'rule', 'columns', 'idempotent', 'writes']);
    assert.deepEqual(Object.keys(byKind('gate')), ['id', 'phase', 'kind', 'description', 'title', 'shows', 'idempotent', 'writes']);
    const phase2 = json.steps.find((s) => s.id === 'phase2-run');
    assert.ok(phase2?.kind === 'dbt');
    assert.deepEqual(phase2.argv, ['run', '--select', 'int_execution_token_prices_daily+', '--exclude', 'tag:refill_append', '--vars', '{"price_lookback_days": 12}', '--project-dir', '/app', '--profiles-dir', '/app']);
    // A round trip through JSON text gives the same plan back, so `dbt-recovery run PLAN.json` runs what was shown.
    assert.deepEqual(JSON.parse(JSON.stringify(json)), JSON.parse(JSON.stringify(plan)));
  });
});

describe('plan: dbt process starts', () => {
  it('the example: 3 layer runs + Phase 2 + Phase 3 = 5, against the runbook script\'s 2 + 2 x 9 + 2 ls + 2 = 24', () => {
    const plan = planPriceGap(workedExample());
    assert.equal(countDbtStarts(plan), 5);
    assert.deepEqual(seedScriptShape(plan), { months: 1, cohortSize: 9, phase1: true, phase2: true, phase3: true });
    assert.equal(seedScriptDbtStarts(seedScriptShape(plan)), 24);
  });

  it('two months double Phase 1 on both sides; the skip flags drop phases on both sides', () => {
    const two = planPriceGap(workedExample({ fromDate: '2026-03-20', today: '2026-04-10' }));
    assert.equal(countDbtStarts(two), 2 * 3 + 2);
    assert.equal(seedScriptDbtStarts(seedScriptShape(two)), 2 * 22 + 2);
    const onlyP2 = planPriceGap(workedExample({ skipBalancesRewrite: true }));
    assert.equal(countDbtStarts(onlyP2), 1);
    assert.equal(seedScriptDbtStarts(seedScriptShape(onlyP2)), 1);
    const onlyP1 = planPriceGap(workedExample({ skipPriceDependent: true }));
    assert.equal(countDbtStarts(onlyP1), 3);
    assert.equal(seedScriptDbtStarts(seedScriptShape(onlyP1)), 22);
  });

  it("the runbook's own cohort of 12 over one month: 30 starts", () => {
    assert.equal(seedScriptDbtStarts({ months: 1, cohortSize: 12, phase1: true, phase2: true, phase3: true }), 30);
  });
});
