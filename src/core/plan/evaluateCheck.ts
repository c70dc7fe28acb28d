import { isNextDay } from './pricegap/refillWindow';
import type { CheckRule } from './types';

export type CheckRow = Record<string, unknown>;

export interface CheckOutcome {
  status: 'pass' | 'warn' | 'stop';
  /** One or two sentences for people: what was found and, when not passing, what to do. */
  message: string;
  /** The rows that made it warn or stop (all rows for a rule where every row is a problem). */
  offending: CheckRow[];
}

/** ClickHouse sends 64-bit integers as strings in JSON; NULL as null. */
function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function dayOf(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 10) : String(v);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Judges a check's rows by its rule. Pure: the runner queries, this decides. The adjacent-day ratio is computed
 * here from `(day, value)` of consecutive calendar days (the SQL's own `ratio` column is for display), so a row set
 * from any engine is judged the same way.
 */
export function evaluateCheck(rule: CheckRule, rows: readonly CheckRow[]): CheckOutcome {
  switch (rule.type) {
    case 'adjacent-day-ratio': {
      if (rows.length === 0) {
        return {
          status: 'warn',
          message: 'The canary returned no rows: its filter matched nothing in the window, so Phase 1 cannot be confirmed. Check the canary model, filter and date column.',
          offending: [],
        };
      }
      const offending: CheckRow[] = [];
      const jumps: string[] = [];
      for (let i = 1; i < rows.length; i++) {
        const prev = rows[i - 1]!;
        const cur = rows[i]!;
        if (!isNextDay(dayOf(prev.day), dayOf(cur.day))) continue;
        const a = num(prev.value);
        const b = num(cur.value);
        if (a === null || b === null || a === 0) continue;
        const ratio = b / a;
        if (ratio > rule.up || ratio < rule.down) {
          offending.push(cur);
          jumps.push(`${dayOf(cur.day)} (${ratio.toFixed(2)}x the day before)`);
        }
      }
      if (offending.length === 0) {
        return { status: 'pass', message: `No day moved more than ${rule.up}x up or below ${rule.down}x of the day before over ${plural(rows.length, 'day')}.`, offending };
      }
      return {
        status: 'stop',
        message:
          `The canary jumped on ${jumps.join(', ')}: outside ${rule.down}x to ${rule.up}x. An aggregator probably read an unmerged upstream month. ` +
          'Re-run Phase 1 for that month (append + OPTIMIZE is safe to repeat) and check that every upstream partition was optimized.',
        offending,
      };
    }
    case 'no-rows':
      if (rows.length === 0) return { status: 'pass', message: 'No rows: nothing to report.', offending: [] };
      return { status: rule.onRows, message: `${plural(rows.length, 'row')} found where none should be.`, offending: [...rows] };
    case 'some-rows':
      if (rows.length > 0) return { status: 'pass', message: `${plural(rows.length, 'row')} found.`, offending: [] };
      return { status: rule.onNone, message: 'No rows found where some were expected.', offending: [] };
    case 'no-pending-mutations': {
      if (rows.length === 0) return { status: 'pass', message: 'No unfinished mutations.', offending: [] };
      const text = (v: unknown): string => (typeof v === 'string' ? v : '');
      const poisoned = rows.filter((r) => /__dbt_new_data_/.test(`${text(r.command)} ${text(r.latest_fail_reason)}`));
      const names = rows.map((r) => `${String(r.database)}.${String(r.table)} ${String(r.mutation_id)}`).join(', ');
      return {
        status: 'stop',
        message:
          `${plural(rows.length, 'unfinished mutation')} (${names})` +
          (poisoned.length > 0 ? `, ${poisoned.length} of them reading a dropped __dbt_new_data_* table from a killed delete+insert (a poisoned mutation)` : '') +
          '. They block the refill\'s writes: kill them (KILL MUTATION, after approval) or wait for them to finish, then run again.',
        offending: [...rows],
      };
    }
    case 'rows-nonzero': {
      if (rows.length === 0) return { status: rule.onFail, message: 'No rows on the day: expected rows, none with a zero or NULL value.', offending: [] };
      const offending = rows.filter((r) => num(r[rule.column]) !== 0);
      const total = rows.reduce((n, r) => n + (num(r.rows) ?? 0), 0);
      if (offending.length === 0) return { status: 'pass', message: `${plural(total, 'row')}, none with a zero or NULL value.`, offending: [] };
      const zero = offending.reduce((n, r) => n + (num(r[rule.column]) ?? 0), 0);
      return {
        status: rule.onFail,
        message: `${zero} of ${plural(total, 'row')} on ${offending.map((r) => dayOf(r.day)).join(', ')} ${zero === 1 ? 'has' : 'have'} a zero or NULL value: still stale, or a genuine zero.`,
        offending,
      };
    }
    case 'all-equal': {
      const offending = rows.filter((r) => num(r[rule.column]) !== rule.expected);
      if (offending.length === 0) return { status: 'pass', message: `Every ${rule.column} is ${rule.expected}.`, offending: [] };
      return {
        status: rule.onMismatch,
        message: `${plural(offending.length, 'row')} with ${rule.column} other than ${rule.expected}.`,
        offending,
      };
    }
  }
}
