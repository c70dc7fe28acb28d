import { strict as assert } from 'node:assert';
import { gapDateProblem, todayUtc, yesterdayOf } from '../../../src/core/plan';

describe('plan: the gap date asked in the editor', () => {
  it('defaults to yesterday in UTC, across month and year ends', () => {
    assert.equal(yesterdayOf('2026-04-27'), '2026-04-26');
    assert.equal(yesterdayOf('2026-03-01'), '2026-02-28');
    assert.equal(yesterdayOf('2024-03-01'), '2024-02-29');
    assert.equal(yesterdayOf('2026-01-01'), '2025-12-31');
    assert.equal(todayUtc(new Date('2026-04-27T23:59:59-05:00')), '2026-04-28', 'UTC, not the local day');
  });

  it('explains a malformed, impossible or future date, and accepts a past one', () => {
    assert.match(gapDateProblem('17/04/2026', '2026-04-27')!, /YYYY-MM-DD/);
    assert.match(gapDateProblem('2026-4-1', '2026-04-27')!, /YYYY-MM-DD/);
    assert.match(gapDateProblem('2026-02-30', '2026-04-27')!, /not a real calendar day/);
    assert.match(gapDateProblem('2026-04-28', '2026-04-27')!, /after today \(2026-04-27, UTC\)/);
    assert.equal(gapDateProblem('2026-04-17', '2026-04-27'), null);
    assert.equal(gapDateProblem(' 2026-04-27 ', '2026-04-27'), null, 'today itself, surrounding spaces ignored');
  });
});
