import type { RelationRef } from '../compare/types';
import { quotedRelation } from '../plan/devbuild/devBuildSql';
import { ClickHouseWarehouse } from '../warehouse/clickhouseWarehouse';
import { SnowflakeWarehouse } from '../warehouse/snowflakeWarehouse';
import type { Warehouse } from '../warehouse/warehouse';

/**
 * Replaces `target` with a copy of `source` (a `clone-table` step) and returns the statements sent, in order:
 * Snowflake a zero-copy clone (transient first, permanent when Snowflake refuses that kind for the source), DuckDB
 * `CREATE OR REPLACE TABLE ... AS SELECT`, ClickHouse a table of the same engine given the source's active partitions
 * (`ATTACH PARTITION ... FROM`: hard links, no copy), or its rows for an engine without partitions.
 */
export async function cloneRelation(w: Warehouse, source: RelationRef, target: RelationRef): Promise<string[]> {
  const src = quotedRelation(w.engine, source);
  const dst = quotedRelation(w.engine, target);
  const sent: string[] = [];
  const exec = async (sql: string): Promise<void> => {
    await w.exec(sql);
    sent.push(sql);
  };
  if (w instanceof SnowflakeWarehouse) {
    const r = await w.cloneTable(dst, src);
    return [r.statement];
  }
  if (w instanceof ClickHouseWarehouse) {
    await exec(`CREATE DATABASE IF NOT EXISTS ${w.quoteIdent(target.schema)}`);
    await exec(`DROP TABLE IF EXISTS ${dst}`);
    await exec(`CREATE TABLE ${dst} AS ${src}`);
    const [info] = await w.query<{ engine: string }>(`SELECT engine FROM system.tables WHERE database = ${w.quoteLiteral(source.schema)} AND name = ${w.quoteLiteral(source.name)}`);
    if (info && /MergeTree$/.test(info.engine)) {
      for (const p of await w.activePartitions(source.schema, source.name)) await exec(`ALTER TABLE ${dst} ATTACH PARTITION ID ${w.quoteLiteral(p.partitionId)} FROM ${src}`);
    } else {
      await exec(`INSERT INTO ${dst} SELECT * FROM ${src}`);
    }
    return sent;
  }
  await exec(`CREATE SCHEMA IF NOT EXISTS ${dst.slice(0, dst.lastIndexOf('.'))}`);
  await exec(`CREATE OR REPLACE TABLE ${dst} AS SELECT * FROM ${src}`);
  return sent;
}
