import { randomBytes } from 'node:crypto';
import { sqlDate } from '../warehouse/sqlValue';
import type { Row, Warehouse } from '../warehouse/warehouse';
import { invalidInput, WarehouseError } from '../warehouse/warehouseError';
import { columnPlan, isNumericType, resolveColumn, type CatalogColumn } from './columnPlan';
import { compareDialectFor, type CompareDialect } from './compareDialect';
import {
  columnsSql,
  diffSummarySql,
  dropScratchSql,
  groupedDiffSql,
  joinCountsSql,
  joinDiffSql,
  keySamplesSql,
  nextDay,
  outliersSql,
  scratchFromJoinSql,
  sideCountsSql,
  spotCheckSql,
  type CompareTarget,
  type RowRange,
  type SanityCheck,
} from './compareSql';
import type { CompareSpec, Comparison, Outlier, RelationRef } from './types';

/** Keys shown per side in `samples`. */
const SAMPLE_KEYS = 5;
/** Rows a spot-check query may return (its rows are matched here, so they must be few: a handful of days). */
const SPOT_CHECK_ROWS = 1000;
/** Partitions of a scoped range filled in with zeros (a day with no rows is what a recovery looks for). */
const MAX_FILLED_PARTITIONS = 3660;

const nullSafeFunction = new WeakMap<Warehouse, Promise<boolean>>();

/** ClickHouse: whether the server knows `isNotDistinctFrom` (26.x does, 18.16 does not); probed once per connection. */
function hasIsNotDistinctFrom(w: Warehouse): Promise<boolean> {
  let p = nullSafeFunction.get(w);
  if (!p) {
    p = w.query('SELECT isNotDistinctFrom(1, NULL) AS x').then(
      () => true,
      (err: unknown) => {
        if (err instanceof WarehouseError && err.kind === 'query') return false;
        nullSafeFunction.delete(w);
        throw err;
      },
    );
    nullSafeFunction.set(w, p);
  }
  return p;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const keyText = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return (v as { toString(): string }).toString(); // the drivers' date and decimal values print as their SQL text
};

function describe(ref: RelationRef): string {
  return [ref.database, ref.schema, ref.name].filter((p) => p).join('.');
}

interface RegionResult {
  /** The scratch table holding the region's differing keys. */
  table: string;
  rows: { dev: number; prod: number };
  partitions: Map<string, { dev: number; prod: number }>;
  sanity: number[];
  keys: Comparison['keys'];
  changedRows: number;
  /** Keys in either side. */
  distinctKeys: number;
  /** Keys whose rows differ: a different number of rows per side, or one row each that differ. */
  differingKeys: number;
  /** Per value column: rows compared, and of those, differing in that column. */
  compared: number;
  columnDiffs: number[];
}

/**
 * Compares dev with prod inside the warehouse. Statements run in this order, each recorded in `statements`:
 * the two catalogs; per side one scan for row, partition and sanity counts; one pass over both relations that
 * leaves the differing keys in a scratch table (DuckDB: a join; elsewhere, or when DuckDB finds a key with several
 * rows on a matched side: a grouped UNION ALL); the key counts, changed rows and column match counts, the sample
 * keys and the top outliers from that scratch table; the same for history before the backfill date (unscoped:
 * history is what the recovery must not have touched); the spot check; then the scratch tables are dropped. Only
 * aggregates, a few sample keys and the top-N outlier rows come back.
 *
 * Semantics: key columns match with IS NOT DISTINCT FROM (NULL keys group together). A key with more than one row on
 * a side is counted as duplicated there and its rows are not compared (which pair would be meant?). Rows are compared
 * on the columns both sides have, besides the key, NULL equal to NULL; a column whose type changed is compared as a
 * DOUBLE when both types are numeric, else as text.
 */
