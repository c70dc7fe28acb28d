import type { SanityRule } from '../core/plan';
import { UsageError } from './io';

/** `--key a,b` and the like: the comma-separated values, trimmed, empty ones dropped. */
export const commaList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `--sanity 'col<=1e12'` or `'col>=0'`, repeated; the rules of one column are merged. */
export function sanityRule(v: string, prev: SanityRule[] = []): SanityRule[] {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*(\S+)\s*$/.exec(v);
  const n = m ? Number(m[3]) : NaN;
  if (!m || !Number.isFinite(n)) throw new UsageError(`--sanity ${v}: expected COLUMN<=NUMBER or COLUMN>=NUMBER (e.g. --sanity 'daily_volume<=1e12').`);
  const out = prev.map((r) => ({ ...r }));
  let rule = out.find((r) => r.column === m[1]);
  if (!rule) out.push((rule = { column: m[1]!, max: null, min: null }));
  if (m[2] === '<=') rule.max = n;
  else rule.min = n;
  return out;
}

/** A numeric option's value, or undefined when it was not given; anything but a finite number is a usage error. */
export function numberOption(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} ${v}: expected a number.`);
  return n;
}
