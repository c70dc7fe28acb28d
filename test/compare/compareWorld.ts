/**
 * TEST CODE: prod and dev tables of a daily-volume model with KNOWN differences, seeded the same way on every engine
 * (DuckDB, ClickHouse 18.16 and 26, Snowflake through its test server), and the comparison each spec must give,
 * number by number, worked out by hand from the rows below (not from a run).
 *
 * Key (chain, d). Prod: eth and gno, 2026-03-30 .. 2026-04-08 (day i = 0..9): volume eth 1000+10i, gno 500+5i;
 * fees eth 10+i, gno 5+i (NULL on 04-02); txs eth 100+i, gno 50+i; legacy_flag. Prod holds (gno, 03-31) twice.
 * Dev (after a backfill from 2026-04-05): the same minus (gno, 04-08), plus (eth, 04-09) with a stale 1.129e16
 * volume and (gno, 04-09) twice with fees -1; txs retyped to a wider type, legacy_flag dropped, price added; and
 *   (eth, 04-05) volume 1060 -> 1073.25 (+1.25%), (eth, 04-06) volume 1070 -> 1337.5 (+25%),
 *   (gno, 04-05) txs 56 -> 70 (+25%), (gno, 04-06) fees 12 -> NULL, (gno, 04-01) volume 510 -> 510.5 (in history),
 *   (gno, 04-02) fees NULL on both sides (equal: IS NOT DISTINCT FROM).
 * The upstream (for the spot check) says eth's true volume is 1060 on 04-05 and 1337.5 on 04-06.
 */
import type { CompareSpec, Comparison, RelationRef } from '../../src/core/compare';
import type { Engine, SqlDialect, Warehouse } from '../../src/core/warehouse';
import { dialectFor, sqlDate } from '../../src/core/warehouse';

export const DAYS = ['2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07', '2026-04-08'];

// A type, not an interface: rows go where Record<string, ...> is expected.
type Row = {
  chain: string;
  d: string;
  volume: number;
  fees: number | null;
  txs: number;
};

export function prodRows(): Array<Row & { legacy_flag: string }> {
  const rows: Array<Row & { legacy_flag: string }> = [];
  for (const [i, d] of DAYS.entries()) {
    rows.push({ chain: 'eth', d, volume: 1000 + 10 * i, fees: 10 + i, txs: 100 + i, legacy_flag: 'x' });
    rows.push({ chain: 'gno', d, volume: 500 + 5 * i, fees: d === '2026-04-02' ? null : 5 + i, txs: 50 + i, legacy_flag: 'y' });
  }
  rows.push({ ...rows.find((r) => r.chain === 'gno' && r.d === '2026-03-31')! });
  return rows;
}

export function devRows(): Array<Row & { price: number }> {
  const rows: Array<Row & { price: number }> = [];
  for (const p of prodRows()) {
    if (p.chain === 'gno' && p.d === '2026-04-08') continue;
    if (p.chain === 'gno' && p.d === '2026-03-31' && rows.some((r) => r.chain === 'gno' && r.d === p.d)) continue;
    const r = { chain: p.chain, d: p.d, volume: p.volume, fees: p.fees, txs: p.txs, price: 2 };
    const at = `${r.chain} ${r.d}`;
    if (at === 'eth 2026-04-05') r.volume = 1073.25;
    if (at === 'eth 2026-04-06') r.volume = 1337.5;
    if (at === 'gno 2026-04-05') r.txs = 70;
    if (at === 'gno 2026-04-06') r.fees = null;
    if (at === 'gno 2026-04-01') r.volume = 510.5;
    rows.push(r);
  }
  rows.push({ chain: 'eth', d: '2026-04-09', volume: 11_290_000_000_000_000, fees: 19, txs: 109, price: 2 });
  rows.push({ chain: 'gno', d: '2026-04-09', volume: 545, fees: -1, txs: 59, price: 2 });
  rows.push({ chain: 'gno', d: '2026-04-09', volume: 545, fees: -1, txs: 59, price: 2 });
  return rows;
}

