/**
 * The SQL of a dev-build plan's checks, per engine: pure functions of relations and validated values, so the plan
 * shows exactly what the runner sends. Identifiers are quoted by the engine's dialect; values are literals of the
 * dialect (names, numbers); nothing comes from free text.
 */
import type { RelationRef } from '../../compare/types';
import { dialectFor } from '../../warehouse/sqlDialect';
import type { Engine } from '../../warehouse/warehouseError';

/** A relation quoted for `engine` (ClickHouse: `db`.`t`, no level above the database). */
export function quotedRelation(engine: Engine, r: RelationRef): string {
  return dialectFor(engine).relation(engine === 'clickhouse' ? null : r.database, r.schema, r.name);
}

/** A relation for people: `DB.SCHEMA.NAME`, `db.name` on ClickHouse. */
export function relationLabel(r: RelationRef): string {
  return [r.database, r.schema, r.name].filter((p) => p !== null && p !== '').join('.');
}

const SNOWFLAKE_UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** How a catalog stores the name: Snowflake folds names valid unquoted to upper case (as the dialect quotes them). */
function storedName(engine: Engine, name: string): string {
  return engine === 'snowflake' && SNOWFLAKE_UNQUOTED.test(name) ? name.toUpperCase() : name;
}

/** Rows `(schema, name, type)` when the relation exists (none when it does not). */
export function relationExistsSql(engine: Engine, r: RelationRef): string {
  const d = dialectFor(engine);
  const lit = (s: string): string => d.quoteLiteral(s);
  switch (engine) {
    case 'clickhouse':
      return `SELECT database AS schema, name, engine AS type FROM system.tables WHERE database = ${lit(r.schema)} AND name = ${lit(r.name)}`;
    case 'duckdb':
      // DuckDB resolves names case-insensitively.
      return [
        'SELECT table_schema AS schema, table_name AS name, table_type AS type FROM information_schema.tables',
        `WHERE lower(table_catalog) = lower(${lit(r.database ?? '')}) AND lower(table_schema) = lower(${lit(r.schema)}) AND lower(table_name) = lower(${lit(r.name)})`,
      ].join('\n');
    case 'snowflake':
      return [
        `SELECT table_schema AS schema, table_name AS name, table_type AS type FROM ${d.quoteIdent(r.database ?? '')}.information_schema.tables`,
        `WHERE table_schema = ${lit(storedName(engine, r.schema))} AND table_name = ${lit(storedName(engine, r.name))}`,
      ].join('\n');
  }
}

/** A regular expression matching `name` as a whole word (not inside a longer identifier), for view definitions. */
function wordPattern(name: string): string | null {
  if (!/^[A-Za-z0-9_$]+$/.test(name)) return null;
  return `(^|[^A-Za-z0-9_$])${name.replace(/\$/g, '\\$')}([^A-Za-z0-9_$]|$)`;
}

/**
 * Rows `(schema, name, type)` of the warehouse's views that read `r` (their definition names it as a whole word),
 * other than `r` itself: what reads the relation outside dbt's graph (the runbook's `SHOW VIEWS LIKE`). ClickHouse:
 * `system.tables` (views and materialized views); Snowflake: the database's `information_schema.views` (views of
 * other databases are not seen); DuckDB: `duckdb_views()`.
 */
export function readingViewsSql(engine: Engine, r: RelationRef): string {
  const d = dialectFor(engine);
  const lit = (s: string): string => d.quoteLiteral(s);
  const pattern = wordPattern(r.name);
  switch (engine) {
    case 'clickhouse': {
      const matches = pattern ? `match(create_table_query, ${lit(`(?i)${pattern}`)})` : `positionCaseInsensitive(create_table_query, ${lit(r.name)}) > 0`;
      return [
        'SELECT database AS schema, name, engine AS type FROM system.tables',
        `WHERE engine IN ('View', 'MaterializedView', 'LiveView') AND ${matches}`,
        `AND NOT (database = ${lit(r.schema)} AND name = ${lit(r.name)})`,
        'ORDER BY database, name',
      ].join('\n');
    }
    case 'duckdb': {
      const matches = pattern ? `regexp_matches(sql, ${lit(pattern)}, 'i')` : `contains(lower(sql), lower(${lit(r.name)}))`;
      return [
        "SELECT schema_name AS schema, view_name AS name, 'VIEW' AS type FROM duckdb_views()",
        `WHERE NOT internal AND lower(database_name) = lower(${lit(r.database ?? '')}) AND ${matches}`,
        'ORDER BY schema_name, view_name',
      ].join('\n');
    }
    case 'snowflake': {
      // ILIKE rather than a regular expression: it reads the same on Snowflake and on the DuckDB of the test server
      // (a name inside a longer one is listed too, which only adds a line to read).
      const matches = `view_definition ILIKE ${lit(`%${storedName(engine, r.name)}%`)}`;
      return [
        `SELECT table_schema AS schema, table_name AS name, 'VIEW' AS type FROM ${d.quoteIdent(r.database ?? '')}.information_schema.views`,
        `WHERE ${matches}`,
        'ORDER BY table_schema, table_name',
      ].join('\n');
    }
  }
}

/** A sanity rule on one column: a value above `max` or below `min` is anomalous. */
export interface SanityRule {
  column: string;
  max: number | null;
  min: number | null;
}

/**
 * The verification right after a promotion, as a check that has rows only when something is wrong: `(n,
 * bad_rows)` when the production relation is empty or holds a value outside a sanity rule (the runbook's "verify
 * immediately").
 */
export function verifyPromotionSql(engine: Engine, r: RelationRef, sanity: readonly SanityRule[]): string {
  const d = dialectFor(engine);
  const conds = sanity.flatMap((s) => {
    const c = d.quoteIdent(s.column);
    return [...(s.max !== null ? [`${c} > ${d.quoteLiteral(s.max)}`] : []), ...(s.min !== null ? [`${c} < ${d.quoteLiteral(s.min)}`] : [])];
  });
  const bad = conds.length > 0 ? `sum(CASE WHEN ${conds.join(' OR ')} THEN 1 ELSE 0 END)` : '0';
  return [`SELECT n, bad_rows FROM (SELECT count(*) AS n, ${bad} AS bad_rows FROM ${quotedRelation(engine, r)}) AS v`, 'WHERE n = 0 OR bad_rows > 0'].join('\n');
}

/** `DROP TABLE IF EXISTS <dev>`: the optional cleanup. */
export function dropTableSql(engine: Engine, r: RelationRef): string {
  return `DROP TABLE IF EXISTS ${quotedRelation(engine, r)}`;
}
