/**
 * The pure SQL builders behind compareRelations, one per measure, dialect-aware. Values (dates, thresholds,
 * names of catalog rows) are validated and written as literals by the engine's dialect, so each statement is
 * complete as shown in a plan or journal. The heavy work is one pass over both relations (groupedDiffSql, or
 * joinDiffSql on DuckDB) that leaves only the keys that differ in a scratch table; every other measure reads that
 * small table or counts rows in one scan per side.
 *
 * Aliases start with `_` so that, on ClickHouse (where a SELECT alias shadows a column of the same name anywhere in
 * the query), they cannot capture a user's column.
 */
import { snowflakeDialect } from '../warehouse/sqlDialect';
import { sqlDate } from '../warehouse/sqlValue';
import { invalidInput } from '../warehouse/warehouseError';
import type { CompareDialect } from './compareDialect';
import type { PlannedColumn } from './columnPlan';
import type { RelationRef } from './types';

/** Two relations and the columns they are compared on. */
export interface CompareTarget {
  d: CompareDialect;
  /** Quoted relation names. */
  dev: string;
  prod: string;
  keys: PlannedColumn[];
  values: PlannedColumn[];
}

/**
 * Which rows of each side take part: `column` in [from, to] (inclusive days) and before `before` (exclusive).
 * `dev`/`prod` are the column as each side's catalog spells it.
 */
export interface RowRange {
  dev: string;
  prod: string;
  from: string | null;
  to: string | null;
  before: string | null;
}