export async function compareRelations(warehouse: Warehouse, spec: CompareSpec): Promise<Comparison> {
  const started = performance.now();
  const engine = warehouse.engine;
  const statements: string[] = [];
  const query = async <T extends Row = Row>(sql: string): Promise<T[]> => {
    statements.push(sql);
    return warehouse.query<T>(sql);
  };
  const exec = async (sql: string): Promise<void> => {
    statements.push(sql);
    await warehouse.exec(sql);
  };

  checkSpec(spec, engine);
  const d = compareDialectFor(engine, { isNotDistinctFrom: engine === 'clickhouse' && (await hasIsNotDistinctFrom(warehouse)) });
  const devRel = d.sql.relation(spec.dev.database, spec.dev.schema, spec.dev.name);
  const prodRel = d.sql.relation(spec.prod.database, spec.prod.schema, spec.prod.name);

  const catalog = async (ref: RelationRef, side: 'dev' | 'prod'): Promise<CatalogColumn[]> => {
    const rows = await query<{ col_name: string; col_type: string; num_precision?: unknown; num_scale?: unknown }>(columnsSql(d, ref));
    if (rows.length === 0) {
      throw invalidInput(`The ${side} relation ${describe(ref)} does not exist (the catalog lists no columns for it).`, side === 'dev' ? 'Build it in dev first (dbt run against the dev target), or check the dev database and schema.' : "Check the model's database, schema and alias.", engine);
    }
    return rows.map((r) => ({ name: r.col_name, type: typeWithScale(r.col_type, r.num_precision, r.num_scale) }));
  };
  const devColumns = await catalog(spec.dev, 'dev');
  const prodColumns = await catalog(spec.prod, 'prod');
  const plan = columnPlan(d, spec, devColumns, prodColumns);
  const target: CompareTarget = { d, dev: devRel, prod: prodRel, keys: plan.keys, values: plan.values };

  const both = (what: string, name: string): { dev: string; prod: string } => {
    const dev = resolveColumn(engine, devColumns, name);
    const prod = resolveColumn(engine, prodColumns, name);
    if (!dev || !prod) {
      throw invalidInput(`The ${what} column ${JSON.stringify(name)} is not a column of ${dev ? 'prod' : 'dev'} (${describe(dev ? spec.prod : spec.dev)}).`, 'Name a column both relations have.', engine);
    }
    return { dev: d.catalogIdent(dev.name), prod: d.catalogIdent(prod.name) };
  };
  const scope: RowRange | null = spec.scope ? { ...both('scope', spec.scope.column), from: spec.scope.from, to: spec.scope.to, before: null } : null;
  const partition = spec.partitions ? { ...both('partition', spec.partitions.column), grain: spec.partitions.grain } : null;
  const sanity: SanityCheck[] = spec.sanity.map((rule) => {
    const col = resolveColumn(engine, devColumns, rule.column);
    if (!col) throw invalidInput(`The sanity rule's column ${JSON.stringify(rule.column)} is not a column of dev (${describe(spec.dev)}).`, 'Name a numeric column of the model.', engine);
    if (!isNumericType(engine, col.type)) throw invalidInput(`The sanity rule's column ${col.name} is ${col.type}, not a number.`, 'Sanity thresholds apply to numeric columns.', engine);
    return { expr: d.catalogIdent(col.name), max: rule.max, min: rule.min };
  });
  const outlierColumns = (spec.outliers.columns ?? plan.values.filter((v) => v.numeric).map((v) => v.name)).map((name) => {
    const j = plan.values.findIndex((v) => v.name === (resolveColumn(engine, devColumns, name)?.name ?? name));
    if (j < 0) throw invalidInput(`The outlier column ${JSON.stringify(name)} is not a column both relations have besides the key.`, `Pick among: ${plan.values.filter((v) => v.numeric).map((v) => v.name).join(', ') || 'none'}.`, engine);
    if (!plan.values[j]!.numeric) throw invalidInput(`The outlier column ${plan.values[j]!.name} is not numeric on both sides.`, 'Outliers rank relative changes of numbers.', engine);
    return j;
  });

  const id = randomBytes(4).toString('hex');
  // Scratch tables live in the dev database (ClickHouse) or the session (DuckDB, Snowflake); each is dropped as
  // soon as it has served, and in any case before returning.
  const live = new Set<string>();
  const scratchName = (suffix: string): string => d.scratchRef(`__dbt_recovery_cmp_${id}_${suffix}`, spec.dev.schema);
  const create = async (ref: string, sql: string): Promise<void> => {
    live.add(ref);
    await exec(sql);
  };
  const drop = async (ref: string): Promise<void> => {
    live.delete(ref);
    await exec(dropScratchSql(ref));
  };

  const region = async (range: RowRange | null, part: typeof partition, checks: SanityCheck[], suffix: string): Promise<RegionResult> => {
    const counts = await query<Record<string, unknown>>(sideCountsSql(target, range, part, checks));
    const rows = { dev: 0, prod: 0 };
    const partitions = new Map<string, { dev: number; prod: number }>();
    const sanityRows = checks.map(() => 0);
    for (const r of counts) {
      const side = r._side === 'dev' ? 'dev' : 'prod';
      const n = num(r._n);
      rows[side] += n;
      if (part) {
        const key = keyText(r._part);
        const p = partitions.get(key) ?? { dev: 0, prod: 0 };
        p[side] += n;
        partitions.set(key, p);
      }
      if (side === 'dev') checks.forEach((_, i) => (sanityRows[i]! += num(r[`_s${i}`])));
    }
    const table = scratchName(suffix);
    let built = false;
    if (d.engine === 'duckdb') {
      const agg = scratchName(`${suffix}_join`);
      await create(agg, joinDiffSql(target, range, agg));
      const [j] = await query<Record<string, unknown>>(joinCountsSql(agg));
      // Each matched key gives one pair exactly while it has one row on each side; otherwise group instead.
      const pairs = num(j?._pairs);
      if (pairs === rows.dev - num(j?._dev_only_rows) && pairs === rows.prod - num(j?._prod_only_rows)) {
        await create(table, scratchFromJoinSql(target, agg, table));
        built = true;
      }
      await drop(agg);
    }
    if (!built) await create(table, groupedDiffSql(target, range, table));
    const [s] = await query<Record<string, unknown>>(diffSummarySql(target, table));
    // Keys not in the scratch table have one identical row on each side.
    const identical = rows.dev - num(s?._dev_rows);
    if (identical !== rows.prod - num(s?._prod_rows) || identical < 0) {
      throw new WarehouseError({
        kind: 'query',
        engine,
        problem: `${describe(spec.dev)} or ${describe(spec.prod)} changed while they were compared (${rows.dev} and ${rows.prod} rows counted, ${num(s?._dev_rows)} and ${num(s?._prod_rows)} in the differing keys).`,
        remedy: 'Compare again when nothing writes to either relation (a dbt run, an insert).',
      });
    }
    const changedRows = num(s?._changed);
    const onlyInDev = num(s?._only_dev);
    const onlyInProd = num(s?._only_prod);
    return {
      table,
      rows,
      partitions,
      sanity: sanityRows,
      keys: { onlyInDev, onlyInProd, duplicatedInDev: num(s?._dup_dev), duplicatedInProd: num(s?._dup_prod), matched: identical + num(s?._both) },
      changedRows,
      distinctKeys: identical + num(s?._both) + onlyInDev + onlyInProd,
      differingKeys: num(s?._unequal) + changedRows,
      compared: identical + changedRows,
      columnDiffs: plan.values.map((_, j) => num(s?.[`_diff${j}`])),
    };
  };

  try {
    const main = await region(scope, partition, sanity, 'diff');

    const samples: Comparison['samples'] = { onlyInDev: [], onlyInProd: [] };
    if (main.keys.onlyInDev + main.keys.onlyInProd > 0) {
      for (const r of await query<Record<string, unknown>>(keySamplesSql(target, main.table, SAMPLE_KEYS))) {
        samples[r._side === 'dev' ? 'onlyInDev' : 'onlyInProd'].push(plan.keys.map((_, i) => keyText(r[`_t${i}`])));
      }
    }

    const outliers: Outlier[] = [];
    const outlierSql = main.changedRows > 0 ? outliersSql(target, main.table, outlierColumns, spec.outliers.top) : null;
    if (outlierSql) {
      for (const r of await query<Record<string, unknown>>(outlierSql)) {
        const rel = numOrNull(r._rel);
        outliers.push({
          key: plan.keys.map((_, i) => keyText(r[`_t${i}`])),
          column: String(r._col),
          prod: numOrNull(r._prod),
          dev: numOrNull(r._dev),
          relDelta: rel,
          needsExplanation: rel === null || Math.abs(rel) > spec.outliers.explainAbove,
        });
      }
    }
    await drop(main.table);

    let history: Comparison['history'] = null;
    if (spec.historyBefore) {
      const h = await region({ ...both('history', spec.historyBefore.column), from: null, to: null, before: spec.historyBefore.before }, null, [], 'history');
      await drop(h.table);
      history = {
        before: spec.historyBefore.before,
        rows: h.distinctKeys,
        differing: h.differingKeys,
        columns: plan.values.map((v, j) => ({ column: v.name, differing: h.columnDiffs[j]! })),
      };
    }

    let spotCheck: Comparison['spotCheck'] = null;
    if (spec.spotCheck) {
      const upstream = await query<Record<string, unknown>>(spotCheckSql(spec.spotCheck.upstreamSql, SPOT_CHECK_ROWS + 1));
      const dev = await query<Record<string, unknown>>(spotCheckSql(spec.spotCheck.devSql, SPOT_CHECK_ROWS + 1));
      spotCheck = spotCheckResult(upstream, dev, spec.spotCheck.tolerance, engine);
    }

    return {
      dev: spec.dev,
      prod: spec.prod,
      key: spec.key,
      scope: spec.scope,
      rowCounts: main.rows,
      keys: main.keys,
      samples,
      schema: plan.schema,
      changedRows: main.changedRows,
      matchRates: plan.values.map((v, j) => {
        const matched = main.compared - main.columnDiffs[j]!;
        return { column: v.name, matched, total: main.compared, rate: main.compared === 0 ? 1 : matched / main.compared };
      }),
      history,
      anomalies: spec.sanity.map((r, i) => ({ column: r.column, max: r.max, min: r.min, rows: main.sanity[i]! })),
      spotCheck,
      outliers,
      partitions: spec.partitions ? partitionRows(main.partitions, spec.partitions.grain, spec.scope) : [],
      statements,
      millis: Math.round(performance.now() - started),
    };
  } finally {
    for (const ref of live) {
      try {
        await drop(ref);
      } catch {
        // A scratch table that cannot be dropped must not hide the comparison's own error (DuckDB's and Snowflake's
        // go with the session anyway).
      }
    }
  }
}

