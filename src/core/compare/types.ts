/**
 * A dev-vs-prod comparison: what to compare (CompareSpec) and what came out (Comparison). Computed inside the
 * warehouse (no row-by-row transfer), printed by the CLI, rendered by the diff view, recorded in a run's journal, and
 * gated on by CI (`dbt-recovery compare --format json`).
 */

/** A relation as the warehouse names it; `database` is null where the engine has no such level (ClickHouse). */
export interface RelationRef {
  database: string | null;
  schema: string;
  name: string;
}

export interface CompareSpec {
  dev: RelationRef;
  prod: RelationRef;
  /** The key columns rows are matched on (from the model's `unique_key`, or given). */
  key: string[];
  /** Only rows with `partition.column` in [from, to] (inclusive, YYYY-MM-DD) are compared: the range a recovery
   * touched. Null: the whole tables. */
  scope: { column: string; from: string | null; to: string | null } | null;
  /** (a) Backfill mode: rows before this day must be identical column by column (IS NOT DISTINCT FROM). */
  historyBefore: { column: string; before: string } | null;
  /** (b) Per-column sanity thresholds: a dev value above `max` (or below `min`) is anomalous. */
  sanity: Array<{ column: string; max: number | null; min: number | null }>;
  /** (c) A spot check: a query the user supplies against the true upstream, and the dev query to compare it with;
   * both must return rows `(key..., value)`. */
  spotCheck: { upstreamSql: string; devSql: string; tolerance: number } | null;
  /** (d) Top outliers: the `top` keys with the largest relative change per numeric column; every one above
   * `explainAbove` (0.05 = 5%) must be explained before promotion. */
  outliers: { top: number; explainAbove: number; columns: string[] | null };
  /** Per-partition counts of the scoped range, by day or month of this column. */
  partitions: { column: string; grain: 'day' | 'month' } | null;
}

export type ColumnType = string;

export interface SchemaDiff {
  /** Column names only in dev, only in prod, and present in both with different types. */
  added: string[];
  removed: string[];
  retyped: string[];
  /** Details of retyped columns. */
  types: Array<{ column: string; dev: ColumnType | null; prod: ColumnType | null }>;
}

export interface Outlier {
  /** The row's key values, in key order, as text. */
  key: string[];
  column: string;
  prod: number | null;
  dev: number | null;
  /** (dev - prod) / |prod|; null when prod is 0 or null (then `dev` alone tells). */
  relDelta: number | null;
  /** Above the spec's explainAbove: must be explained before promotion. */
  needsExplanation: boolean;
}

export interface Comparison {
  dev: RelationRef;
  prod: RelationRef;
  key: string[];
  scope: CompareSpec['scope'];
  rowCounts: { dev: number; prod: number };
  keys: { onlyInDev: number; onlyInProd: number; duplicatedInDev: number; duplicatedInProd: number; matched: number };
  /** Examples of keys only on one side (a few, for people). */
  samples: { onlyInDev: string[][]; onlyInProd: string[][] };
  schema: SchemaDiff;
  /** Matched keys whose row differs in at least one common column. */
  changedRows: number;
  /** Per common non-key column: how many matched rows agree (IS NOT DISTINCT FROM). */
  matchRates: Array<{ column: string; matched: number; total: number; rate: number }>;
  /** (a) Null when not asked. */
  history: { before: string; rows: number; differing: number; columns: Array<{ column: string; differing: number }> } | null;
  /** (b) Per sanity rule, how many dev rows break it. */
  anomalies: Array<{ column: string; max: number | null; min: number | null; rows: number }>;
  /** (c) Null when not asked. */
  spotCheck: { rows: number; differing: number; samples: Array<{ key: string[]; upstream: number | null; dev: number | null }> } | null;
  outliers: Outlier[];
  partitions: Array<{ partition: string; dev: number; prod: number }>;
  /** The statements that computed all this, in order (for the plan view and incident reviews). */
  statements: string[];
  /** Wall time of the comparison, ms. */
  millis: number;
}
