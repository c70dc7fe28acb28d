import type { CompareSpec, RelationRef } from '../../compare/types';
import type { ManifestNode } from '../../manifest/types';
import { isIsoDate } from '../../warehouse/sqlValue';
import { PlanError } from '../planError';
import { uniqueKeyColumns } from '../pricegap/priceGapSql';
import type { SanityRule } from './devBuildSql';

export interface DevBuildCompareOptions {
  /** Compare only rows with the date column on or after this day (default: the backfill date in backfill mode). */
  since?: string | undefined;
  /** The model's day column (scope, history, partitions); default: the one key column named like a date, else the
   * model's `event_time`. */
  dateColumn?: string | undefined;
  sanity?: SanityRule[] | undefined;
  spotCheck?: CompareSpec['spotCheck'] | undefined;
  /** Outliers: how many per column (default 20), the relative change above which each needs a note (default 0.05),
   * the columns (default: every numeric column). */
  top?: number | undefined;
  explainAbove?: number | undefined;
  columns?: string[] | null | undefined;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function column(value: string, what: string): string {
  if (!IDENT.test(value)) throw new PlanError(`${what} ${JSON.stringify(value)} is not a column name.`, 'Give plain column names (letters, digits, underscores).');
  return value;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * What a dev build compares (and what `dbt-recovery compare` does): rows matched on the given key or the model's
 * unique_key; scoped from `since` (default the backfill date) on the model's day column, with day counts for a
 * range of two months or less and month counts beyond; in backfill mode, every row before the backfill date must be
 * identical. Refuses (PlanError) names that are not plain columns, a missing key, and a scope without a day column.
 */
export function devBuildCompareSpec(
  node: ManifestNode,
  dev: RelationRef,
  prod: RelationRef,
  input: { key?: string[] | undefined; backfillDate: string | null; today: string; options?: DevBuildCompareOptions | undefined },
): CompareSpec {
  const key = (input.key && input.key.length > 0 ? input.key : uniqueKeyColumns(node.config.uniqueKey)).map((k) => column(k, 'Key column'));
  if (key.length === 0) throw new PlanError(`${node.name} has no unique_key, so dev and prod rows cannot be matched.`, 'Pass --key with the columns that identify a row (e.g. --key date,symbol).');
  const opts = input.options ?? {};
  const datey = key.filter((k) => /(^|_)(date|day|dt|time|timestamp|ts)$|^date|_at$/i.test(k));
  const eventTime = node.config.eventTime;
  const dateColumn =
    opts.dateColumn !== undefined ? column(opts.dateColumn, '--date-column') : datey.length === 1 ? datey[0]! : eventTime && IDENT.test(eventTime) ? eventTime : null;
  if (opts.since !== undefined && !isIsoDate(opts.since)) throw new PlanError(`--since ${JSON.stringify(opts.since)} is not a day.`, 'Give it as YYYY-MM-DD.');
  const since = opts.since ?? input.backfillDate;
  if ((since !== null || input.backfillDate !== null) && dateColumn === null) {
    throw new PlanError(`No day column is known for ${node.name} (none of the key columns ${key.join(', ')} is named like a date, and it has no event_time).`, 'Pass --date-column.');
  }
  const sanity = (opts.sanity ?? []).map((s) => ({ column: column(s.column, 'Sanity column'), max: s.max, min: s.min }));
  const top = opts.top ?? 20;
  const explainAbove = opts.explainAbove ?? 0.05;
  if (!Number.isInteger(top) || top < 1) throw new PlanError(`--top ${top} is not a positive whole number.`, 'Give how many outliers per column to show (default 20).');
  if (!(explainAbove >= 0) || !Number.isFinite(explainAbove)) throw new PlanError(`--explain-above ${explainAbove} is not a fraction.`, 'Give it as a fraction: 0.05 for 5%.');
  return {
    dev,
    prod,
    key,
    scope: since !== null ? { column: dateColumn!, from: since, to: null } : null,
    historyBefore: input.backfillDate !== null ? { column: dateColumn!, before: input.backfillDate } : null,
    sanity,
    spotCheck: opts.spotCheck ?? null,
    outliers: { top, explainAbove, columns: opts.columns ? opts.columns.map((c) => column(c, 'Outlier column')) : null },
    partitions: since !== null ? { column: dateColumn!, grain: daysBetween(since, input.today) <= 62 ? 'day' : 'month' } : null,
  };
}