export interface World {
  dev: RelationRef;
  prod: RelationRef;
  upstream: RelationRef;
  /** A column name as this engine's catalog spells it (Snowflake: upper case, as created unquoted). */
  col(name: string): string;
  /** The retyped column's types as the catalog lists them. */
  txsTypes: { dev: string; prod: string };
}

const TYPES: Record<Engine, Record<'text' | 'date' | 'double' | 'nullableDouble' | 'txsProd' | 'txsDev', string>> = {
  duckdb: { text: 'VARCHAR', date: 'DATE', double: 'DOUBLE', nullableDouble: 'DOUBLE', txsProd: 'INTEGER', txsDev: 'BIGINT' },
  clickhouse: { text: 'String', date: 'Date', double: 'Float64', nullableDouble: 'Nullable(Float64)', txsProd: 'Int32', txsDev: 'Int64' },
  snowflake: { text: 'VARCHAR', date: 'DATE', double: 'DOUBLE', nullableDouble: 'DOUBLE', txsProd: 'DECIMAL(38,0)', txsDev: 'DOUBLE' },
};

function createTable(engine: Engine, q: SqlDialect, rel: string, columns: Array<[string, string]>, orderBy: string[]): string {
  const cols = columns.map(([n, t]) => `${q.quoteIdent(n)} ${t}`).join(', ');
  if (engine !== 'clickhouse') return `CREATE TABLE ${rel} (${cols})`;
  return `CREATE TABLE ${rel} (${cols}) ENGINE = MergeTree() PARTITION BY toStartOfMonth(${q.quoteIdent('d')}) ORDER BY (${orderBy.map((c) => q.quoteIdent(c)).join(', ')})`;
}

function insert(q: SqlDialect, rel: string, rows: Array<Record<string, string | number | null>>): string {
  const names = Object.keys(rows[0]!);
  const values = rows.map((r) => `(${names.map((n) => (n === 'd' ? q.quoteLiteral(sqlDate(r[n] as string)) : q.quoteLiteral(r[n]!))).join(', ')})`);
  return `INSERT INTO ${rel} (${names.map((n) => q.quoteIdent(n)).join(', ')}) VALUES ${values.join(', ')}`;
}

/** Creates prod, dev and the upstream trades in the given places (which must exist) and fills them. */
export async function seedWorld(w: Warehouse, places: { dev: Omit<RelationRef, 'name'>; prod: Omit<RelationRef, 'name'> }, name = 'fact_daily_volumes'): Promise<World> {
  const q = dialectFor(w.engine);
  const t = TYPES[w.engine];
  const dev: RelationRef = { ...places.dev, name };
  const prod: RelationRef = { ...places.prod, name };
  const upstream: RelationRef = { ...places.prod, name: `${name}_upstream_trades` };
  const rel = (r: RelationRef): string => q.relation(r.database, r.schema, r.name);
  await w.exec(
    createTable(w.engine, q, rel(prod), [['chain', t.text], ['d', t.date], ['volume', t.double], ['fees', t.nullableDouble], ['txs', t.txsProd], ['legacy_flag', t.text]], ['chain', 'd']),
  );
  await w.exec(createTable(w.engine, q, rel(dev), [['chain', t.text], ['d', t.date], ['volume', t.double], ['fees', t.nullableDouble], ['txs', t.txsDev], ['price', t.double]], ['chain', 'd']));
  await w.exec(createTable(w.engine, q, rel(upstream), [['chain', t.text], ['d', t.date], ['amount', t.double]], ['chain', 'd']));
  await w.exec(insert(q, rel(prod), prodRows()));
  await w.exec(insert(q, rel(dev), devRows()));
  await w.exec(
    insert(q, rel(upstream), [
      { chain: 'eth', d: '2026-04-05', amount: 1000 },
      { chain: 'eth', d: '2026-04-05', amount: 60 },
      { chain: 'eth', d: '2026-04-06', amount: 1300 },
      { chain: 'eth', d: '2026-04-06', amount: 37.5 },
      { chain: 'gno', d: '2026-04-06', amount: 999 },
    ]),
  );
  return {
    dev,
    prod,
    upstream,
    col: (n) => (w.engine === 'snowflake' ? n.toUpperCase() : n),
    txsTypes: { dev: t.txsDev, prod: t.txsProd },
  };
}

