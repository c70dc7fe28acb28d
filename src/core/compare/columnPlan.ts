import { invalidInput } from '../warehouse/warehouseError';
import type { CompareDialect } from './compareDialect';
import type { CompareSpec, SchemaDiff } from './types';

/** A column as the engine's catalog lists it. */
export interface CatalogColumn {
  name: string;
  type: string;
}

/** A column present on both sides, with the expression that reads it on each. */
export interface PlannedColumn {
  /** As dev's catalog spells it. */
  name: string;
  dev: string;
  prod: string;
  /** Numeric on both sides (outliers, sanity thresholds). */
  numeric: boolean;
}

export interface ColumnPlan {
  keys: PlannedColumn[];
  /** Common non-key columns, in dev's order: the ones rows are compared on. */
  values: PlannedColumn[];
  schema: SchemaDiff;
  /** Dev's columns, to check the names a spec uses (sanity rules, partitions). */
  dev: CatalogColumn[];
}

const CLICKHOUSE_NUMERIC = /^(U?Int\d+|Float\d+|Decimal(\d+)?\(.*\)|Decimal\d*)$/;
const SQL_NUMERIC = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|BYTEINT|FLOAT|FLOAT4|FLOAT8|DOUBLE|DOUBLE PRECISION|REAL|DECIMAL|NUMERIC|NUMBER)\b/i;

/** Numeric types by the engine's catalog names (ClickHouse's inside Nullable/LowCardinality). */
export function isNumericType(engine: CompareDialect['engine'], type: string): boolean {
  if (engine !== 'clickhouse') return SQL_NUMERIC.test(type.trim());
  let t = type.trim();
  for (let m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t); m; m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t)) t = m[2]!;
  return CLICKHOUSE_NUMERIC.test(t);
}

/** Do two catalog names name the same column? ClickHouse and Snowflake catalogs are exact; DuckDB's names are not. */
function sameName(engine: CompareDialect['engine'], a: string, b: string): boolean {
  return engine === 'duckdb' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The catalog column a name from the spec means: the exact name, else (Snowflake) the name folded to upper case as
 * Snowflake folds unquoted names, else (DuckDB, Snowflake) the one column equal ignoring case.
 */
export function resolveColumn(engine: CompareDialect['engine'], columns: CatalogColumn[], name: string): CatalogColumn | undefined {
  const exact = columns.find((c) => c.name === name);
  if (exact || engine === 'clickhouse') return exact;
  if (engine === 'snowflake') {
    const folded = columns.find((c) => c.name === name.toUpperCase());
    if (folded) return folded;
  }
  const loose = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  return loose.length === 1 ? loose[0] : undefined;
}

function missing(what: string, name: string, side: string, columns: CatalogColumn[], engine: CompareDialect['engine']): Error {
  const shown = columns.map((c) => c.name).join(', ');
  return invalidInput(`The ${what} column ${JSON.stringify(name)} is not a column of the ${side} relation (its columns: ${shown}).`, 'Check the spelling (and, on ClickHouse, the case).', engine);
}

/**
 * Matches dev's and prod's catalogs: the schema diff, the key columns, and the common columns rows are compared on.
 * A column whose type changed is compared as DOUBLE when both types are numeric, else as text, so the two sides
 * can meet in one UNION ALL or join on every engine.
 */
export function columnPlan(d: CompareDialect, spec: Pick<CompareSpec, 'key'>, devColumns: CatalogColumn[], prodColumns: CatalogColumn[]): ColumnPlan {
  const engine = d.engine;
  if (spec.key.length === 0) throw invalidInput('The comparison has no key columns.', "Give the model's unique_key (or --key k1,k2).", engine);
  const inProd = (c: CatalogColumn): CatalogColumn | undefined => prodColumns.find((p) => sameName(engine, p.name, c.name));
  const plan = (dev: CatalogColumn, prod: CatalogColumn): PlannedColumn => {
    const devNumeric = isNumericType(engine, dev.type);
    const prodNumeric = isNumericType(engine, prod.type);
    const numeric = devNumeric && prodNumeric;
    const [a, b] = [d.catalogIdent(dev.name), d.catalogIdent(prod.name)];
    if (dev.type === prod.type) return { name: dev.name, dev: a, prod: b, numeric };
    return numeric ? { name: dev.name, dev: d.double(a), prod: d.double(b), numeric } : { name: dev.name, dev: d.text(a), prod: d.text(b), numeric };
  };
  const keys = spec.key.map((k) => {
    const dev = resolveColumn(engine, devColumns, k);
    if (!dev) throw missing('key', k, 'dev', devColumns, engine);
    const prod = resolveColumn(engine, prodColumns, k) ?? inProd(dev);
    if (!prod) throw missing('key', k, 'prod', prodColumns, engine);
    return plan(dev, prod);
  });
  if (new Set(keys.map((k) => k.name)).size !== keys.length) throw invalidInput(`The key names a column twice (${spec.key.join(', ')}).`, 'List each key column once.', engine);
  const keyNames = new Set(keys.map((k) => k.name));
  const values: PlannedColumn[] = [];
  const added: string[] = [];
  const retyped: string[] = [];
  const types: SchemaDiff['types'] = [];
  for (const dev of devColumns) {
    const prod = inProd(dev);
    if (!prod) {
      added.push(dev.name);
      continue;
    }
    if (dev.type !== prod.type) {
      retyped.push(dev.name);
      types.push({ column: dev.name, dev: dev.type, prod: prod.type });
    }
    if (!keyNames.has(dev.name)) values.push(plan(dev, prod));
  }
  const removed = prodColumns.filter((p) => !devColumns.some((c) => sameName(engine, c.name, p.name))).map((p) => p.name);
  return { keys, values, schema: { added, removed, retyped, types }, dev: devColumns };
}
