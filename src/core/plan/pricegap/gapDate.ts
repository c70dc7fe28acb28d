import { PlanError } from '../planError';
import { addDays, parseDay } from './refillWindow';

/** Today in UTC as YYYY-MM-DD (the refill's calendar is UTC, as the runbook's). */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The day before `today` (YYYY-MM-DD): the default gap date, since a gap is usually noticed the next day. */
export function yesterdayOf(today: string): string {
  return addDays(today, -1);
}

/** Why `value` is not a usable gap date (shown under the input box as the user types), or null when it is. */
export function gapDateProblem(value: string, today: string): string | null {
  const v = value.trim();
  try {
    const day = parseDay(v, 'The gap date');
    if (day.isAfter(parseDay(today, 'Today'))) return `${v} is after today (${today}, UTC): a gap can only be in the past.`;
    return null;
  } catch (err) {
    if (err instanceof PlanError) return err.message;
    throw err;
  }
}
