import type { CompareSpec, RelationRef } from '../../compare/types';
import { cloneStatements } from '../../warehouse/cloneStatements';
import { promotionStatements } from '../../warehouse/promotionStatements';
import { cloneTableSql } from '../../warehouse/snowflakeWarehouse';
import type { Engine } from '../../warehouse/warehouseError';
import { quotedRelation } from './devBuildSql';

export interface DevBuildStatements {
  /** Backfill: production copied into dev, as the warehouse clones (what may vary at run time said in comments). */
  clone: string[];
  /** The promotion, exactly as it may run (the alternative the runner picks at run time said in a comment). */
  promote: string[];
  promotionNote: string;
  cleanupNote: string;
  /** What the comparison will run, for display (its statements depend on the columns, read at run time). */
  compare: (spec: CompareSpec) => string[];
}

/**
 * The statements of a dev build's clone and promotion on `engine`, for the plan to show, from the warehouse's own
 * builders (cloneStatements, promotionStatements: what cloneRelation and promoteRelation send). What only the run
 * can know is shown as a comment: ClickHouse's partitions, whether the server has EXCHANGE TABLES, Snowflake's
 * fallback kind.
 */
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
  const cleanupNote = 'the dev table is the audit trail of this promotion; keep it if you want one.';
  switch (engine) {
    case 'snowflake': {
      const promotion = promotionStatements(engine, dev, prod);
      return {
        clone: [...cloneStatements(engine, prod, dev), `-- if Snowflake refuses the transient kind for this source: ${cloneTableSql(d, p, 'permanent')}`],
        promote: [...promotion.statements, ...promotion.fallback.map((f) => `-- if Snowflake refuses the transient kind for this source: ${f}`)],
        promotionNote: promotion.note,
        cleanupNote,
        compare,
      };
    }
    case 'duckdb': {
      const promotion = promotionStatements(engine, dev, prod);
      return { clone: cloneStatements(engine, prod, dev), promote: promotion.statements, promotionNote: promotion.note, cleanupNote, compare };
    }
    case 'clickhouse': {
      const exchange = promotionStatements(engine, dev, prod, { exchangeTables: true });
      const rename = promotionStatements(engine, dev, prod, { exchangeTables: false });
      return {
        clone: [
          ...cloneStatements(engine, prod, dev, { partitionIds: [] }),
          `-- then, for each active partition of ${p} (a table without partitions: INSERT INTO ${d} SELECT * FROM ${p}): ALTER TABLE ${d} REPLACE PARTITION ID '<id>' FROM ${p}`,
        ],
        promote: [...exchange.statements, ...rename.statements.map((r) => `-- where the server has no EXCHANGE TABLES (before 20.x, or an Ordinary database): ${r}`)],
        promotionNote: `where the server has EXCHANGE TABLES: ${exchange.note} Elsewhere: ${rename.note}`,
        cleanupNote: `after an EXCHANGE the dev relation holds the previous production rows (the rollback copy); drop it only when the promotion is verified.`,
        compare,
      };
    }
  }
}