/** Everything at once, unscoped: history before the backfill date, sanity, spot check, monthly partitions. */
export function fullSpec(w: Warehouse, world: World): CompareSpec {
  const q = dialectFor(w.engine);
  const rel = (r: RelationRef): string => q.relation(r.database, r.schema, r.name);
  return {
    dev: world.dev,
    prod: world.prod,
    key: ['chain', 'd'],
    scope: null,
    historyBefore: { column: 'd', before: '2026-04-05' },
    sanity: [
      { column: 'volume', max: 1e12, min: 0 },
      { column: 'fees', max: null, min: 0 },
    ],
    spotCheck: {
      upstreamSql: `SELECT d, sum(amount) AS v FROM ${rel(world.upstream)} WHERE chain = 'eth' AND d >= '2026-04-05' AND d <= '2026-04-06' GROUP BY d;`,
      devSql: `SELECT d, volume FROM ${rel(world.dev)} WHERE chain = 'eth' AND d >= '2026-04-05' AND d <= '2026-04-06'`,
      tolerance: 1e-9,
    },
    outliers: { top: 5, explainAbove: 0.05, columns: null },
    partitions: { column: 'd', grain: 'month' },
  };
}

/** The range the backfill touched, by day, one outlier per column above 10%. */
export function scopedSpec(world: World): CompareSpec {
  return {
    dev: world.dev,
    prod: world.prod,
    key: ['chain', 'd'],
    scope: { column: 'd', from: '2026-04-05', to: '2026-04-09' },
    historyBefore: null,
    sanity: [
      { column: 'volume', max: 1e12, min: 0 },
      { column: 'fees', max: null, min: 0 },
    ],
    spotCheck: null,
    outliers: { top: 1, explainAbove: 0.1, columns: null },
    partitions: { column: 'd', grain: 'day' },
  };
}

const SCHEMA = (world: World): Comparison['schema'] => ({
  added: [world.col('price')],
  removed: [world.col('legacy_flag')],
  retyped: [world.col('txs')],
  types: [{ column: world.col('txs'), dev: world.txsTypes.dev, prod: world.txsTypes.prod }],
});

