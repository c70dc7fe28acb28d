export type { CompareSpec, Comparison, ColumnType, Outlier, RelationRef, SchemaDiff } from './types';
export { compareRelations } from './compareRelations';
export { compareDialectFor, type CompareDialect, type CompareDialectOptions } from './compareDialect';
export { columnPlan, isNumericType, resolveColumn, type CatalogColumn, type ColumnPlan, type PlannedColumn } from './columnPlan';
export {
  columnsSql,
  diffSummarySql,
  dropScratchSql,
  groupedDiffSql,
  joinCountsSql,
  joinDiffSql,
  keySamplesSql,
  nextDay,
  outliersSql,
  rangeWhere,
  scratchFromJoinSql,
  sideCountsSql,
  spotCheckSql,
  type CompareTarget,
  type RowRange,
  type SanityCheck,
} from './compareSql';
export { comparisonChecks, comparisonToJson, type ComparisonChecks, type ComparisonJson } from './comparisonToJson';
export { renderComparisonText } from './renderComparisonText';
export { unexplainedOutliers, type OutlierExplanation } from './unexplainedOutliers';