/** The day after an ISO date (scope ends are inclusive days; `< next day` also covers timestamps on that day). */
export function nextDay(iso: string): string {
  const t = new Date(`${sqlDate(iso).iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** The WHERE clause of one side (empty when every row takes part). */
export function rangeWhere(d: CompareDialect, range: RowRange | null, side: 'dev' | 'prod'): string {
  if (!range) return '';
  const col = range[side];
  const date = (iso: string): string => d.sql.quoteLiteral(sqlDate(iso));
  const parts: string[] = [];
  if (range.from !== null) parts.push(`${col} >= ${date(range.from)}`);
  if (range.to !== null) parts.push(`${col} < ${date(nextDay(range.to))}`);
  if (range.before !== null) parts.push(`${col} < ${date(range.before)}`);
  if (range.from !== null && range.to !== null && range.from > range.to) {
    throw invalidInput(`The scope runs from ${range.from} to ${range.to}, which is backwards.`, 'Give the earlier day first.', d.engine);
  }
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/** The name a catalog lists for an identifier: Snowflake folds names that are valid unquoted to upper case. */
function catalogName(d: CompareDialect, name: string): string {
  return d.engine === 'snowflake' ? snowflakeDialect.quoteIdent(name).slice(1, -1).replace(/""/g, '"') : name;
}

/**
 * Schema: the columns of one relation with their types, in table order, from the engine's catalog
 * (information_schema on DuckDB and Snowflake, system.columns on ClickHouse). Rows: `col_name`, `col_type`, and on
 * Snowflake `num_precision`/`num_scale` (its data_type says NUMBER without them).
 */
export function columnsSql(d: CompareDialect, rel: RelationRef): string {
  const lit = (s: string): string => d.sql.quoteLiteral(s);
  if (d.engine === 'clickhouse') {
    d.sql.relation(rel.database, rel.schema, rel.name);
    return `SELECT name AS col_name, type AS col_type FROM system.columns WHERE database = ${lit(rel.schema)} AND table = ${lit(rel.name)}`;
  }
  if (d.engine === 'duckdb') {
    const catalog = rel.database ? `lower(${lit(rel.database)})` : 'lower(current_database())';
    return (
      'SELECT column_name AS col_name, data_type AS col_type FROM information_schema.columns ' +
      `WHERE lower(table_catalog) = ${catalog} AND lower(table_schema) = lower(${lit(rel.schema)}) AND lower(table_name) = lower(${lit(rel.name)}) ORDER BY ordinal_position`
    );
  }
  const from = rel.database ? `${d.sql.quoteIdent(rel.database)}.information_schema.columns` : 'information_schema.columns';
  return (
    `SELECT column_name AS col_name, data_type AS col_type, numeric_precision AS num_precision, numeric_scale AS num_scale FROM ${from} ` +
    `WHERE table_schema = ${lit(catalogName(d, rel.schema))} AND table_name = ${lit(catalogName(d, rel.name))} ORDER BY ordinal_position`
  );
}

export interface SanityCheck {
  /** The column on dev, as an expression. */
  expr: string;
  max: number | null;
  min: number | null;
}

/**
 * Row counts, per-partition counts and (b) sanity breaches, in one scan per side: rows `_side` ('dev'|'prod'),
 * `_part` (the partition's first day as text, '' without partitions), `_n`, and `_s0..` (dev rows breaking each
 * sanity rule; 0 on prod).
 */
export function sideCountsSql(
  t: Pick<CompareTarget, 'd' | 'dev' | 'prod'>,
  range: RowRange | null,
  partition: { dev: string; prod: string; grain: 'day' | 'month' } | null,
  sanity: SanityCheck[],
): string {
  const d = t.d;
  const side = (name: 'dev' | 'prod'): string => {
    const part = partition ? d.text(partition.grain === 'day' ? d.day(partition[name]) : d.month(partition[name])) : "''";
    const checks = sanity.map((s, i) => {
      if (name === 'prod') return `0 AS _s${i}`;
      const v = d.double(s.expr);
      const conds = [s.max !== null ? `${v} > ${d.sql.quoteLiteral(s.max)}` : null, s.min !== null ? `${v} < ${d.sql.quoteLiteral(s.min)}` : null].filter((c): c is string => c !== null);
      return `${conds.length ? d.countIf(conds.join(' OR ')) : '0'} AS _s${i}`;
    });
    const rel = name === 'dev' ? t.dev : t.prod;
    return `SELECT ${d.sql.quoteLiteral(name)} AS _side, ${part} AS _part, count(*) AS _n${checks.map((c) => `, ${c}`).join('')} FROM ${rel}${rangeWhere(d, range, name)}${partition ? ` GROUP BY ${part}` : ''}`;
  };
  return `${side('dev')} UNION ALL ${side('prod')}`;
}

function rowsEqual(t: CompareTarget, dv: (j: number) => string, pr: (j: number) => string): string {
  return t.values.map((_, j) => t.d.same(dv(j), pr(j))).join(' AND ');
}

/**
 * Keys and changed rows, one pass (every engine): both sides in one UNION ALL, grouped by key, with each side's row
 * count and (for a key with one row per side) each side's values; the scratch table keeps only the keys that are
 * not one identical row on each side. Columns: `_k0..`, `_nd`, `_np`, `_d0..`, `_p0..`.
 */
export function groupedDiffSql(t: CompareTarget, range: RowRange | null, scratch: string): string {
  const d = t.d;
  const branch = (name: 'dev' | 'prod'): string => {
    const cols = [...t.keys.map((k, i) => `${k[name]} AS _k${i}`), `${name === 'dev' ? 1 : 0} AS _s`, ...t.values.map((v, j) => `${v[name]} AS _c${j}`)];
    return `SELECT ${cols.join(', ')} FROM ${name === 'dev' ? t.dev : t.prod}${rangeWhere(d, range, name)}`;
  };
  const keys = t.keys.map((_, i) => `_k${i}`).join(', ');
  const aggs = [
    `${d.countIf('_s = 1')} AS _nd`,
    `${d.countIf('_s = 0')} AS _np`,
    ...t.values.flatMap((_, j) => [`${d.pick(`_c${j}`, '_s = 1')} AS _d${j}`, `${d.pick(`_c${j}`, '_s = 0')} AS _p${j}`]),
  ];
  const same = t.values.length ? ` AND ${rowsEqual(t, (j) => `_d${j}`, (j) => `_p${j}`)}` : '';
  const grouped = `SELECT ${keys}, ${aggs.join(', ')} FROM (${branch('dev')} UNION ALL ${branch('prod')}) AS _u GROUP BY ${keys}`;
  return d.createScratch(scratch, `SELECT * FROM (${grouped}) AS _g WHERE NOT (_nd = 1 AND _np = 1${same})`);
}

/**
 * DuckDB's faster form of the same pass (its hash join beats a hash aggregate over every key): a FULL OUTER JOIN on
 * the key (NULL keys matching, as GROUP BY groups them) aggregated in one pass into the join's pair and unmatched
 * row counts, plus the list of rows that differ. Keys with more than one row on a side that also has a match make
 * those counts disagree with the row counts, and the caller falls back to groupedDiffSql.
 */
export function joinDiffSql(t: CompareTarget, range: RowRange | null, agg: string): string {
  if (t.d.engine !== 'duckdb') throw new Error('joinDiffSql is DuckDB SQL');
  const d = t.d;
  const side = (name: 'dev' | 'prod'): string => {
    const cols = ['TRUE AS _e', ...t.keys.map((k, i) => `${k[name]} AS _k${i}`), ...t.values.map((v, j) => `${v[name]} AS _c${j}`)];
    return `(SELECT ${cols.join(', ')} FROM ${name === 'dev' ? t.dev : t.prod}${rangeWhere(d, range, name)})`;
  };
  const fields = [
    ...t.keys.map((_, i) => `'_k${i}': CASE WHEN _dv._e THEN _dv._k${i} ELSE _pr._k${i} END`),
    "'_de': CASE WHEN _dv._e THEN 1 ELSE 0 END",
    "'_pe': CASE WHEN _pr._e THEN 1 ELSE 0 END",
    ...t.values.flatMap((_, j) => [`'_d${j}': _dv._c${j}`, `'_p${j}': _pr._c${j}`]),
  ];
  const differs = `_dv._e IS NULL OR _pr._e IS NULL${t.values.length ? ` OR NOT (${rowsEqual(t, (j) => `_dv._c${j}`, (j) => `_pr._c${j}`)})` : ''}`;
  const on = t.keys.map((_, i) => `_dv._k${i} IS NOT DISTINCT FROM _pr._k${i}`).join(' AND ');
  return d.createScratch(
    agg,
    `SELECT count_if(_dv._e AND _pr._e) AS _pairs, count_if(_pr._e IS NULL) AS _dev_only_rows, count_if(_dv._e IS NULL) AS _prod_only_rows, ` +
      `list({${fields.join(', ')}}) FILTER (WHERE ${differs}) AS _rows ` +
      `FROM ${side('dev')} AS _dv FULL OUTER JOIN ${side('prod')} AS _pr ON ${on}`,
  );
}

/** The join's counts (`_pairs`, `_dev_only_rows`, `_prod_only_rows`). */
export function joinCountsSql(agg: string): string {
  return `SELECT _pairs, _dev_only_rows, _prod_only_rows FROM ${agg}`;
}

/** The scratch table of groupedDiffSql's shape from the join's list of differing rows. */
export function scratchFromJoinSql(t: CompareTarget, agg: string, scratch: string): string {
  const keys = t.keys.map((_, i) => `_k${i}`).join(', ');
  const cols = [keys, 'CAST(sum(_de) AS BIGINT) AS _nd', 'CAST(sum(_pe) AS BIGINT) AS _np', ...t.values.flatMap((_, j) => [`any_value(_d${j}) AS _d${j}`, `any_value(_p${j}) AS _p${j}`])];
  return t.d.createScratch(scratch, `SELECT ${cols.join(', ')} FROM (SELECT unnest(_rows, recursive := true) FROM ${agg}) AS _u GROUP BY ${keys}`);
}

/**
 * Key counts, changed rows and per-column differences from the scratch table: `_only_dev`, `_only_prod`,
 * `_dup_dev`, `_dup_prod`, `_both` (keys on both sides), `_changed` (one row per side, not identical),
 * `_unequal` (keys with a different number of rows per side), `_dev_rows`, `_prod_rows` (rows of the listed keys),
 * `_diff0..` (changed rows whose column j differs).
 */
export function diffSummarySql(t: CompareTarget, scratch: string): string {
  const d = t.d;
  const one = '_nd = 1 AND _np = 1';
  const cols = [
    `${d.countIf('_np = 0')} AS _only_dev`,
    `${d.countIf('_nd = 0')} AS _only_prod`,
    `${d.countIf('_nd > 1')} AS _dup_dev`,
    `${d.countIf('_np > 1')} AS _dup_prod`,
    `${d.countIf('_nd > 0 AND _np > 0')} AS _both`,
    `${d.countIf(one)} AS _changed`,
    `${d.countIf('_nd <> _np')} AS _unequal`,
    'sum(_nd) AS _dev_rows',
    'sum(_np) AS _prod_rows',
    ...t.values.map((_, j) => `${d.countIf(`${one} AND NOT ${d.same(`_d${j}`, `_p${j}`)}`)} AS _diff${j}`),
  ];
  return `SELECT ${cols.join(', ')} FROM ${scratch}`;
}

function keyText(t: CompareTarget): string {
  return t.keys.map((_, i) => `${t.d.text(`_k${i}`)} AS _t${i}`).join(', ');
}

function keyColumns(t: CompareTarget): string {
  return t.keys.map((_, i) => `_k${i}`).join(', ');
}

function checkCount(d: CompareDialect, n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw invalidInput(`The ${what} ${n} is not a whole number of 0 or more.`, `Give the ${what} as a whole number.`, d.engine);
  return n;
}

/**
 * Up to `n` keys only in dev and only in prod, in key order: `_side` ('dev'|'prod'), `_t0..` (key values as text),
 * `_k0..` (as stored, for the order).
 */
export function keySamplesSql(t: CompareTarget, scratch: string, n: number): string {
  const limit = checkCount(t.d, n, 'sample size');
  const one = (side: 'dev' | 'prod', where: string): string =>
    `SELECT * FROM (SELECT ${t.d.sql.quoteLiteral(side)} AS _side, ${keyText(t)}, ${keyColumns(t)} FROM ${scratch} WHERE ${where} ORDER BY ${keyColumns(t)} LIMIT ${limit}) AS _${side}`;
  return `SELECT * FROM (${one('dev', '_np = 0')} UNION ALL ${one('prod', '_nd = 0')}) AS _all ORDER BY _side, ${keyColumns(t)}`;
}

/**
 * (d) Top outliers: for each numeric column (an index into `values`), the `top` changed rows with the largest
 * |relative change| (dev - prod) / |prod|, those whose relative change is undefined (prod 0 or NULL, or dev NULL)
 * first, ties in key order; column by column in the order given. Rows: `_col`, `_t0..`, `_prod`, `_dev`, `_rel`
 * (NULL when undefined), and the sort columns `_ord`, `_defined`, `_mag`, `_k0..`.
 */
export function outliersSql(t: CompareTarget, scratch: string, columns: number[], top: number): string | null {
  const d = t.d;
  const limit = checkCount(d, top, 'number of outliers');
  if (columns.length === 0 || limit === 0) return null;
  const parts = columns.map((j, ord) => {
    const v = t.values[j];
    if (!v) throw new Error(`no value column ${j}`);
    const [dv, pv] = [d.double(`_d${j}`), d.double(`_p${j}`)];
    const undefinedRel = `${d.isNull(`_p${j}`)} OR ${d.isNull(`_d${j}`)} OR ${pv} = 0`;
    const rel = `CASE WHEN ${undefinedRel} THEN NULL ELSE (${dv} - ${pv}) / abs(${pv}) END`;
    const cols = [`${ord} AS _ord`, `${d.sql.quoteLiteral(v.name)} AS _col`, keyText(t), `${pv} AS _prod`, `${dv} AS _dev`, `${rel} AS _rel`, `CASE WHEN ${undefinedRel} THEN 0 ELSE 1 END AS _defined`, `abs(${rel}) AS _mag`, keyColumns(t)];
    return (
      `SELECT * FROM (SELECT ${cols.join(', ')} FROM ${scratch} WHERE _nd = 1 AND _np = 1 AND NOT ${d.same(`_d${j}`, `_p${j}`)} ` +
      `ORDER BY _defined, _mag DESC, ${keyColumns(t)} LIMIT ${limit}) AS _o${ord}`
    );
  });
  return `SELECT * FROM (${parts.join(' UNION ALL ')}) AS _all ORDER BY _ord, _defined, _mag DESC, ${keyColumns(t)}`;
}

/** (c) The user's spot-check query, capped: its rows come back to be matched by key, so there must be few. */
export function spotCheckSql(userSql: string, limit: number): string {
  const body = userSql.trim().replace(/;\s*$/, '');
  if (!body) throw invalidInput('The spot check query is empty.', 'Give a query that returns (key..., value) rows.');
  if (body.includes(';')) {
    // A semicolon inside a string literal is fine; a second statement is not. Only the trailing one is removed.
    const outside = body.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|`(?:[^`\\]|\\.)*`/g, '');
    if (outside.includes(';')) throw invalidInput('The spot check query holds more than one statement.', 'Give one SELECT.');
  }
  return `SELECT * FROM (\n${body}\n) AS _spot LIMIT ${limit}`;
}

export function dropScratchSql(ref: string): string {
  return `DROP TABLE IF EXISTS ${ref}`;
}
