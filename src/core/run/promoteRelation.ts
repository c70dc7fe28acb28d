import type { RelationRef } from '../compare/types';
import { quotedRelation } from '../plan/devbuild/devBuildSql';
import { ClickHouseWarehouse } from '../warehouse/clickhouseWarehouse';
import { SnowflakeWarehouse } from '../warehouse/snowflakeWarehouse';
import type { Warehouse } from '../warehouse/warehouse';

/**
 * Puts `dev` in place of `prod` (a `promote-table` step) and returns the statements sent: Snowflake a zero-copy
 * clone of dev over prod (transient first, as dbt's tables usually are), ClickHouse `EXCHANGE TABLES` where the
 * server has it (the old production rows then sit in dev), else one atomic `RENAME` keeping them as
 * `<prod>__before_promotion`, DuckDB `CREATE OR REPLACE TABLE prod AS SELECT * FROM dev`. These are the statements
 * the dev-build plan shows at its promotion gate.
 */
export async function promoteRelation(w: Warehouse, dev: RelationRef, prod: RelationRef): Promise<string[]> {
  const d = quotedRelation(w.engine, dev);
  const p = quotedRelation(w.engine, prod);
  if (w instanceof SnowflakeWarehouse) return [(await w.cloneTable(p, d)).statement];
  if (w instanceof ClickHouseWarehouse) {
    const sql = (await w.capabilities()).exchangeTables
      ? `EXCHANGE TABLES ${d} AND ${p}`
      : `RENAME TABLE ${p} TO ${quotedRelation(w.engine, { ...prod, name: `${prod.name}__before_promotion` })}, ${d} TO ${p}`;
    await w.exec(sql);
    return [sql];
  }
  const sql = `CREATE OR REPLACE TABLE ${p} AS SELECT * FROM ${d}`;
  await w.exec(sql);
  return [sql];
}
