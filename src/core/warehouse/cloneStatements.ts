import type { TableRef } from './promotionStatements';
import { cloneTableSql, type TableKind } from './snowflakeWarehouse';
import { dialectFor } from './sqlDialect';
import type { Engine } from './warehouseError';

export interface CloneOptions {
  /**
   * ClickHouse: the source's active partition IDs (system.parts), copied one by one with `REPLACE PARTITION ... FROM`
   * (hard links, no row copy). Null: the source is not a MergeTree table, so its rows are copied with INSERT SELECT.
   */
  partitionIds?: string[] | null;
  /** Snowflake: the kind the copy is cloned as first (default transient). */
  kind?: TableKind;
}

/**
 * The statements that replace `target` with a copy of `source`, exactly as cloneRelation sends them:
 * - ClickHouse: `CREATE TABLE target AS source` (same columns, engine, partition and sort keys), then each active
 *   partition `ALTER TABLE target REPLACE PARTITION ID '...' FROM source`; the dev database is created if missing;
 * - DuckDB: `CREATE OR REPLACE TABLE target AS SELECT * FROM source` (the schema created if missing);
 * - Snowflake: a zero-copy `CREATE OR REPLACE TRANSIENT TABLE target CLONE source` (cloneRelation falls back to the
 *   other kind when Snowflake refuses this one).
 */
export function cloneStatements(engine: Engine, source: TableRef, target: TableRef, opts: CloneOptions = {}): string[] {
  const q = dialectFor(engine);
  const src = q.relation(source.database, source.schema, source.name);
  const dst = q.relation(target.database, target.schema, target.name);
  switch (engine) {
    case 'clickhouse': {
      const copy =
        opts.partitionIds === null || opts.partitionIds === undefined
          ? [`INSERT INTO ${dst} SELECT * FROM ${src}`]
          : opts.partitionIds.map((id) => `ALTER TABLE ${dst} REPLACE PARTITION ID ${q.quoteLiteral(id)} FROM ${src}`);
      return [`CREATE DATABASE IF NOT EXISTS ${q.quoteIdent(target.schema)}`, `DROP TABLE IF EXISTS ${dst}`, `CREATE TABLE ${dst} AS ${src}`, ...copy];
    }
    case 'duckdb': {
      const schema = q.relation(target.database, target.schema, 'x');
      return [`CREATE SCHEMA IF NOT EXISTS ${schema.slice(0, schema.lastIndexOf('.'))}`, `CREATE OR REPLACE TABLE ${dst} AS SELECT * FROM ${src}`];
    }
    case 'snowflake':
      return [cloneTableSql(dst, src, opts.kind ?? 'transient')];
  }
}
