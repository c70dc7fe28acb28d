import { dialectFor, type SqlDialect } from '../warehouse/sqlDialect';
import type { Engine } from '../warehouse/warehouseError';

/**
 * The SQL fragments a comparison needs, per engine: pure, so the statements can be built and tested without a
 * connection. Everything is written to run on ClickHouse 18.16 as on 26 (no CTEs, no window functions, no query
 * parameters), on DuckDB, and on Snowflake (whose test server answers with DuckDB).
 */
export interface CompareDialect {
  readonly engine: Engine;
  readonly sql: SqlDialect;
  /** A quoted column name exactly as the catalog spells it (Snowflake: no case folding, unlike quoteIdent). */
  catalogIdent(name: string): string;
  /** Null-safe equality as a 0/1 (never NULL) condition: `IS NOT DISTINCT FROM` semantics. */
  same(a: string, b: string): string;
  countIf(cond: string): string;
  /** The value of `value` on the rows where `cond` holds (one row per group where it is used; NULL stays NULL). */
  pick(value: string, cond: string): string;
  text(expr: string): string;
  double(expr: string): string;
  isNull(expr: string): string;
  day(expr: string): string;
  month(expr: string): string;
  /** The statement that makes a scratch table from a SELECT, and how later statements name that table. */
  createScratch(ref: string, select: string): string;
  scratchRef(name: string, database: string): string;
}

export interface CompareDialectOptions {
  /** ClickHouse: the server has the `isNotDistinctFrom` function (26.x; not 18.16). */
  isNotDistinctFrom?: boolean;
}

const standard = (engine: 'duckdb' | 'snowflake'): CompareDialect => {
  const sql = dialectFor(engine);
  return {
    engine,
    sql,
    catalogIdent: (name) => (engine === 'snowflake' ? `"${name.replace(/"/g, '""')}"` : sql.quoteIdent(name)),
    same: (a, b) => `(${a} IS NOT DISTINCT FROM ${b})`,
    // DuckDB and Snowflake both spell it COUNT_IF.
    countIf: (cond) => `count_if(${cond})`,
    pick: (value, cond) => `max(CASE WHEN ${cond} THEN ${value} END)`,
    text: (expr) => `CAST(${expr} AS VARCHAR)`,
    double: (expr) => `CAST(${expr} AS DOUBLE)`,
    isNull: (expr) => `(${expr} IS NULL)`,
    day: (expr) => `CAST(${expr} AS DATE)`,
    month: (expr) => `CAST(DATE_TRUNC('MONTH', ${expr}) AS DATE)`,
    // Session-scoped: DuckDB's temp catalog, Snowflake's TEMPORARY table (in the session's schema). Both vanish with
    // the connection, so an interrupted comparison leaves nothing behind.
    createScratch: (ref, select) => `CREATE ${engine === 'duckdb' ? 'TEMP' : 'TEMPORARY'} TABLE ${ref} AS ${select}`,
    scratchRef: (name) => sql.quoteIdent(name),
  };
};

export function compareDialectFor(engine: Engine, options: CompareDialectOptions = {}): CompareDialect {
  if (engine !== 'clickhouse') return standard(engine);
  const sql = dialectFor('clickhouse');
  return {
    engine,
    sql,
    catalogIdent: (name) => sql.quoteIdent(name),
    // `a = b` is NULL when one side is NULL: ifNull makes it 0 so that NOT(...) counts it as a difference.
    same: (a, b) => (options.isNotDistinctFrom ? `isNotDistinctFrom(${a}, ${b})` : `(ifNull(${a} = ${b}, 0) OR (isNull(${a}) AND isNull(${b})))`),
    countIf: (cond) => `countIf(${cond})`,
    // Wrapped in a tuple: 18.16's anyIf over a Nullable column gives 0, not NULL, when the chosen row holds NULL
    // and another row of the group does not (the Null combinator looks at every row, not only the chosen ones).
    pick: (value, cond) => `tupleElement(anyIf(tuple(${value}), ${cond}), 1)`,
    text: (expr) => `toString(${expr})`,
    double: (expr) => `toFloat64(${expr})`,
    isNull: (expr) => `isNull(${expr})`,
    day: (expr) => `toDate(${expr})`,
    month: (expr) => `toStartOfMonth(${expr})`,
    // No session over HTTP: a Log table in the dev database, dropped when the comparison ends.
    createScratch: (ref, select) => `CREATE TABLE ${ref} ENGINE = Log AS ${select}`,
    scratchRef: (name, database) => sql.relation(null, database, name),
  };
}
