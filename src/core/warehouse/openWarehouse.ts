import type { WarehouseTarget } from '../profiles/warehouseTarget';
import { ClickHouseWarehouse } from './clickhouseWarehouse';
import { DuckDbWarehouse } from './duckdbWarehouse';
import { SnowflakeWarehouse, type SnowflakeConnectOptions } from './snowflakeWarehouse';

export interface OpenWarehouseOptions {
  clickhouse?: { requestTimeoutMs?: number };
  snowflake?: SnowflakeConnectOptions;
}

/** The adapter for a profiles.yml target. DuckDB and Snowflake drivers are loaded only when their target is used. */
export async function openWarehouse(
  target: WarehouseTarget,
  options: OpenWarehouseOptions = {},
): Promise<ClickHouseWarehouse | DuckDbWarehouse | SnowflakeWarehouse> {
  switch (target.type) {
    case 'clickhouse':
      return ClickHouseWarehouse.connect(target, options.clickhouse);
    case 'duckdb':
      return DuckDbWarehouse.open(target);
    case 'snowflake':
      return SnowflakeWarehouse.connect(target, options.snowflake);
  }
}
