import type { SqlParam, SqlParams } from './sqlValue';
import type { Engine } from './warehouseError';

export type Row = Record<string, unknown>;

export interface StatementOptions {
  /**
   * Engine settings for this one statement: ClickHouse request settings (`optimize_throw_if_noop`,
   * `mutations_sync`), Snowflake statement parameters. DuckDB takes none.
   */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** Give up (and say so) after this long. */
  timeoutMs?: number;
}

/**
 * What a server can do, measured by probing it (not guessed from the version), so plans can pick SQL that runs on
 * ClickHouse 18.16 as on 26.
 */
export interface Capabilities {
  engine: Engine;
  version: string;
  /** `count() OVER ()`. */
  windowFunctions: boolean;
  /** Bound parameters; without them values are validated and written as literals. */
  queryParameters: boolean;
  /** `WITH name AS (SELECT ...)`. */
  cteSubqueries: boolean;
  /** ClickHouse: `KILL MUTATION`. */
  killMutation: boolean;
  /** ClickHouse: `EXCHANGE TABLES` in the target's database (needs an Atomic database). */
  exchangeTables: boolean;
  /** ClickHouse: the `optimize_throw_if_noop` setting (sent per request, which 18.16 accepts too). */
  optimizeThrowIfNoop: boolean;
  /** ClickHouse: the `mutations_sync` setting. */
  mutationsSync: boolean;
  /** ClickHouse: `system.mutations.latest_fail_reason`. */
  mutationFailReason: boolean;
  /** ClickHouse: the `join_algorithm` setting (the refill hooks' `grace_hash`). */
  joinAlgorithm: boolean;
  /** Snowflake: zero-copy `CREATE TABLE ... CLONE`. */
  zeroCopyClone: boolean;
}

/**
 * One connection to one warehouse. `{name}` placeholders in `sql` take their values from `params`: bound where the
 * engine has parameters, else validated and written as quoted literals (see bindPlaceholders).
 */
export interface Warehouse {
  readonly engine: Engine;
  /** Where it is connected, without credentials (for logs and journals). */
  readonly description: string;
  query<T extends Row = Row>(sql: string, params?: SqlParams, options?: StatementOptions): Promise<T[]>;
  exec(sql: string, params?: SqlParams, options?: StatementOptions): Promise<void>;
  close(): Promise<void>;
  quoteIdent(name: string): string;
  quoteLiteral(value: SqlParam): string;
  relation(database: string | null | undefined, schema: string, name: string): string;
  capabilities(): Promise<Capabilities>;
}
