import type { ManifestNode } from '../../manifest/types';
import { PlanError } from '../planError';

/** How a cohort table is partitioned by month, read from its `partition_by` config. */
export interface MonthPartition {
  /** `toStartOfMonth` (partitions shown as `2026-04-01`) or `toYYYYMM` (shown as `202604`). */
  fn: 'toStartOfMonth' | 'toYYYYMM';
  /** The partition key expression as configured, without outer parentheses: `toStartOfMonth(date)`. */
  expression: string;
  /** What the function is applied to: `date`, `toDate(block_timestamp)`. */
  argument: string;
}

const MONTH_KEY = /^\s*\(?\s*(toStartOfMonth|toYYYYMM)\s*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)\s*\)?\s*$/i;

/**
 * The month partition of a model, or a PlanError naming it: Phase 1 OPTIMIZEs one month partition, so a model whose
 * key is not exactly one month (a day, a tuple with another column, none) cannot be in the cohort.
 */
export function monthPartition(node: ManifestNode, refillTag: string): MonthPartition {
  const raw = node.config.partitionBy;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((x): x is string => typeof x === 'string') ? raw : null;
  const m = list && list.length === 1 ? MONTH_KEY.exec(list[0]!) : null;
  if (!m) {
    const shown = raw === null || raw === undefined ? 'no partition_by' : `partition_by ${JSON.stringify(raw)}`;
    throw new PlanError(
      `${node.name} is tagged ${refillTag} but has ${shown}; Phase 1 rewrites and OPTIMIZEs one month partition per table, so its key must be one month.`,
      `Partition it by toStartOfMonth(<date>) or toYYYYMM(<date>), or remove the ${refillTag} tag (the refill-append-engine lint rule explains).`,
    );
  }
  const fn = m[1]!.toLowerCase() === 'toyyyymm' ? 'toYYYYMM' : 'toStartOfMonth';
  const argument = m[2]!.trim();
  return { fn, expression: `${fn}(${argument})`, argument };
}

/**
 * The partition of month `monthStart` (YYYY-MM-01) as system.parts shows it and as OPTIMIZE takes it:
 * `'2026-04-01'` for toStartOfMonth, the number 202604 for toYYYYMM.
 */
export function partitionValue(p: MonthPartition, monthStart: string): string | number {
  return p.fn === 'toYYYYMM' ? Number(monthStart.slice(0, 4) + monthStart.slice(5, 7)) : monthStart;
}

/** The same as a SQL literal comparable with the key expression. */
export function partitionLiteralSql(p: MonthPartition, monthStart: string): string {
  return p.fn === 'toYYYYMM' ? String(partitionValue(p, monthStart)) : `toDate('${monthStart}')`;
}
