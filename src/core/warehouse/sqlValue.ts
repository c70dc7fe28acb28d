import { invalidInput } from './warehouseError';

/** A calendar date, validated when made: only `sqlDate()` creates one. */
export class SqlDate {
  private constructor(readonly iso: string) {}

  /** @internal use sqlDate() */
  static of(iso: string): SqlDate {
    return new SqlDate(iso);
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}

/** A value bound to a `{name}` placeholder or written as a literal. */
export type SqlParam = string | number | bigint | boolean | null | SqlDate;
export type SqlParams = Readonly<Record<string, SqlParam>>;

/** True for `YYYY-MM-DD` naming a real day of the Gregorian calendar (no 2026-02-30, no 2026-4-1). */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A date parameter or literal; anything but a real `YYYY-MM-DD` date is refused, saying why. */
export function sqlDate(value: string): SqlDate {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw invalidInput(`${JSON.stringify(value)} is not a date in the form YYYY-MM-DD.`, 'Write dates as YYYY-MM-DD, e.g. 2026-04-17.');
  }
  if (!isIsoDate(value)) {
    throw invalidInput(`${value} is not a real calendar date.`, 'Check the month and the day.');
  }
  return SqlDate.of(value);
}

/** Refuses values no warehouse can take as a literal: non-finite numbers, NUL characters, other types. */
export function checkParam(value: unknown, name: string): SqlParam {
  if (value === null || value instanceof SqlDate || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidInput(`${name} is ${value}, which is not a finite number.`, 'Pass a finite number.');
    return value;
  }
  if (typeof value === 'string') {
    if (value.includes('\0')) throw invalidInput(`${name} contains a NUL character, which SQL string literals cannot hold.`, 'Remove the NUL character.');
    return value;
  }
  throw invalidInput(`${name} is a ${typeof value === 'object' ? (value === undefined ? 'undefined' : 'object') : typeof value}, which cannot be a SQL value.`, 'Pass a string, a number, a boolean, null or sqlDate(...).');
}
