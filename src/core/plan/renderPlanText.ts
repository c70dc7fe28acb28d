import { shellLine } from './shellQuote';
import type { CompareStep, Plan, Step } from './types';

const INDENT = '     ';

function indent(text: string, prefix = INDENT): string[] {
  return text.split('\n').map((l) => (l === '' ? '' : `${prefix}${l}`));
}

function flags(s: Step): string {
  if (s.kind === 'gate') return '';
  const parts = [
    s.writes ? 'writes' : 'read-only',
    ...(s.idempotent && s.writes ? ['safe to re-run'] : []),
    ...(s.always ? ['always runs, even after a failure, a refusal or a cancel'] : []),
  ];
  return `  (${parts.join(', ')})`;
}

function pct(x: number): string {
  return `${Math.round(x * 10000) / 100}%`;
}

/** What a compare step compares, in a few lines (its statements follow). */
function compareText(s: CompareStep): string[] {
  const rel = (r: { database: string | null; schema: string; name: string }): string => [r.database, r.schema, r.name].filter((p) => p).join('.');
  const spec = s.spec;
  const lines = [`compare: dev ${rel(spec.dev)} with prod ${rel(spec.prod)} on key (${spec.key.join(', ')})`];
  if (spec.scope) lines.push(`scope: ${spec.scope.column} from ${spec.scope.from ?? 'the start'} to ${spec.scope.to ?? 'the end'}`);
  if (spec.historyBefore) lines.push(`history: rows with ${spec.historyBefore.column} before ${spec.historyBefore.before} must be identical`);
  for (const r of spec.sanity) {
    lines.push(`sanity: ${r.column}${r.min !== null ? ` >= ${r.min}` : ''}${r.min !== null && r.max !== null ? ' and' : ''}${r.max !== null ? ` <= ${r.max}` : ''}`);
  }
  if (spec.spotCheck) lines.push(`spot check against upstream (tolerance ${spec.spotCheck.tolerance})`);
  lines.push(`outliers: top ${spec.outliers.top} per ${spec.outliers.columns ? `column of ${spec.outliers.columns.join(', ')}` : 'numeric column'}; each above ${pct(spec.outliers.explainAbove)} must be explained`);
  if (spec.partitions) lines.push(`partitions: ${spec.partitions.grain} counts of ${spec.partitions.column}`);
  return lines;
}

function ruleText(s: Step): string | null {
  if (s.kind !== 'check') return null;
  const r = s.rule;
  switch (r.type) {
    case 'adjacent-day-ratio':
      return `rule: adjacent-day-ratio, stop above ${r.up}x or below ${r.down}x of the day before`;
    case 'no-rows':
      return `rule: no rows expected, else ${r.onRows}`;
    case 'some-rows':
      return `rule: some rows expected, else ${r.onNone}`;
    case 'no-pending-mutations':
      return 'rule: no pending mutations, else stop (kill after approval)';
    case 'all-equal':
      return `rule: every ${r.column} = ${r.expected}, else ${r.onMismatch}`;
    case 'rows-nonzero':
      return `rule: rows expected, every ${r.column} = 0, else ${r.onFail}`;
  }
}

/**
 * What `--dry-run` prints: a header (workflow, project, day, lookback, months, connection, dbt command), warnings and
 * notes, then every step numbered with its phase, kind and id, its description, and the exact command line (argv
 * shell-quoted for reading; the runner passes argv without a shell) or SQL. Gates say which steps they approve.
 */
export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  const given = Object.entries(plan.params).filter(([, v]) => v !== null && v !== false);
  out.push(`dbt Recovery plan: ${plan.workflow}`);
  out.push(`  project      ${plan.projectDir}`);
  out.push(`  today        ${plan.today}`);
  if (plan.lookbackDays !== null) out.push(`  lookback     ${plan.lookbackDays} days`);
  if (plan.months.length > 0) out.push(`  months       ${plan.months.join(', ')}`);
  out.push(`  connection   ${plan.connection ?? '(not named)'}`);
  out.push(`  dbt command  ${shellLine(plan.dbtCommand)}`);
  if (given.length > 0) out.push(`  parameters   ${given.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  if (plan.warnings.length > 0) {
    out.push('', `Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings) out.push(`  ! ${w.message}`);
  }
  if (plan.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of plan.notes) out.push(`  - ${n}`);
  }
  const width = String(plan.steps.length).length;
  out.push('', `Steps (${plan.steps.length}):`);
  plan.steps.forEach((s, i) => {
    const n = String(i + 1).padStart(width);
    out.push('', `${n}. ${s.phase} | ${s.kind} | ${s.id}${flags(s)}`);
    if (s.kind === 'gate') {
      let last = i;
      while (last + 1 < plan.steps.length && plan.steps[last + 1]!.kind !== 'gate') last++;
      const covers = last === i + 1 ? ` (step ${i + 2})` : last > i ? ` (steps ${i + 2}-${last + 1})` : '';
      out.push(`${INDENT}APPROVAL REQUIRED: ${s.title}${covers}`);
      out.push(...indent(s.description));
      if (s.requiresExplained && s.requiresExplained.length > 0) {
        out.push(`${INDENT}needs a note for every outlier above threshold of ${s.requiresExplained.join(', ')} before it can be approved`);
      }
      return;
    }
    out.push(...indent(s.description));
    if (s.kind === 'dbt') out.push(`${INDENT}$ ${shellLine([...plan.dbtCommand, ...s.argv])}`);
    else if (s.kind === 'compare') {
      for (const l of compareText(s)) out.push(`${INDENT}${l}`);
      for (const q of s.sql) out.push(...indent(q, `${INDENT}  `));
    } else {
      const rule = ruleText(s);
      if (rule) out.push(`${INDENT}${rule}`);
      out.push(...indent(s.sql, `${INDENT}  `));
    }
  });
  return `${out.join('\n')}\n`;
}