/** fullSpec's comparison, without `statements` and `millis`. */
export function expectedFull(world: World): Omit<Comparison, 'statements' | 'millis'> {
  const c = (name: string): string => world.col(name);
  return {
    dev: world.dev,
    prod: world.prod,
    key: ['chain', 'd'],
    scope: null,
    rowCounts: { dev: 22, prod: 21 },
    // 19 keys on both sides; (eth|gno, 04-09) only in dev, (gno, 04-08) only in prod; (gno, 04-09) twice in dev,
    // (gno, 03-31) twice in prod.
    keys: { onlyInDev: 2, onlyInProd: 1, duplicatedInDev: 1, duplicatedInProd: 1, matched: 19 },
    samples: { onlyInDev: [['eth', '2026-04-09'], ['gno', '2026-04-09']], onlyInProd: [['gno', '2026-04-08']] },
    schema: SCHEMA(world),
    // 18 comparable keys (19 matched minus the duplicated (gno, 03-31)); 5 of them changed.
    changedRows: 5,
    matchRates: [
      { column: c('volume'), matched: 15, total: 18, rate: 15 / 18 },
      { column: c('fees'), matched: 17, total: 18, rate: 17 / 18 },
      { column: c('txs'), matched: 17, total: 18, rate: 17 / 18 },
    ],
    // Before 04-05: 12 keys; (gno, 04-01)'s volume and (gno, 03-31)'s second prod row differ.
    history: { before: '2026-04-05', rows: 12, differing: 2, columns: [{ column: c('volume'), differing: 1 }, { column: c('fees'), differing: 0 }, { column: c('txs'), differing: 0 }] },
    anomalies: [
      { column: 'volume', max: 1e12, min: 0, rows: 1 },
      { column: 'fees', max: null, min: 0, rows: 2 },
    ],
    spotCheck: { rows: 2, differing: 1, samples: [{ key: ['2026-04-05'], upstream: 1060, dev: 1073.25 }] },
    outliers: [
      { key: ['eth', '2026-04-06'], column: c('volume'), prod: 1070, dev: 1337.5, relDelta: 0.25, needsExplanation: true },
      { key: ['eth', '2026-04-05'], column: c('volume'), prod: 1060, dev: 1073.25, relDelta: 0.0125, needsExplanation: false },
      { key: ['gno', '2026-04-01'], column: c('volume'), prod: 510, dev: 510.5, relDelta: 0.5 / 510, needsExplanation: false },
      { key: ['gno', '2026-04-06'], column: c('fees'), prod: 12, dev: null, relDelta: null, needsExplanation: true },
      { key: ['gno', '2026-04-05'], column: c('txs'), prod: 56, dev: 70, relDelta: 0.25, needsExplanation: true },
    ],
    partitions: [
      { partition: '2026-03-01', dev: 4, prod: 5 },
      { partition: '2026-04-01', dev: 18, prod: 16 },
    ],
  };
}

/** scopedSpec's comparison, without `statements` and `millis`. */
export function expectedScoped(world: World): Omit<Comparison, 'statements' | 'millis'> {
  const c = (name: string): string => world.col(name);
  return {
    dev: world.dev,
    prod: world.prod,
    key: ['chain', 'd'],
    scope: { column: 'd', from: '2026-04-05', to: '2026-04-09' },
    rowCounts: { dev: 10, prod: 8 },
    keys: { onlyInDev: 2, onlyInProd: 1, duplicatedInDev: 1, duplicatedInProd: 0, matched: 7 },
    samples: { onlyInDev: [['eth', '2026-04-09'], ['gno', '2026-04-09']], onlyInProd: [['gno', '2026-04-08']] },
    schema: SCHEMA(world),
    changedRows: 4,
    matchRates: [
      { column: c('volume'), matched: 5, total: 7, rate: 5 / 7 },
      { column: c('fees'), matched: 6, total: 7, rate: 6 / 7 },
      { column: c('txs'), matched: 6, total: 7, rate: 6 / 7 },
    ],
    history: null,
    anomalies: [
      { column: 'volume', max: 1e12, min: 0, rows: 1 },
      { column: 'fees', max: null, min: 0, rows: 2 },
    ],
    spotCheck: null,
    outliers: [
      { key: ['eth', '2026-04-06'], column: c('volume'), prod: 1070, dev: 1337.5, relDelta: 0.25, needsExplanation: true },
      { key: ['gno', '2026-04-06'], column: c('fees'), prod: 12, dev: null, relDelta: null, needsExplanation: true },
      { key: ['gno', '2026-04-05'], column: c('txs'), prod: 56, dev: 70, relDelta: 0.25, needsExplanation: true },
    ],
    partitions: [
      { partition: '2026-04-05', dev: 2, prod: 2 },
      { partition: '2026-04-06', dev: 2, prod: 2 },
      { partition: '2026-04-07', dev: 2, prod: 2 },
      { partition: '2026-04-08', dev: 1, prod: 2 },
      { partition: '2026-04-09', dev: 3, prod: 0 },
    ],
  };
}

export function withoutTiming(c: Comparison): Omit<Comparison, 'statements' | 'millis'> {
  const { statements: _s, millis: _m, ...rest } = c;
  return rest;
}
