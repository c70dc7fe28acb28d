import { activePartitionsSql, tableInfoSql } from './clickhouseSql';
import { cloneStatements } from './cloneStatements';
import type { TableRef } from './promotionStatements';
import { cloneTableSql, SnowflakeWarehouse, type TableKind } from './snowflakeWarehouse';
import type { Warehouse } from './warehouse';
import { invalidInput, WarehouseError } from './warehouseError';

export interface CloneOutcome {
  /** Every statement sent that changes something, in order (a Snowflake clone refused for its kind included). */
  statements: string[];
  /** Snowflake: the kind the copy was made as. */
  kind: TableKind | null;
  /** Snowflake refused the first kind and the other was used (`refusal` says why). */
  fellBack: boolean;
  refusal: string | null;
  /** ClickHouse: the partitions copied (null when the rows were copied with INSERT SELECT). */
  partitions: number | null;
}

const label = (t: TableRef): string => [t.database, t.schema, t.name].filter((p) => p).join('.');

/**
 * Replaces `target` with a copy of `source` (the dev build's "clone prod into dev" before a backfill), as
 * cloneStatements shows: Snowflake a zero-copy clone (transient first, the other kind when refused), DuckDB a CTAS,
 * ClickHouse the same engine and keys with every active partition copied by hard links (a table without partitions
 * by INSERT SELECT). ClickHouse refuses Replicated tables: `CREATE TABLE ... AS` would give the copy the source's
 * ZooKeeper path.
 */
export async function cloneRelation(w: Warehouse, source: TableRef, target: TableRef, opts: { kind?: TableKind } = {}): Promise<CloneOutcome> {
  if (label(source) === label(target)) throw invalidInput(`The clone's source and target are the same relation (${label(source)}).`, 'Clone into the dev location.', w.engine);
  const statements: string[] = [];
  const run = async (sql: string): Promise<void> => {
    statements.push(sql);
    await w.exec(sql);
  };
  if (w.engine === 'snowflake') {
    if (!(w instanceof SnowflakeWarehouse)) throw new Error('cloneRelation on Snowflake needs a SnowflakeWarehouse');
    const first = opts.kind ?? 'transient';
    const [src, dst] = [w.relation(source.database, source.schema, source.name), w.relation(target.database, target.schema, target.name)];
    const r = await w.cloneTable(dst, src, { prefer: first });
    return { statements: r.fellBack ? [cloneTableSql(dst, src, first), r.statement] : [r.statement], kind: r.kind, fellBack: r.fellBack, refusal: r.refusal, partitions: null };
  }
  if (w.engine === 'duckdb') {
    for (const sql of cloneStatements('duckdb', source, target)) await run(sql);
    return { statements, kind: null, fellBack: false, refusal: null, partitions: null };
  }
  const [info] = await w.query<{ engine: string }>(tableInfoSql(source.schema, source.name).sql);
  if (!info) throw invalidInput(`The relation ${label(source)} does not exist, so there is nothing to clone.`, 'Check the database (dbt schema) and the alias.', 'clickhouse');
  if (/^Replicated/.test(info.engine)) {
    throw new WarehouseError({
      kind: 'unsupported',
      engine: 'clickhouse',
      problem: `${label(source)} is a ${info.engine} table: CREATE TABLE ... AS would give the copy the same ZooKeeper path and replica.`,
      remedy: `Create ${label(target)} by hand with its own ZooKeeper path, then copy each partition with ALTER TABLE ... REPLACE PARTITION ... FROM.`,
    });
  }
  if (/View|Dictionary|Distributed|Merge$|Buffer|Kafka|Null/.test(info.engine) && !/MergeTree$/.test(info.engine)) {
    throw invalidInput(`${label(source)} is a ${info.engine}, not a table holding rows, so there is nothing to clone.`, 'Clone the table it reads, or rebuild it with dbt in dev.', 'clickhouse');
  }
  const partitionIds = /MergeTree$/.test(info.engine)
    ? (await w.query<{ partition_id: string }>(activePartitionsSql(source.schema, source.name).sql)).map((p) => p.partition_id)
    : null;
  for (const sql of cloneStatements('clickhouse', source, target, { partitionIds })) await run(sql);
  return { statements, kind: null, fellBack: false, refusal: null, partitions: partitionIds ? partitionIds.length : null };
}
