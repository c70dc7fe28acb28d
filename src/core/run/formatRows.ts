import type { Row } from '../warehouse/warehouse';

/** A small text table of rows (for a stopped check's message and the step log). */
export function formatRows(rows: readonly Row[], max = 20): string {
  if (rows.length === 0) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string =>
    v === null || v === undefined ? 'NULL' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  const shown = rows.slice(0, max).map((r) => cols.map((c) => cell(r[c])));
  const width = cols.map((c, i) => Math.min(60, Math.max(c.length, ...shown.map((r) => r[i]!.length))));
  const line = (cells: string[]): string => cells.map((c, i) => c.slice(0, 60).padEnd(width[i]!)).join('  ').trimEnd();
  const out = [line(cols), line(width.map((w) => '-'.repeat(w))), ...shown.map(line)];
  if (rows.length > max) out.push(`... and ${rows.length - max} more rows`);
  return out.join('\n');
}
