/**
 * The days and months a price-gap refill covers, from `--from-date` or `--lookback-days`.
 *
 * Calendar arithmetic is @js-joda/core's `LocalDate`: a date with no time of day and no time zone, which is exactly
 * what `--today 2026-04-27` and a ClickHouse `Date` are. Its ISO parser is strict (2026-02-30 and 2026-4-1 are
 * refused) and day and month arithmetic never crosses a DST change or the host's time zone, which a JS `Date`
 * (and date-fns, built on it) would need care and a second package (@date-fns/utc) to avoid. No dependencies.
 */
import { ChronoUnit, LocalDate } from '@js-joda/core';
import { PlanError } from '../planError';

export interface RefillWindowInput {
  /** The first day with wrong values, YYYY-MM-DD. Exactly one of fromDate and lookbackDays. */
  fromDate?: string | undefined;
  /** The whole window in days, today included. */
  lookbackDays?: number | undefined;
  /** Extra days of lookback for soft edges (default 1); only with fromDate. */
  bufferDays?: number | undefined;
  /** The day the plan is made for, YYYY-MM-DD. */
  today: string;
  /** The first day the data exists, when the caller can tell: a from-date before it is refused. */
  dataBegins?: string | undefined;
  /** Where dataBegins came from, for the message (`--data-begins`, `the begin config of x`). */
  dataBeginsSource?: string | undefined;
}

export interface RefillWindow {
  /** First day of the window (the gap day with --from-date), YYYY-MM-DD. */
  from: string;
  today: string;
  /** Days from `from` to `today`, `today - from`. */
  gapDays: number;
  /** The buffer that went into `lookbackDays` (0 with --lookback-days). */
  bufferDays: number;
  /** What Phase 2 gets as price_lookback_days. */
  lookbackDays: number;
  /** Every month start from `from` to `today`, YYYY-MM-DD, oldest first. */
  months: string[];
  /** How lookbackDays was derived, for the plan's notes. */
  derivation: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a YYYY-MM-DD calendar date, refusing other shapes and days that do not exist. */
export function parseDay(value: unknown, what: string): LocalDate {
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw new PlanError(`${what} ${JSON.stringify(value)} is not a date in the form YYYY-MM-DD.`, 'Write it as YYYY-MM-DD, e.g. 2026-04-17.');
  }
  try {
    return LocalDate.parse(value);
  } catch {
    throw new PlanError(`${what} ${value} is not a real calendar day.`, 'Check the month and the day (e.g. February has 28 days in 2026).');
  }
}

function wholeNumber(value: unknown, what: string, min: number, remedy: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new PlanError(`${what} ${JSON.stringify(value)} is not a whole number.`, remedy);
  }
  if (value < min) throw new PlanError(`${what} is ${value}; it must be at least ${min}.`, remedy);
  return value;
}

/**
 * The refill window. With a from-date: lookback = (today - from) + 1 (the from-date itself) + buffer, as the
 * runbook's script computes it (2026-04-17 to 2026-04-27: 10 + 1 + 1 = 12). With --lookback-days N: from = today -
 * (N - 1) and the lookback is N itself: N already is the window the user wants widened, so no buffer goes on top
 * (giving --buffer-days with it is an error rather than silently ignored). Months: every month start from the
 * from-date to today (the buffer widens Phase 2's lookback, not Phase 1's months, as in the runbook).
 */
export function refillWindow(input: RefillWindowInput): RefillWindow {
  const today = parseDay(input.today, 'Today (--today)');
  const hasFrom = input.fromDate !== undefined;
  const hasLookback = input.lookbackDays !== undefined;
  if (hasFrom === hasLookback) {
    throw new PlanError(
      hasFrom ? 'Both --from-date and --lookback-days were given.' : 'Neither --from-date nor --lookback-days was given.',
      'Give exactly one: --from-date YYYY-MM-DD (the first day with wrong values), or --lookback-days N (the whole window, today included).',
    );
  }
  let from: LocalDate;
  let lookbackDays: number;
  let bufferDays: number;
  let derivation: string;
  if (hasFrom) {
    from = parseDay(input.fromDate, 'The from-date (--from-date)');
    if (from.isAfter(today)) {
      throw new PlanError(
        `The from-date ${from.toString()} is after today (${today.toString()}).`,
        'Give the first day with wrong values, on or before today; to plan for another day, pass --today YYYY-MM-DD.',
      );
    }
    bufferDays = wholeNumber(input.bufferDays ?? 1, 'The buffer (--buffer-days)', 0, 'Give a whole number of days, 0 or more (default 1).');
    const gap = Number(ChronoUnit.DAYS.between(from, today));
    lookbackDays = gap + 1 + bufferDays;
    derivation = `(${today.toString()} - ${from.toString()}) = ${gap} d, + 1 (the from-date itself), + ${bufferDays} buffer = ${lookbackDays}`;
  } else {
    if (input.bufferDays !== undefined) {
      throw new PlanError(
        '--buffer-days applies to --from-date only: --lookback-days N already is the whole window.',
        `Drop --buffer-days, or add the buffer to N (--lookback-days ${typeof input.lookbackDays === 'number' ? input.lookbackDays + input.bufferDays : 'N'}).`,
      );
    }
    lookbackDays = wholeNumber(input.lookbackDays, 'The lookback (--lookback-days)', 1, 'Give the number of days to re-read, today included: 1 or more.');
    bufferDays = 0;
    from = today.minusDays(lookbackDays - 1);
    derivation = `--lookback-days ${lookbackDays} (window ${from.toString()} to ${today.toString()}, no buffer on top)`;
  }
  if (input.dataBegins !== undefined) {
    const begins = parseDay(input.dataBegins, 'The first day of data (dataBegins)');
    if (from.isBefore(begins)) {
      const source = input.dataBeginsSource ? ` (${input.dataBeginsSource})` : '';
      throw new PlanError(
        `The refill window starts on ${from.toString()}, before the data begins on ${begins.toString()}${source}.`,
        hasFrom
          ? `Give a --from-date on or after ${begins.toString()}.`
          : `Give --lookback-days ${Number(ChronoUnit.DAYS.between(begins, today)) + 1} or less, or --from-date ${begins.toString()}.`,
      );
    }
  }
  const months: string[] = [];
  const last = today.withDayOfMonth(1);
  for (let m = from.withDayOfMonth(1); !m.isAfter(last); m = m.plusMonths(1)) months.push(m.toString());
  return {
    from: from.toString(),
    today: today.toString(),
    gapDays: Number(ChronoUnit.DAYS.between(from, today)),
    bufferDays,
    lookbackDays,
    months,
    derivation,
  };
}

/** `day` plus `n` days (n may be negative), YYYY-MM-DD. */
export function addDays(day: string, n: number): string {
  return LocalDate.parse(day).plusDays(n).toString();
}

/** The last day of the month starting on `monthStart`, YYYY-MM-DD. */
export function monthEnd(monthStart: string): string {
  return LocalDate.parse(monthStart).plusMonths(1).minusDays(1).toString();
}

/** True when `b` is the calendar day after `a` (both YYYY-MM-DD). */
export function isNextDay(a: string, b: string): boolean {
  if (!ISO.test(a) || !ISO.test(b)) return false;
  try {
    return LocalDate.parse(a).plusDays(1).equals(LocalDate.parse(b));
  } catch {
    return false;
  }
}
