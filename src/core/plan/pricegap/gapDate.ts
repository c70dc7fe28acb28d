import { isIsoDate } from '../../warehouse/sqlValue';

/** Today in UTC as YYYY-MM-DD (the refill's calendar is UTC, as the runbook's). */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The day before `today` (YYYY-MM-DD): the default gap date, since a gap is usually noticed the next day. */
export function yesterdayOf(today: string): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Why `value` is not a usable gap date (shown under the input box as the user types), or null when it is. */
export function gapDateProblem(value: string, today: string): string | null {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'Write the first day of the gap as YYYY-MM-DD, e.g. 2026-04-17.';
  if (!isIsoDate(v)) return `${v} is not a calendar date.`;
  if (v > today) return `${v} is after today (${today}, UTC): a gap can only be in the past.`;
  return null;
}
