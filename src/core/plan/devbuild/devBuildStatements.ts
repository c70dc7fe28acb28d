import type { CompareSpec, RelationRef } from '../../compare/types';
import type { Engine } from '../../warehouse/warehouseError';
import { quotedRelation, relationLabel } from './devBuildSql';

export interface DevBuildStatements {
  /** Backfill: production copied into dev, as the warehouse clones (the statements, alternatives as comments). */
  clone: string[];
  /** The promotion, exactly as it may run (alternatives the runner picks at run time are said in comments). */
  promote: string[];
  promotionNote: string;
  cleanupNote: string;
  /** What the comparison will run, for display (its statements depend on the columns, read at run time). */
  compare: (spec: CompareSpec) => string[];
}

/** The statements of a dev build's clone and promotion on `engine`, for the plan to show. */
export function devBuildStatements(engine: Engine, dev: RelationRef, prod: RelationRef): DevBuildStatements {
  const d = quotedRelation(engine, dev);
  const p = quotedRelation(engine, prod);
  const compare = (spec: CompareSpec): string[] => [
    `-- computed in the warehouse from the columns both relations have (read from the catalog when the step runs): ` +
      `row and key counts, keys only on one side and duplicated, schema diff, per-column match rates` +
      `${spec.historyBefore ? ', history before the backfill date' : ''}${spec.sanity.length ? ', sanity thresholds' : ''}${spec.spotCheck ? ', the spot check' : ''}` +
      `, top ${spec.outliers.top} outliers per numeric column${spec.partitions ? `, ${spec.partitions.grain} counts` : ''}; the journal keeps every statement sent`,
    `-- dev  ${d}`,
    `-- prod ${p}`,
  ];
  switch (engine) {
    case 'snowflake':
      return {
        clone: [`CREATE OR REPLACE TRANSIENT TABLE ${d} CLONE ${p}`, `-- if Snowflake refuses the transient kind for this source: CREATE OR REPLACE TABLE ${d} CLONE ${p}`],
        promote: [`CREATE OR REPLACE TRANSIENT TABLE ${p} CLONE ${d}`, `-- if Snowflake refuses the transient kind for this source: CREATE OR REPLACE TABLE ${p} CLONE ${d}`],
        promotionNote: `a zero-copy clone of ${relationLabel(dev)} replaces ${relationLabel(prod)} in one statement; dev keeps its copy`,
        cleanupNote: 'the dev table is the audit trail of this promotion; keep it if you want one.',
        compare,
      };
    case 'duckdb':
      return {
        clone: [`CREATE SCHEMA IF NOT EXISTS ${d.slice(0, d.lastIndexOf('.'))}`, `CREATE OR REPLACE TABLE ${d} AS SELECT * FROM ${p}`],
        promote: [`CREATE OR REPLACE TABLE ${p} AS SELECT * FROM ${d}`],
        promotionNote: `${relationLabel(prod)} is replaced by a copy of ${relationLabel(dev)} in one statement; dev keeps its copy`,
        cleanupNote: 'the dev table is the audit trail of this promotion; keep it if you want one.',
        compare,
      };
    case 'clickhouse':
      return {
        clone: [
          `DROP TABLE IF EXISTS ${d}`,
          `CREATE TABLE ${d} AS ${p}`,
          `-- then, for each active partition of ${p}: ALTER TABLE ${d} ATTACH PARTITION ID '<id>' FROM ${p}`,
        ],
        promote: [`EXCHANGE TABLES ${d} AND ${p}`, `-- where the server has no EXCHANGE TABLES (an Ordinary database, ClickHouse before 20.x): RENAME TABLE ${p} TO ${quotedRelation(engine, { ...prod, name: `${prod.name}__before_promotion` })}, ${d} TO ${p}`],
        promotionNote: `${relationLabel(dev)} and ${relationLabel(prod)} are swapped atomically; the old production rows stay in ${relationLabel(dev)} (or in ${prod.name}__before_promotion after a RENAME) for a rollback`,
        cleanupNote: `after the swap the dev relation holds the old production rows (the rollback copy); drop it only when the promotion is verified.`,
        compare,
      };
  }
}
