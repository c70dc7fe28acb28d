import { clickhouseDialect as ch } from './sqlDialect';
import { invalidInput } from './warehouseError';

/**
 * A ClickHouse statement and the request settings it is sent with. Settings travel as HTTP parameters, not as a
 * `SETTINGS` clause: 18.16 refuses the clause on OPTIMIZE but honours the same setting sent with the request.
 * `text()` is what a plan shows.
 */
export interface ClickHouseStatement {
  sql: string;
  settings: Readonly<Record<string, string | number>>;
}

export function statementText(s: ClickHouseStatement): string {
  const settings = Object.entries(s.settings).map(([k, v]) => `${k} = ${v}`);
  return settings.length ? `${s.sql}  -- with ${settings.join(', ')}` : s.sql;
}

/**
 * The partition of an OPTIMIZE: a value as `system.parts.partition` shows it (`'2026-04-01'` for
 * `toStartOfMonth(date)`, `202604` for `toYYYYMM(date)`), or a partition ID (`{ id: '20260401' }`), which names any
 * partition exactly, tuples and strings included.
 */
export type PartitionSpec = string | number | { id: string };

function partitionSql(p: PartitionSpec): string {
  if (typeof p === 'number') {
    if (!Number.isSafeInteger(p)) throw invalidInput(`The partition ${p} is not an integer.`, 'Give the partition as system.parts shows it.', 'clickhouse');
    return String(p);
  }
  if (typeof p === 'string') {
    if (p === '') throw invalidInput('The partition literal is empty.', 'Give the partition as system.parts shows it, e.g. 2026-04-01.', 'clickhouse');
    return ch.quoteLiteral(p);
  }
  if (!p.id) throw invalidInput('The partition ID is empty.', 'Give system.parts.partition_id, e.g. 20260401.', 'clickhouse');
  return `ID ${ch.quoteLiteral(p.id)}`;
}

export interface OptimizeOptions {
  /** Make a partition that has nothing to merge an error (code 388) instead of a silent no-op. */
  throwIfNoop: boolean;
  final?: boolean;
  deduplicate?: boolean;
}

/** `OPTIMIZE TABLE db.t PARTITION '2026-04-01' FINAL DEDUPLICATE`, with `optimize_throw_if_noop = 1` when asked. */
export function optimizePartitionSql(database: string, table: string, partition: PartitionSpec, opts: OptimizeOptions): ClickHouseStatement {
  const final = opts.final ?? true;
  const dedup = opts.deduplicate ?? true;
  const sql = `OPTIMIZE TABLE ${ch.relation(null, database, table)} PARTITION ${partitionSql(partition)}${final ? ' FINAL' : ''}${dedup ? ' DEDUPLICATE' : ''}`;
  return { sql, settings: opts.throwIfNoop ? { optimize_throw_if_noop: 1 } : {} };
}

/** `ALTER TABLE ... DROP PARTITION ...`: every row of one partition gone at once (no mutation); a partition that has
 * no rows, or a literal that matches none, drops nothing and says nothing. */
export function dropPartitionSql(database: string, table: string, partition: PartitionSpec): ClickHouseStatement {
  return { sql: `ALTER TABLE ${ch.relation(null, database, table)} DROP PARTITION ${partitionSql(partition)}`, settings: {} };
}

/** Active partitions of a table with their part and row counts, from `system.parts`. */
export function activePartitionsSql(database: string, table: string): ClickHouseStatement {
  return {
    sql:
      'SELECT partition, partition_id, count() AS parts, sum(rows) AS rows FROM system.parts ' +
      `WHERE database = ${ch.quoteLiteral(database)} AND table = ${ch.quoteLiteral(table)} AND active ` +
      'GROUP BY partition, partition_id ORDER BY partition_id',
    settings: {},
  };
}

/** The table's engine and partition key, from `system.tables`. */
export function tableInfoSql(database: string, table: string): ClickHouseStatement {
  return {
    sql: `SELECT engine, partition_key FROM system.tables WHERE database = ${ch.quoteLiteral(database)} AND name = ${ch.quoteLiteral(table)}`,
    settings: {},
  };
}

/** The table's data folder on the server (`data_path` up to 20.x; later servers list `data_paths`). */
export function dataPathSql(database: string, table: string, opts: { plural: boolean }): ClickHouseStatement {
  const col = opts.plural ? 'data_paths[1]' : 'data_path';
  return {
    sql: `SELECT ${col} AS data_path FROM system.tables WHERE database = ${ch.quoteLiteral(database)} AND name = ${ch.quoteLiteral(table)}`,
    settings: {},
  };
}

/** Unfinished mutations (`is_done = 0`), oldest first; `latest_fail_reason` only where the server has it (not 18.16). */
export function pendingMutationsSql(database: string | null, opts: { failReason: boolean }): ClickHouseStatement {
  const reason = opts.failReason ? 'latest_fail_reason' : "'' AS latest_fail_reason";
  const where = database === null ? '' : ` AND database = ${ch.quoteLiteral(database)}`;
  return {
    sql: `SELECT database, table, mutation_id, command, toString(create_time) AS create_time, parts_to_do, ${reason} FROM system.mutations WHERE is_done = 0${where} ORDER BY create_time, database, table, mutation_id`,
    settings: {},
  };
}

/** `KILL MUTATION` for one mutation (ClickHouse 19.x and later). */
export function killMutationSql(database: string, table: string, mutationId: string): ClickHouseStatement {
  return {
    sql: `KILL MUTATION WHERE database = ${ch.quoteLiteral(database)} AND table = ${ch.quoteLiteral(table)} AND mutation_id = ${ch.quoteLiteral(mutationId)}`,
    settings: {},
  };
}
