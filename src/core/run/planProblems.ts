import type { Plan, SqlStep, Step } from '../plan/types';
import { flagValue } from './dbtInvocation';

/** A kill-mutations step asks its own approval, showing each KILL statement (only known at run time). */
export function isKillMutations(step: Step): step is SqlStep {
  return step.kind === 'sql' && step.operation.op === 'kill-mutations';
}

/** Problems that make a plan unsafe or impossible to run; empty when it can run. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Step>();
  let gateSeen = false;
  for (const step of plan.steps) {
    if (seen.has(step.id)) problems.push(`Step id ${step.id} is used twice; the journal needs unique ids.`);
    if (step.kind === 'gate') {
      gateSeen = true;
      for (const id of step.requiresExplained ?? []) {
        if (seen.get(id)?.kind !== 'compare') problems.push(`Gate ${step.id} requires the outliers of ${id} explained, but no compare step ${id} comes before it.`);
      }
    } else if (step.writes && !gateSeen && !isKillMutations(step)) {
      problems.push(`Step ${step.id} writes to the target but no gate comes before it: nothing that writes runs unapproved.`);
    }
    if (step.undoes !== undefined && (!step.always || !seen.has(step.undoes))) {
      problems.push(`Step ${step.id} undoes ${step.undoes}, which needs it to be an always step coming after ${step.undoes}.`);
    }
    seen.set(step.id, step);
  }
  if (plan.steps.some((s) => s.kind === 'dbt') && plan.dbtCommand.length === 0) problems.push('The plan has dbt steps but an empty dbtCommand.');
  if (plan.workflow === 'dev-build') problems.push(...devBuildTargetProblems(plan));
  return problems;
}

/**
 * A dev build runs dbt only against its dev target, named explicitly (a DBT_TARGET in the environment must not pick
 * another): every dbt step passes `--target <plan.target>`, and never the production target. Checked again here
 * because a plan file can be edited after the planner refused such a plan.
 */
function devBuildTargetProblems(plan: Plan): string[] {
  const prod = typeof plan.params.prodTarget === 'string' ? plan.params.prodTarget : null;
  const out: string[] = [];
  if (!plan.target) out.push('A dev-build plan must name its dev target (plan.target).');
  if (prod === null) out.push('A dev-build plan must name its production target (params.prodTarget).');
  if (plan.target && prod !== null && plan.target === prod) out.push(`The dev target is the production target ${prod}.`);
  for (const s of plan.steps) {
    if (s.kind !== 'dbt') continue;
    const argv = [...plan.dbtCommand, ...s.argv];
    const targets = argv.flatMap((a, i) => (a === '--target' || a === '-t' ? [argv[i + 1] ?? ''] : a.startsWith('--target=') ? [a.slice(9)] : []));
    const last = flagValue(argv, '--target', '-t');
    if (targets.length === 0 || last !== plan.target) out.push(`dbt step ${s.id} must pass --target ${plan.target ?? '<dev>'} (and only it).`);
    if (prod !== null && targets.includes(prod)) out.push(`dbt step ${s.id} passes --target ${prod}, the production target: a dev build never runs dbt against production.`);
  }
  return out;
}
