import type { Comparison } from '../compare/types';

/** A comparison in one line, for a step's summary, the terminal and an approval: counts, keys, changes, outliers. */
export function comparisonSummary(c: Comparison): string {
  const parts = [
    `rows dev ${c.rowCounts.dev} / prod ${c.rowCounts.prod}`,
    `keys only in dev ${c.keys.onlyInDev}, only in prod ${c.keys.onlyInProd}, duplicated dev ${c.keys.duplicatedInDev} / prod ${c.keys.duplicatedInProd}`,
    `${c.changedRows} changed rows`,
  ];
  const schema = [...c.schema.added.map((x) => `+${x}`), ...c.schema.removed.map((x) => `-${x}`), ...c.schema.retyped.map((x) => `~${x}`)];
  if (schema.length > 0) parts.push(`schema ${schema.join(' ')}`);
  if (c.history) parts.push(`history before ${c.history.before}: ${c.history.differing} of ${c.history.rows} rows differ`);
  const anomalous = c.anomalies.filter((a) => a.rows > 0);
  if (c.anomalies.length > 0) parts.push(anomalous.length === 0 ? 'no anomalous values' : `anomalous: ${anomalous.map((a) => `${a.column} ${a.rows} rows`).join(', ')}`);
  if (c.spotCheck) parts.push(`spot check: ${c.spotCheck.differing} of ${c.spotCheck.rows} differ`);
  const needing = c.outliers.filter((o) => o.needsExplanation).length;
  parts.push(`${c.outliers.length} outliers${needing > 0 ? ` (${needing} need a note)` : ''}`);
  return `${parts.join('; ')}.`;
}
