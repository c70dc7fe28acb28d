import { comparisonChecks } from './comparisonToJson';
import type { Comparison, RelationRef } from './types';

const rel = (r: RelationRef): string => [r.database, r.schema, r.name].filter((p) => p).join('.');
const key = (k: string[]): string => (k.length === 1 ? k[0]! : `(${k.join(', ')})`);
const value = (v: number | null): string => (v === null ? 'NULL' : String(v));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const signedPct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
const verdict = (ok: boolean): string => (ok ? 'passed' : 'FAILED');
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `${indent}${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd());
}

/** The comparison for a terminal (`dbt-recovery compare`): every number, the checks' verdicts, and the outliers. */
export function renderComparisonText(c: Comparison): string {
  const checks = comparisonChecks(c);
  const out: string[] = [];
  const scope = c.scope ? `, ${c.scope.column} ${c.scope.from ? `from ${c.scope.from}` : ''}${c.scope.from && c.scope.to ? ' ' : ''}${c.scope.to ? `to ${c.scope.to}` : ''}` : '';
  out.push(`dev ${rel(c.dev)} vs prod ${rel(c.prod)}, key ${key(c.key)}${scope}`);
  out.push(`rows           dev ${c.rowCounts.dev}, prod ${c.rowCounts.prod}`);
  out.push(
    `keys           ${c.keys.matched} matched; ${c.keys.onlyInDev} only in dev, ${c.keys.onlyInProd} only in prod; ` +
      `duplicated: ${c.keys.duplicatedInDev} in dev, ${c.keys.duplicatedInProd} in prod`,
  );
  if (c.samples.onlyInDev.length) out.push(`  only in dev:  ${c.samples.onlyInDev.map(key).join(', ')}${c.keys.onlyInDev > c.samples.onlyInDev.length ? ', ...' : ''}`);
  if (c.samples.onlyInProd.length) out.push(`  only in prod: ${c.samples.onlyInProd.map(key).join(', ')}${c.keys.onlyInProd > c.samples.onlyInProd.length ? ', ...' : ''}`);
  const s = c.schema;
  const retyped = s.retyped.map((n) => {
    const t = s.types.find((x) => x.column === n);
    return t ? `${n} (${t.prod ?? '?'} -> ${t.dev ?? '?'})` : n;
  });
  const schemaParts = [s.added.length ? `added ${s.added.join(', ')}` : '', s.removed.length ? `removed ${s.removed.join(', ')}` : '', retyped.length ? `retyped ${retyped.join(', ')}` : ''].filter(Boolean);
  out.push(`schema         ${schemaParts.length ? schemaParts.join('; ') : 'same columns and types'}`);
  const compared = c.matchRates[0]?.total ?? c.keys.matched;
  out.push(`changed rows   ${c.changedRows} of ${compared} compared`);
  if (c.matchRates.length) out.push(`match rates    ${c.matchRates.map((m) => `${m.column} ${m.matched}/${m.total} (${pct(m.rate)})`).join(', ')}`);
  if (c.history) {
    const cols = c.history.columns.filter((h) => h.differing > 0).map((h) => `${h.column} ${h.differing}`);
    out.push(
      `(a) history    before ${c.history.before}: ${plural(c.history.rows, 'key')}, ${c.history.differing} differing${cols.length ? ` (${cols.join(', ')})` : ''}: ${verdict(checks.historyIdentical === true)}`,
    );
  }
  if (c.anomalies.length) {
    const rules = c.anomalies.map((a) => {
      const bounds = [a.max !== null ? `> ${a.max}` : '', a.min !== null ? `< ${a.min}` : ''].filter(Boolean).join(' or ');
      return `${a.column} ${bounds}: ${plural(a.rows, 'row')}`;
    });
    out.push(`(b) sanity     ${rules.join('; ')}: ${verdict(checks.sanityPassed === true)}`);
  }
  if (c.spotCheck) {
    const sc = c.spotCheck;
    out.push(`(c) spot check ${plural(sc.rows, 'key')}, ${sc.differing} differing: ${verdict(checks.spotCheckPassed === true)}`);
    for (const x of sc.samples) out.push(`  ${key(x.key)}: upstream ${value(x.upstream)}, dev ${value(x.dev)}`);
  }
  if (c.outliers.length) {
    out.push(`(d) outliers   ${checks.outliersNeedingExplanation} to explain before promotion`);
    const rows = [['column', 'key', 'prod', 'dev', 'change', '']];
    for (const o of c.outliers) rows.push([o.column, key(o.key), value(o.prod), value(o.dev), signedPct(o.relDelta), o.needsExplanation ? 'explain' : '']);
    out.push(...table(rows));
  } else {
    out.push('(d) outliers   none');
  }
  if (c.partitions.length) {
    out.push('partitions');
    out.push(...table([['partition', 'dev', 'prod'], ...c.partitions.map((p) => [p.partition, String(p.dev), String(p.prod)])]));
  }
  out.push(`${plural(c.statements.length, 'statement')} in ${c.millis} ms`);
  return `${out.join('\n')}\n`;
}
