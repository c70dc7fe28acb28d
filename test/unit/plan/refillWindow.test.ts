import { strict as assert } from 'node:assert';
import { PlanError, refillWindow } from '../../../src/core/plan';
import { addDays, isNextDay, monthEnd } from '../../../src/core/plan/pricegap/refillWindow';

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

describe('plan: refill window (dates)', () => {
  it("the runbook's worked example: from 2026-04-17, today 2026-04-27 -> lookback 10 + 1 + 1 = 12, month 2026-04-01", () => {
    const w = refillWindow({ fromDate: '2026-04-17', today: '2026-04-27' });
    assert.deepEqual(w, {
      from: '2026-04-17',
      today: '2026-04-27',
      gapDays: 10,
      bufferDays: 1,
      lookbackDays: 12,
      months: ['2026-04-01'],
      derivation: '(2026-04-27 - 2026-04-17) = 10 d, + 1 (the from-date itself), + 1 buffer = 12',
    });
  });

  it('a several-weeks gap over a month boundary: from 2026-03-20, today 2026-04-10 -> 21 + 2 = 23, two months', () => {
    const w = refillWindow({ fromDate: '2026-03-20', today: '2026-04-10' });
    assert.equal(w.gapDays, 21);
    assert.equal(w.lookbackDays, 23);
    assert.deepEqual(w.months, ['2026-03-01', '2026-04-01']);
  });

  it('the buffer is configurable (0 too) and widens the lookback, not the months', () => {
    assert.equal(refillWindow({ fromDate: '2026-04-01', today: '2026-04-27', bufferDays: 0 }).lookbackDays, 27);
    const w = refillWindow({ fromDate: '2026-04-01', today: '2026-04-27', bufferDays: 5 });
    assert.equal(w.lookbackDays, 32);
    assert.deepEqual(w.months, ['2026-04-01']);
  });

  it('a gap on today itself: lookback 2 (the day + the buffer)', () => {
    const w = refillWindow({ fromDate: '2026-04-27', today: '2026-04-27' });
    assert.equal(w.lookbackDays, 2);
    assert.deepEqual(w.months, ['2026-04-01']);
  });

  it('--lookback-days N: from = today - (N - 1), the lookback is N with no buffer on top', () => {
    const w = refillWindow({ lookbackDays: 12, today: '2026-04-27' });
    assert.equal(w.from, '2026-04-16');
    assert.equal(w.lookbackDays, 12);
    assert.equal(w.bufferDays, 0);
    assert.deepEqual(w.months, ['2026-04-01']);
    assert.equal(refillWindow({ lookbackDays: 1, today: '2026-04-27' }).from, '2026-04-27');
    const long = refillWindow({ lookbackDays: 40, today: '2026-04-27' });
    assert.equal(long.from, '2026-03-19');
    assert.deepEqual(long.months, ['2026-03-01', '2026-04-01']);
  });

  it('months across a year boundary and a leap day', () => {
    assert.deepEqual(refillWindow({ fromDate: '2025-11-30', today: '2026-01-02' }).months, ['2025-11-01', '2025-12-01', '2026-01-01']);
    const leap = refillWindow({ fromDate: '2028-02-28', today: '2028-03-01' });
    assert.equal(leap.gapDays, 2);
    assert.deepEqual(leap.months, ['2028-02-01', '2028-03-01']);
  });

  describe('errors say what to do', () => {
    it('a malformed date', () => {
      for (const bad of ['2026-4-17', '17/04/2026', '2026-04-17T00:00:00Z', ' 2026-04-17', '20260417', '']) {
        planError(() => refillWindow({ fromDate: bad, today: '2026-04-27' }), /is not a date in the form YYYY-MM-DD\. Write it as YYYY-MM-DD/);
      }
      planError(() => refillWindow({ fromDate: '2026-04-17', today: 'today' }), /^Today \(--today\) "today" is not a date/);
    });

    it('an impossible date', () => {
      const e = planError(() => refillWindow({ fromDate: '2026-02-30', today: '2026-04-27' }), /The from-date \(--from-date\) 2026-02-30 is not a real calendar day/);
      assert.equal(e.remedy, 'Check the month and the day (e.g. February has 28 days in 2026).');
      planError(() => refillWindow({ fromDate: '2026-13-01', today: '2026-04-27' }), /not a real calendar day/);
      planError(() => refillWindow({ fromDate: '2026-04-17', today: '2027-02-29' }), /Today \(--today\) 2027-02-29 is not a real calendar day/);
    });

    it('a from-date after today', () => {
      const e = planError(() => refillWindow({ fromDate: '2026-04-28', today: '2026-04-27' }), /The from-date 2026-04-28 is after today \(2026-04-27\)\./);
      assert.match(e.remedy, /pass --today YYYY-MM-DD/);
    });

    it('both or neither of --from-date and --lookback-days', () => {
      planError(() => refillWindow({ fromDate: '2026-04-17', lookbackDays: 12, today: '2026-04-27' }), /^Both --from-date and --lookback-days were given\. Give exactly one/);
      planError(() => refillWindow({ today: '2026-04-27' }), /^Neither --from-date nor --lookback-days was given\. Give exactly one/);
    });

    it('a lookback below 1 or not whole', () => {
      planError(() => refillWindow({ lookbackDays: 0, today: '2026-04-27' }), /The lookback \(--lookback-days\) is 0; it must be at least 1\./);
      planError(() => refillWindow({ lookbackDays: -3, today: '2026-04-27' }), /is -3; it must be at least 1/);
      planError(() => refillWindow({ lookbackDays: 2.5, today: '2026-04-27' }), /The lookback \(--lookback-days\) 2\.5 is not a whole number/);
      planError(() => refillWindow({ lookbackDays: Number.NaN, today: '2026-04-27' }), /is not a whole number/);
    });

    it('a negative buffer, or a buffer with --lookback-days', () => {
      planError(() => refillWindow({ fromDate: '2026-04-17', bufferDays: -1, today: '2026-04-27' }), /The buffer \(--buffer-days\) is -1; it must be at least 0/);
      const e = planError(() => refillWindow({ lookbackDays: 10, bufferDays: 2, today: '2026-04-27' }), /--buffer-days applies to --from-date only/);
      assert.equal(e.remedy, 'Drop --buffer-days, or add the buffer to N (--lookback-days 12).');
    });

    it('a window that starts before the data begins', () => {
      const e = planError(
        () => refillWindow({ fromDate: '2023-12-31', today: '2026-04-27', dataBegins: '2024-01-01', dataBeginsSource: 'the begin config of int_x' }),
        /^The refill window starts on 2023-12-31, before the data begins on 2024-01-01 \(the begin config of int_x\)\. Give a --from-date on or after 2024-01-01\.$/,
      );
      assert.ok(e);
      planError(() => refillWindow({ lookbackDays: 1000, today: '2026-04-27', dataBegins: '2024-01-01' }), /Give --lookback-days 848 or less, or --from-date 2024-01-01\./);
      assert.equal(refillWindow({ fromDate: '2024-01-01', today: '2024-01-05', dataBegins: '2024-01-01' }).lookbackDays, 6);
      planError(() => refillWindow({ fromDate: '2026-04-17', today: '2026-04-27', dataBegins: '2024-02-30' }), /first day of data \(dataBegins\) 2024-02-30 is not a real calendar day/);
    });
  });

  it('day helpers', () => {
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(monthEnd('2026-02-01'), '2026-02-28');
    assert.equal(monthEnd('2024-02-01'), '2024-02-29');
    assert.equal(isNextDay('2026-03-31', '2026-04-01'), true);
    assert.equal(isNextDay('2026-04-01', '2026-04-03'), false);
    assert.equal(isNextDay('2026-04-01', 'x'), false);
  });
});
