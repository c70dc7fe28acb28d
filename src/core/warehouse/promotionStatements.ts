import { cloneTableSql, type TableKind } from './snowflakeWarehouse';
import { dialectFor } from './sqlDialect';
import type { Engine } from './warehouseError';

/** A table as the warehouse names it (the shape of compare's RelationRef); `database` null on ClickHouse. */
export interface TableRef {
  database: string | null;
  schema: string;
  name: string;
}

/** Where ClickHouse's RENAME promotion keeps the table it replaces: next to it, under this suffix. */
export const BEFORE_PROMOTION_SUFFIX = '__before_promotion';

export type PromotionMethod = 'exchange' | 'rename' | 'replace' | 'clone';

export interface PromotionStatements {
  method: PromotionMethod;
  /** The statements, exactly as they will be sent, in order. */
  statements: string[];
  /** Snowflake: what runs instead when Snowflake refuses the table kind ("Transient object cannot be cloned to a
   * permanent object"). Empty elsewhere. */
  fallback: string[];
  /** Where the rows prod had before are afterwards: a table (ClickHouse), or null (replaced: DuckDB, Snowflake,
   * where only Time Travel keeps them). */
  previous: TableRef | null;
  /** One sentence for the plan's gate: what happens to prod, dev and the old rows. */
  note: string;
}

export interface PromotionOptions {
  /** ClickHouse: the server can EXCHANGE TABLES (Capabilities.exchangeTables: 20.x and later, Atomic databases). */
  exchangeTables?: boolean;
  /** Snowflake: the kind prod is cloned as first (default transient, as dbt-snowflake makes tables). */
  kind?: TableKind;
}

const label = (t: TableRef): string => [t.database, t.schema, t.name].filter((p) => p).join('.');

/**
 * How `dev` takes the place of `prod`, as a plan shows it before anything runs (promoteRelation runs exactly these):
 * - ClickHouse `EXCHANGE TABLES prod AND dev` where the server has it: one atomic swap, the old production rows are
 *   then in dev (the rollback copy); else one atomic multi-pair `RENAME TABLE prod TO prod__before_promotion, dev TO
 *   prod`: the old rows are kept under that name, and dev's name is free.
 * - DuckDB: `CREATE OR REPLACE TABLE prod AS SELECT * FROM dev` in a transaction; dev keeps its copy.
 * - Snowflake: a zero-copy `CREATE OR REPLACE TRANSIENT TABLE prod CLONE dev` (the fallback kind when refused); dev
 *   keeps its copy.
 */
export function promotionStatements(engine: Engine, dev: TableRef, prod: TableRef, opts: PromotionOptions = {}): PromotionStatements {
  const q = dialectFor(engine);
  const d = q.relation(dev.database, dev.schema, dev.name);
  const p = q.relation(prod.database, prod.schema, prod.name);
  switch (engine) {
    case 'clickhouse': {
      if (opts.exchangeTables) {
        return {
          method: 'exchange',
          statements: [`EXCHANGE TABLES ${p} AND ${d}`],
          fallback: [],
          previous: dev,
          note: `${label(prod)} and ${label(dev)} are swapped atomically: prod then holds the dev build, and ${label(dev)} the previous production rows (run the same EXCHANGE again to roll back; drop ${label(dev)} once the promotion is verified).`,
        };
      }
      const previous: TableRef = { ...prod, name: `${prod.name}${BEFORE_PROMOTION_SUFFIX}` };
      return {
        method: 'rename',
        statements: [`RENAME TABLE ${p} TO ${q.relation(previous.database, previous.schema, previous.name)}, ${d} TO ${p}`],
        fallback: [],
        previous,
        note: `One atomic RENAME (this server has no EXCHANGE TABLES): the previous production table is kept as ${label(previous)} for a rollback, and ${label(dev)} no longer exists; drop ${label(previous)} once the promotion is verified (a later promotion needs the name free).`,
      };
    }
    case 'duckdb':
      return {
        method: 'replace',
        statements: ['BEGIN TRANSACTION', `CREATE OR REPLACE TABLE ${p} AS SELECT * FROM ${d}`, 'COMMIT'],
        fallback: [],
        previous: null,
        note: `${label(prod)} is replaced by a copy of ${label(dev)} in one transaction (rolled back if the copy fails); ${label(dev)} keeps its rows.`,
      };
    case 'snowflake': {
      const kind = opts.kind ?? 'transient';
      const other: TableKind = kind === 'transient' ? 'permanent' : 'transient';
      return {
        method: 'clone',
        statements: [cloneTableSql(p, d, kind)],
        fallback: [cloneTableSql(p, d, other)],
        previous: null,
        note: `A zero-copy clone of ${label(dev)} replaces ${label(prod)} in one statement (as a ${other} table if Snowflake refuses the ${kind} kind); the previous production rows remain only in Time Travel; ${label(dev)} keeps its rows.`,
      };
    }
  }
}
