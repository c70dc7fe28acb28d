import { shellLine } from './shellQuote';
import type { Plan, Step } from './types';

const INDENT = '     ';

function indent(text: string, prefix = INDENT): string[] {
  return text.split('\n').map((l) => (l === '' ? '' : `${prefix}${l}`));
}

function flags(s: Step): string {
  if (s.kind === 'gate') return '';
  const parts = [s.writes ? 'writes' : 'read-only', ...(s.idempotent && s.writes ? ['safe to re-run'] : [])];
  return `  (${parts.join(', ')})`;
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
      return;
    }
    out.push(...indent(s.description));
    if (s.kind === 'dbt') out.push(`${INDENT}$ ${shellLine([...plan.dbtCommand, ...s.argv])}`);
    else {
      const rule = ruleText(s);
      if (rule) out.push(`${INDENT}${rule}`);
      out.push(...indent(s.sql, `${INDENT}  `));
    }
  });
  return `${out.join('\n')}\n`;
}
