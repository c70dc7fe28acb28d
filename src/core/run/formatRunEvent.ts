import type { Plan } from '../plan/types';
import { comparisonSummary } from './comparisonSummary';
import { formatRows } from './formatRows';
import type { Explanation, RunEvent } from './types';

/** The lines a terminal shows for a run event (the CLI's `run` and the editor's run terminal print the same). */
export function formatRunEvent(event: RunEvent, plan: Plan): string[] {
  switch (event.type) {
    case 'run-start':
      return [
        event.resumed ? `Resuming run ${event.runId} at ${event.firstStep ?? 'the end'}` : `Run ${event.runId}`,
        `  journal: ${event.runDir}`,
      ];
    case 'step-start': {
      const step = plan.steps.find((s) => s.id === event.step);
      const again = event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
      return ['', `[${event.index + 1}/${event.total}] ${step?.phase ?? ''} ${event.kind}: ${step?.kind === 'gate' ? step.title : (step?.description ?? event.step)}${again}`];
    }
    case 'output':
      // dbt's own lines are summarized by `progress` events; only its stderr (warnings, errors) is passed through.
      return event.stream === 'stderr' ? [`    ${event.line}`] : [];
    case 'progress':
      if (event.status === 'started') return [];
      return [`    ${String(event.index).padStart(String(event.total).length)} of ${event.total} ${event.status.toUpperCase()} ${event.name}${event.seconds !== null ? ` in ${event.seconds.toFixed(2)}s` : ''}`];
    case 'check': {
      const lines = [`    ${event.result.status.toUpperCase()}: ${event.result.message}`];
      if (event.result.offending.length > 0) lines.push(...formatRows(event.result.offending).split('\n').map((l) => `      ${l}`));
      return lines;
    }
    case 'compare': {
      const lines = [`    ${comparisonSummary(event.comparison)}`];
      for (const o of event.comparison.outliers.filter((x) => x.needsExplanation)) {
        lines.push(`      outlier ${o.key.join(',')} ${o.column}: prod ${o.prod ?? 'NULL'}, dev ${o.dev ?? 'NULL'}${o.relDelta !== null ? `, ${o.relDelta >= 0 ? '+' : ''}${(o.relDelta * 100).toFixed(2)}%` : ''}`);
      }
      return lines;
    }
    case 'approval':
      return [`    ${event.approval.approved ? 'approved' : 'refused'} by ${event.approval.by}${event.approval.automatic ? ' (automatic, --yes)' : ''}`];
    case 'step-end': {
      const lines = [`    ${event.status}${event.seconds !== null ? ` in ${event.seconds.toFixed(1)}s` : ''}${event.summary ? `: ${event.summary}` : ''}`];
      if (event.explanation) lines.push(...formatExplanation(event.explanation));
      return lines;
    }
    case 'run-end': {
      const o = event.outcome;
      const lines = ['', `Run ${o.status}: ${o.message}`];
      if (o.status !== 'done') lines.push(`  resume with: dbt-recovery run --resume ${o.runId} --project-dir ${plan.projectDir}`);
      return lines;
    }
  }
}

export function formatExplanation(e: Explanation): string[] {
  const lines = [`    ! ${e.title}`, `      ${e.detail}`, `      fix: ${e.fix}`];
  if (e.file) lines.push(`      model file: ${e.file}`);
  if (e.quickFix) lines.push(`      quick fix in the editor: ${e.quickFix.title} (${e.quickFix.ruleId})`);
  for (const s of e.statements) lines.push(`      run: ${s}`);
  return lines;
}
