import type { Comparison, Outlier } from './types';

/** A person's word on one outlier: why the change is expected (kept in the run's journal). */
export interface OutlierExplanation {
  key: string[];
  column: string;
  note: string;
}

function sameKey(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The promotion gate's condition: the outliers above the threshold (`needsExplanation`) that no explanation with a
 * non-blank note covers (same key, same column). Promotion may go ahead only when this is empty.
 */
export function unexplainedOutliers(c: Pick<Comparison, 'outliers'>, explanations: readonly OutlierExplanation[]): Outlier[] {
  return c.outliers.filter((o) => o.needsExplanation && !explanations.some((e) => e.column === o.column && sameKey(e.key, o.key) && e.note.trim() !== ''));
}
