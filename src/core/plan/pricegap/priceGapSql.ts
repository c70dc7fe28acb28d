/**
 * The read-only queries of a price-gap plan (canary, duplicate keys, zero-USD days, rows and their values on the gap
 * day). Each must run unchanged on ClickHouse 18.16 and on 26: no window functions, no `WITH name AS (subquery)`, no
 * `neighbor()`, and no request settings (a check step sends its SQL alone), so joins are written `ANY LEFT JOIN ... USING` (18.16
 * needs the strictness spelled out, 26 an alias on each joined subquery) and a missing joined row is read as 0
 * rather than through join_use_nulls.
 */
import { clickhouseDialect as ch } from '../../warehouse/sqlDialect';
import { addDays } from './refillWindow';

const day = (iso: string): string => `toDate('${iso}')`;

export interface CanarySqlInput {
  database: string;
  table: string;
  /** A boolean SQL expression picking the series, e.g. `symbol = 'GNO'`. */
  filter: string;
  valueColumn: string;
  dateColumn: string;
  /** First and last day of the scan, YYYY-MM-DD. */
  from: string;
  to: string;
}

/**
 * The canary's rows `(day, value, ratio)`, one per day in [from, to] that has rows, in day order: `value` is the
 * day's sum of the value column over the filtered rows, `ratio` is value / the previous calendar day's value (NULL
 * for the first day, after a day without rows, and after a day whose value is 0). A self-join on `day + 1`, so
 * nothing newer than 18.16 is needed.
 */
export function canarySql(c: CanarySqlInput): string {
  const rel = ch.relation(null, c.database, c.table);
  const d = `toDate(${c.dateColumn})`;
  const series = (dayExpr: string, valueAlias: string, from: string, to: string): string =>
    [
      `    SELECT ${dayExpr} AS day, sum(${c.valueColumn}) AS ${valueAlias}`,
      `    FROM ${rel}`,
      `    WHERE (${c.filter}) AND ${d} >= ${day(from)} AND ${d} <= ${day(to)}`,
      '    GROUP BY day',
    ].join('\n');
  return [
    'SELECT day, value, if(prev_value = 0, NULL, value / prev_value) AS ratio',
    'FROM',
    '(',
    series(d, 'value', c.from, c.to),
    ') AS cur',
    'ANY LEFT JOIN',
    '(',
    series(`${d} + 1`, 'prev_value', addDays(c.from, -1), addDays(c.to, -1)),
    ') AS prev USING day',
    'ORDER BY day',
  ].join('\n');
}

/**
 * Keys that still have more than one row in one month partition after OPTIMIZE ... FINAL DEDUPLICATE: rows
 * `(<key columns>, copies)`, at most 10, the worst first. No rows: the month is deduplicated.
 */
export function duplicateKeysSql(database: string, table: string, keys: readonly string[], partitionExpression: string, partitionLiteral: string): string {
  const cols = keys.join(', ');
  return [
    `SELECT ${cols}, count() AS copies`,
    `FROM ${ch.relation(null, database, table)}`,
    `WHERE ${partitionExpression} = ${partitionLiteral}`,
    `GROUP BY ${cols}`,
    'HAVING copies > 1',
    `ORDER BY copies DESC, ${cols}`,
    'LIMIT 10',
  ].join('\n');
}

/**
 * Per day of [from, to]: rows, and rows where any of the `*_usd` columns is NULL or 0 (`zero_usd`). The runbook's
 * verification query, for every cohort table that has such columns.
 */
export function zeroUsdSql(database: string, table: string, dateExpression: string, usdColumns: readonly string[], from: string, to: string): string {
  const d = `toDate(${dateExpression})`;
  const zero = usdColumns.map((c) => `${c} IS NULL OR ${c} = 0`).join(' OR ');
  return [
    `SELECT ${d} AS day, count() AS rows, countIf(${zero}) AS zero_usd`,
    `FROM ${ch.relation(null, database, table)}`,
    `WHERE ${d} >= ${day(from)} AND ${d} <= ${day(to)}`,
    'GROUP BY day',
    'ORDER BY day',
  ].join('\n');
}

/** `(day, rows)` for one day when the relation has rows that day; no row when it has none. */
export function rowsOnDaySql(database: string, table: string, dateColumn: string, onDay: string): string {
  const d = `toDate(${dateColumn})`;
  return [`SELECT ${d} AS day, count() AS rows`, `FROM ${ch.relation(null, database, table)}`, `WHERE ${d} = ${day(onDay)}`, 'GROUP BY day'].join('\n');
}

/**
 * `(day, rows, zero_values)` for one day when the relation has rows that day (no row when it has none):
 * `zero_values` counts the rows where any of `valueColumns` is NULL or 0. The runbook's "non-zero value for each
 * token" on the gap day.
 */
export function valuesOnDaySql(database: string, table: string, dateColumn: string, onDay: string, valueColumns: readonly string[]): string {
  const d = `toDate(${dateColumn})`;
  const zero = valueColumns.map((c) => `${c} IS NULL OR ${c} = 0`).join(' OR ');
  return [
    `SELECT ${d} AS day, count() AS rows, countIf(${zero}) AS zero_values`,
    `FROM ${ch.relation(null, database, table)}`,
    `WHERE ${d} = ${day(onDay)}`,
    'GROUP BY day',
  ].join('\n');
}

/**
 * The columns of a dbt-clickhouse `unique_key`: `'(date, token_address)'`, `'date, token_address'`, `'date'` or a
 * list. Empty when the model has none.
 */
export function uniqueKeyColumns(uniqueKey: string | string[] | null): string[] {
  if (uniqueKey === null) return [];
  const parts = Array.isArray(uniqueKey) ? uniqueKey : splitTopLevel(stripOuterParens(uniqueKey.trim()));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function stripOuterParens(s: string): string {
  while (s.startsWith('(') && s.endsWith(')') && closingOf(s, 0) === s.length - 1) s = s.slice(1, -1).trim();
  return s;
}

function closingOf(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
