export type { Capabilities, Row, StatementOptions, Warehouse } from './warehouse';
export { WarehouseError, type Engine, type WarehouseErrorKind } from './warehouseError';
export { isIsoDate, sqlDate, SqlDate, type SqlParam, type SqlParams } from './sqlValue';
export { checkIdentifier, clickhouseDialect, dialectFor, duckdbDialect, snowflakeDialect, type SqlDialect } from './sqlDialect';
export { bindPlaceholders } from './placeholders';
export {
  activePartitionsSql,
  dataPathSql,
  killMutationSql,
  optimizePartitionSql,
  pendingMutationsSql,
  statementText,
  tableInfoSql,
  type ClickHouseStatement,
  type OptimizeOptions,
  type PartitionSpec,
} from './clickhouseSql';
export { ClickHouseWarehouse, type ActivePartition, type ClickHouseConnectionInfo, type OptimizeResult, type PendingMutation } from './clickhouseWarehouse';
export { DuckDbWarehouse } from './duckdbWarehouse';
export { cloneTableSql, SnowflakeWarehouse, type CloneResult, type SnowflakeConnectOptions, type TableKind } from './snowflakeWarehouse';
export { openWarehouse, type OpenWarehouseOptions } from './openWarehouse';
export { BEFORE_PROMOTION_SUFFIX, promotionStatements, type PromotionMethod, type PromotionOptions, type PromotionStatements, type TableRef } from './promotionStatements';
export { cloneStatements, type CloneOptions } from './cloneStatements';
export { cloneRelation, type CloneOutcome } from './cloneRelation';
export { promoteRelation, type PromotionOutcome } from './promoteRelation';
export { driversDir, DRIVERS, installDriverArgv, loadDriver, type DriverName } from './loadDriver';