/** Snowflake's catalog says NUMBER without precision and scale; a scale change is a type change. */
function typeWithScale(type: string, precision: unknown, scale: unknown): string {
  if (precision === null || precision === undefined || scale === null || scale === undefined) return type;
  return /^(NUMBER|DECIMAL|NUMERIC)$/i.test(type) ? `${type}(${Number(precision)},${Number(scale)})` : type;
}

function checkSpec(spec: CompareSpec, engine: CompareDialect['engine']): void {
  const date = (s: string | null): void => {
    if (s !== null) sqlDate(s);
  };
  if (spec.scope) {
    date(spec.scope.from);
    date(spec.scope.to);
  }
  if (spec.historyBefore) date(spec.historyBefore.before);
  const { top, explainAbove } = spec.outliers;
  if (!Number.isSafeInteger(top) || top < 0) throw invalidInput(`outliers.top is ${top}; it must be a whole number of 0 or more.`, 'Give how many outliers to list per column, e.g. 20.', engine);
  if (!Number.isFinite(explainAbove) || explainAbove < 0) throw invalidInput(`outliers.explainAbove is ${explainAbove}; it must be a number of 0 or more.`, 'Give a fraction, e.g. 0.05 for 5%.', engine);
  for (const r of spec.sanity) {
    if (r.max === null && r.min === null) throw invalidInput(`The sanity rule for ${r.column} has neither max nor min.`, 'Give a threshold.', engine);
    for (const v of [r.max, r.min]) if (v !== null && !Number.isFinite(v)) throw invalidInput(`The sanity threshold ${v} for ${r.column} is not a finite number.`, 'Give a number.', engine);
  }
  if (spec.spotCheck && (!Number.isFinite(spec.spotCheck.tolerance) || spec.spotCheck.tolerance < 0)) {
    throw invalidInput(`The spot check's tolerance ${spec.spotCheck.tolerance} is not a number of 0 or more.`, 'Give a relative tolerance, e.g. 0.001 for 0.1%.', engine);
  }
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = a[i]! < b[i]! ? -1 : a[i]! > b[i]! ? 1 : 0;
    if (c) return c;
  }
  return a.length - b.length;
}

