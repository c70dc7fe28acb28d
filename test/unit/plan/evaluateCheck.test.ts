import { strict as assert } from 'node:assert';
import { evaluateCheck } from '../../../src/core/plan';

const RATIO = { type: 'adjacent-day-ratio', up: 1.5, down: 0.66 } as const;
const series = (values: Array<[string, unknown]>): Array<Record<string, unknown>> => values.map(([day, value]) => ({ day, value, ratio: null }));

describe('plan: evaluateCheck', () => {
  describe('adjacent-day-ratio (the canary)', () => {
    it("stops on the runbook's 4x jump on the month's first day, naming the day", () => {
      const rows = series([
        ['2026-03-30', 100],
        ['2026-03-31', 101],
        ['2026-04-01', 404],
        ['2026-04-02', 404],
      ]);
      const out = evaluateCheck(RATIO, rows);
      assert.equal(out.status, 'stop');
      assert.deepEqual(out.offending, [rows[2]]);
      assert.match(out.message, /^The canary jumped on 2026-04-01 \(4\.00x the day before\): outside 0\.66x to 1\.5x\./);
    });

    it('stops on a drop below the lower ratio', () => {
      const out = evaluateCheck(RATIO, series([['2026-04-01', 100], ['2026-04-02', 65]]));
      assert.equal(out.status, 'stop');
      assert.equal(out.offending.length, 1);
    });

    it('passes within the bounds, the bounds themselves included', () => {
      const out = evaluateCheck(RATIO, series([['2026-04-01', 100], ['2026-04-02', 150], ['2026-04-03', 99]]));
      assert.equal(out.status, 'pass');
      assert.equal(out.message, 'No day moved more than 1.5x up or below 0.66x of the day before over 3 days.');
    });

    it('compares calendar neighbours only, and reads 64-bit integers sent as strings', () => {
      // 2026-04-10 is missing: 04-11 is not compared with 04-09. A zero day has no ratio.
      const rows = series([['2026-04-09', '100'], ['2026-04-11', '500'], ['2026-04-12', '510'], ['2026-04-13', '0'], ['2026-04-14', '90']]);
      assert.equal(evaluateCheck(RATIO, rows).status, 'stop'); // 510 -> 0 is a drop
      assert.deepEqual(evaluateCheck(RATIO, rows).offending, [rows[3]]);
      assert.equal(evaluateCheck(RATIO, series([['2026-04-09', '100'], ['2026-04-11', '500']])).status, 'pass');
      assert.equal(evaluateCheck(RATIO, series([['2026-04-09', null], ['2026-04-10', '500']])).status, 'pass');
    });

    it('warns when there are no rows: the canary saw nothing', () => {
      const out = evaluateCheck(RATIO, []);
      assert.equal(out.status, 'warn');
      assert.match(out.message, /^The canary returned no rows/);
    });
  });

  it('no-rows and some-rows', () => {
    assert.deepEqual(evaluateCheck({ type: 'no-rows', onRows: 'warn' }, []), { status: 'pass', message: 'No rows: nothing to report.', offending: [] });
    assert.deepEqual(evaluateCheck({ type: 'no-rows', onRows: 'stop' }, [{ a: 1 }, { a: 2 }]), { status: 'stop', message: '2 rows found where none should be.', offending: [{ a: 1 }, { a: 2 }] });
    assert.deepEqual(evaluateCheck({ type: 'some-rows', onNone: 'warn' }, [{ day: '2026-04-17', rows: '3' }]), { status: 'pass', message: '1 row found.', offending: [] });
    assert.deepEqual(evaluateCheck({ type: 'some-rows', onNone: 'stop' }, []), { status: 'stop', message: 'No rows found where some were expected.', offending: [] });
  });

  it('no-pending-mutations: stops on any, and says which read a dropped __dbt_new_data_* table', () => {
    assert.equal(evaluateCheck({ type: 'no-pending-mutations' }, []).status, 'pass');
    const rows = [
      { database: 'dbt', table: 'int_x', mutation_id: 'mutation_7.txt', command: 'DELETE WHERE (date, id) IN (SELECT date, id FROM dbt.__dbt_new_data_abc)', latest_fail_reason: '' },
      { database: 'dbt', table: 'int_y', mutation_id: 'mutation_9.txt', command: 'UPDATE v = 1 WHERE 1', latest_fail_reason: '' },
    ];
    const out = evaluateCheck({ type: 'no-pending-mutations' }, rows);
    assert.equal(out.status, 'stop');
    assert.deepEqual(out.offending, rows);
    assert.equal(
      out.message,
      "2 unfinished mutations (dbt.int_x mutation_7.txt, dbt.int_y mutation_9.txt), 1 of them reading a dropped __dbt_new_data_* table from a killed delete+insert (a poisoned mutation). They block the refill's writes: kill them (KILL MUTATION, after approval) or wait for them to finish, then run again.",
    );
  });

  it('all-equal: duplicate keys stop, zero-USD days warn; values may be strings', () => {
    const dup = { type: 'all-equal', column: 'copies', expected: 1, onMismatch: 'stop' } as const;
    assert.equal(evaluateCheck(dup, []).status, 'pass');
    const out = evaluateCheck(dup, [{ date: '2026-04-05', id: 'a', copies: '2' }]);
    assert.deepEqual(out, { status: 'stop', message: '1 row with copies other than 1.', offending: [{ date: '2026-04-05', id: 'a', copies: '2' }] });
    const usd = { type: 'all-equal', column: 'zero_usd', expected: 0, onMismatch: 'warn' } as const;
    const rows = [{ day: '2026-04-16', rows: '10', zero_usd: '0' }, { day: '2026-04-17', rows: '10', zero_usd: '10' }, { day: '2026-04-18', rows: '10' }];
    const r = evaluateCheck(usd, rows);
    assert.equal(r.status, 'warn');
    assert.deepEqual(r.offending, [rows[1], rows[2]]); // a missing column is not 0
    assert.equal(evaluateCheck(usd, [rows[0]!]).message, 'Every zero_usd is 0.');
  });

  it('rows-nonzero: rows on the day and none zero pass; no rows, or a zero or NULL value, warn or stop', () => {
    const rule = { type: 'rows-nonzero', column: 'zero_values', onFail: 'warn' } as const;
    assert.deepEqual(evaluateCheck(rule, [{ day: '2026-04-17', rows: '3', zero_values: '0' }]), { status: 'pass', message: '3 rows, none with a zero or NULL value.', offending: [] });
    assert.deepEqual(evaluateCheck(rule, []), { status: 'warn', message: 'No rows on the day: expected rows, none with a zero or NULL value.', offending: [] });
    const zero = { day: '2026-04-17', rows: '3', zero_values: '1' };
    assert.deepEqual(evaluateCheck(rule, [zero]), { status: 'warn', message: '1 of 3 rows on 2026-04-17 has a zero or NULL value: still stale, or a genuine zero.', offending: [zero] });
    assert.equal(evaluateCheck({ ...rule, onFail: 'stop' }, []).status, 'stop');
    // A row without the column is not a pass.
    assert.equal(evaluateCheck(rule, [{ day: '2026-04-17', rows: 2 }]).status, 'warn');
    assert.equal(evaluateCheck(rule, [{ day: '2026-04-17', rows: 2, zero_values: 2 }]).message, '2 of 2 rows on 2026-04-17 have a zero or NULL value: still stale, or a genuine zero.');
  });
});
