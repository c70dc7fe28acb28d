import { strict as assert } from 'node:assert';
import { evaluateCheck, planPriceGap, type CheckStep, type Plan } from '../../../src/core/plan';
import type { ClickHouseWarehouse } from '../../../src/core/warehouse';
import { openChdbWarehouse } from '../../support/chdb';
import { workedExample } from './planFixtures';

/**
 * The plan's read-only SQL executed on embedded ClickHouse 26 (chdb), on a copy of the example's tables in a
 * database of the test's own. (ClickHouse 18.16 runs the same statements in the warehouse tests.)
 */
describe('plan: the price-gap checks run on ClickHouse 26 (chdb)', function () {
  this.timeout(60_000);
  let w: ClickHouseWarehouse;
  let plan: Plan;
  const db = `plan_sql_${process.pid}`;
  const sqlOf = (id: string): CheckStep => {
    const s = plan.steps.find((x) => x.id === id);
    assert.ok(s && s.kind === 'check', id);
    return { ...s, sql: s.sql.replace(/`dbt`\./g, `\`${db}\`.`) };
  };
  const run = async (id: string): Promise<{ rows: Array<Record<string, unknown>>; status: string }> => {
    const step = sqlOf(id);
    const rows = await w.query(step.sql);
    return { rows, status: evaluateCheck(step.rule, rows).status };
  };

  before(async () => {
    plan = planPriceGap(workedExample());
    w = await openChdbWarehouse();
    await w.exec(`CREATE DATABASE ${db}`);
    await w.exec(
      `CREATE TABLE ${db}.int_execution_tokens_supply_holders_daily (date Date, token_address String, symbol String, supply Float64, supply_usd Float64, holders UInt64) ` +
        'ENGINE = ReplacingMergeTree() PARTITION BY toStartOfMonth(date) ORDER BY (date, token_address)',
    );
    const rows: string[] = [];
    for (let d = 25; d <= 31 + 27; d++) {
      const day = d <= 31 ? `2026-03-${String(d).padStart(2, '0')}` : `2026-04-${String(d - 31).padStart(2, '0')}`;
      if (day === '2026-04-10') continue; // a day without rows
      // The incident: April's first days baked at 4x; 2026-04-17's USD value zero.
      const supply = day >= '2026-04-01' && day <= '2026-04-03' ? 400 : 100;
      rows.push(`('${day}', '0x9c58', 'GNO', ${supply}, ${day === '2026-04-17' ? 0 : supply * 2}, 7)`, `('${day}', '0xe91d', 'WXDAI', 5, 5, 3)`);
    }
    await w.exec(`INSERT INTO ${db}.int_execution_tokens_supply_holders_daily VALUES ${rows.join(', ')}`);
    await w.exec(`INSERT INTO ${db}.int_execution_tokens_supply_holders_daily VALUES ('2026-04-05', '0x9c58', 'GNO', 100, 200, 7)`);
    await w.exec(`CREATE VIEW ${db}.api_execution_tokens_supply_daily AS SELECT date, symbol AS label, supply AS value FROM ${db}.int_execution_tokens_supply_holders_daily`);
    // The same rows' USD value, 0 for GNO on 2026-04-17, under another API relation's name; and a monthly one.
    await w.exec(`CREATE VIEW ${db}.api_execution_tokens_holders_daily AS SELECT date, symbol AS label, supply_usd AS value FROM ${db}.int_execution_tokens_supply_holders_daily`);
    await w.exec(
      `CREATE VIEW ${db}.api_execution_tokens_active_holders_monthly AS SELECT toStartOfMonth(date) AS date, symbol AS label, max(holders) AS value FROM ${db}.int_execution_tokens_supply_holders_daily GROUP BY date, label`,
    );
  });
  after(async () => {
    await w.exec(`DROP DATABASE IF EXISTS ${db}`);
    await w.close();
  });

  it('the canary returns (day, value, ratio) per day and stops on the jump into April', async () => {
    const { rows, status } = await run('canary');
    assert.equal(status, 'stop');
    const byDay = new Map(rows.map((r) => [String(r.day), r]));
    assert.equal(rows.length, 29); // 2026-03-29 .. 2026-04-27 less 2026-04-10
    assert.deepEqual(byDay.get('2026-03-29'), { day: '2026-03-29', value: 100, ratio: 1 }); // the day before is outside the scan's rows but in its join
    assert.deepEqual(byDay.get('2026-04-01'), { day: '2026-04-01', value: 400, ratio: 4 });
    assert.deepEqual(byDay.get('2026-04-04'), { day: '2026-04-04', value: 100, ratio: 0.25 });
    assert.deepEqual(byDay.get('2026-04-11'), { day: '2026-04-11', value: 100, ratio: null }); // after a day without rows
    const step = sqlOf('canary');
    assert.deepEqual(evaluateCheck(step.rule, rows).offending.map((r) => r.day), ['2026-04-01', '2026-04-04', '2026-04-05', '2026-04-06']);
  });

  it('the duplicate-key check finds the key written twice in the month partition', async () => {
    const { rows, status } = await run('p1-2026-04-01-duplicates-int_execution_tokens_supply_holders_daily');
    assert.equal(status, 'stop');
    assert.deepEqual(rows, [{ date: '2026-04-05', token_address: '0x9c58', copies: '2' }]);
    await w.exec(`OPTIMIZE TABLE ${db}.int_execution_tokens_supply_holders_daily PARTITION '2026-04-01' FINAL DEDUPLICATE`);
    const after = await run('p1-2026-04-01-duplicates-int_execution_tokens_supply_holders_daily');
    assert.deepEqual(after, { rows: [], status: 'pass' });
  });

  it('the zero-USD check counts per day and warns on the gap day', async () => {
    const { rows, status } = await run('verify-usd-int_execution_tokens_supply_holders_daily');
    assert.equal(status, 'warn');
    assert.equal(rows.length, 11);
    assert.deepEqual(rows[0], { day: '2026-04-17', rows: '2', zero_usd: '1' });
    assert.deepEqual(rows[1], { day: '2026-04-18', rows: '2', zero_usd: '0' });
  });

  it('the gap-day check on an api_* view: rows, and none with a zero value; a monthly one on its month start', async () => {
    assert.deepEqual(await run('verify-gap-day-api_execution_tokens_supply_daily'), { rows: [{ day: '2026-04-17', rows: '2', zero_values: '0' }], status: 'pass' });
    assert.deepEqual(await run('verify-gap-day-api_execution_tokens_holders_daily'), { rows: [{ day: '2026-04-17', rows: '2', zero_values: '1' }], status: 'warn' });
    assert.deepEqual(await run('verify-gap-day-api_execution_tokens_active_holders_monthly'), { rows: [{ day: '2026-04-01', rows: '2', zero_values: '0' }], status: 'pass' });
    // No rows on the day: the view of a relation empty that day.
    const step = sqlOf('verify-gap-day-api_execution_tokens_supply_daily');
    const none = await w.query(step.sql.replace("toDate('2026-04-17')", "toDate('2026-04-10')"));
    assert.deepEqual([none, evaluateCheck(step.rule, none).status], [[], 'warn']);
  });

  it('the mutations preflight', async () => {
    const step = sqlOf('preflight-mutations');
    const rows = await w.query(step.sql.replace("database = 'dbt'", `database = '${db}'`));
    assert.deepEqual(rows, []);
  });
});