/** Every day (or month) of the scoped range, zero where a side has no rows, then any others seen, in order. */
function partitionRows(seen: Map<string, { dev: number; prod: number }>, grain: 'day' | 'month', scope: CompareSpec['scope']): Comparison['partitions'] {
  const all = new Map(seen);
  if (scope?.from && scope.to && scope.from <= scope.to) {
    const periods: string[] = [];
    let p = grain === 'day' ? scope.from : `${scope.from.slice(0, 7)}-01`;
    while (p <= scope.to && periods.length <= MAX_FILLED_PARTITIONS) {
      periods.push(p);
      p = grain === 'day' ? nextDay(p) : nextMonth(p);
    }
    if (periods.length <= MAX_FILLED_PARTITIONS) for (const q of periods) if (!all.has(q)) all.set(q, { dev: 0, prod: 0 });
  }
  return [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([partition, n]) => ({ partition, dev: n.dev, prod: n.prod }));
}

function nextMonth(firstOfMonth: string): string {
  const [y, m] = [Number(firstOfMonth.slice(0, 4)), Number(firstOfMonth.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** (c) Matches the two result sets by key (every column but the last) and compares the last, relative tolerance. */
function spotCheckResult(upstream: Row[], dev: Row[], tolerance: number, engine: CompareDialect['engine']): NonNullable<Comparison['spotCheck']> {
  const index = (rows: Row[], which: string): Map<string, { key: string[]; value: number | null }> => {
    if (rows.length > SPOT_CHECK_ROWS) {
      throw invalidInput(`The ${which} spot-check query returned more than ${SPOT_CHECK_ROWS} rows.`, 'A spot check compares a few days: filter it to the dates the recovery fixed, and aggregate to one value per key.', engine);
    }
    const out = new Map<string, { key: string[]; value: number | null }>();
    for (const r of rows) {
      const values = Object.values(r);
      if (values.length < 2) throw invalidInput(`The ${which} spot-check query returns ${values.length} column(s); it must return (key..., value).`, 'Select the key columns, then the value.', engine);
      const key = values.slice(0, -1).map(keyText);
      const id = JSON.stringify(key);
      if (out.has(id)) throw invalidInput(`The ${which} spot-check query returns the key (${key.join(', ')}) twice.`, 'Aggregate to one row per key (GROUP BY).', engine);
      out.set(id, { key, value: numOrNull(values[values.length - 1]) });
    }
    return out;
  };
  const up = index(upstream, 'upstream');
  const dv = index(dev, 'dev');
  const ids = [...new Set([...up.keys(), ...dv.keys()])];
  const differing: Array<{ key: string[]; upstream: number | null; dev: number | null }> = [];
  for (const id of ids) {
    const u = up.get(id);
    const v = dv.get(id);
    const a = u?.value ?? null;
    const b = v?.value ?? null;
    const same = u !== undefined && v !== undefined && (a === null || b === null ? a === b : Math.abs(b - a) <= tolerance * Math.abs(a));
    if (!same) differing.push({ key: (u ?? v)!.key, upstream: a, dev: b });
  }
  differing.sort((x, y) => compareKeys(x.key, y.key));
  return { rows: ids.length, differing: differing.length, samples: differing.slice(0, SAMPLE_KEYS) };
}
