import type { Comparison } from './types';

/** What CI jobs gate on besides the raw numbers: each check as passed (true), failed (false) or not asked (null). */
export interface ComparisonChecks {
  /** (a) Every row before the backfill date identical. */
  historyIdentical: boolean | null;
  /** (b) No dev row beyond a sanity threshold. */
  sanityPassed: boolean | null;
  /** (c) The spot check agrees with the upstream. */
  spotCheckPassed: boolean | null;
  /** (d) Outliers above the threshold: each must be explained before promotion. */
  outliersNeedingExplanation: number;
}

export type ComparisonJson = Comparison & { version: 1; checks: ComparisonChecks };

export function comparisonChecks(c: Comparison): ComparisonChecks {
  return {
    historyIdentical: c.history ? c.history.differing === 0 : null,
    sanityPassed: c.anomalies.length ? c.anomalies.every((a) => a.rows === 0) : null,
    spotCheckPassed: c.spotCheck ? c.spotCheck.differing === 0 : null,
    outliersNeedingExplanation: c.outliers.filter((o) => o.needsExplanation).length,
  };
}

/**
 * The comparison as `--format json` prints it: the Comparison itself (rowCounts {dev, prod}; keys {onlyInDev,
 * onlyInProd, duplicatedInDev, duplicatedInProd, matched}; schema {added, removed, retyped} as column names;
 * changedRows; outliers [{key, column, prod, dev, relDelta, needsExplanation}]; ...), plus `version` and `checks`,
 * copied into plain JSON values in a fixed key order.
 */
export function comparisonToJson(c: Comparison): ComparisonJson {
  const json: ComparisonJson = {
    version: 1,
    dev: { ...c.dev },
    prod: { ...c.prod },
    key: [...c.key],
    scope: c.scope ? { ...c.scope } : null,
    rowCounts: { dev: c.rowCounts.dev, prod: c.rowCounts.prod },
    keys: {
      onlyInDev: c.keys.onlyInDev,
      onlyInProd: c.keys.onlyInProd,
      duplicatedInDev: c.keys.duplicatedInDev,
      duplicatedInProd: c.keys.duplicatedInProd,
      matched: c.keys.matched,
    },
    samples: { onlyInDev: c.samples.onlyInDev.map((k) => [...k]), onlyInProd: c.samples.onlyInProd.map((k) => [...k]) },
    schema: { added: [...c.schema.added], removed: [...c.schema.removed], retyped: [...c.schema.retyped], types: c.schema.types.map((t) => ({ ...t })) },
    changedRows: c.changedRows,
    matchRates: c.matchRates.map((m) => ({ ...m })),
    history: c.history ? { ...c.history, columns: c.history.columns.map((h) => ({ ...h })) } : null,
    anomalies: c.anomalies.map((a) => ({ ...a })),
    spotCheck: c.spotCheck ? { ...c.spotCheck, samples: c.spotCheck.samples.map((s) => ({ key: [...s.key], upstream: s.upstream, dev: s.dev })) } : null,
    outliers: c.outliers.map((o) => ({ key: [...o.key], column: o.column, prod: o.prod, dev: o.dev, relDelta: o.relDelta, needsExplanation: o.needsExplanation })),
    partitions: c.partitions.map((p) => ({ ...p })),
    checks: comparisonChecks(c),
    statements: [...c.statements],
    millis: c.millis,
  };
  return json;
}
