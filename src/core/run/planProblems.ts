import type { Plan, SqlStep, Step } from '../plan/types';

/** A kill-mutations step asks its own approval, showing each KILL statement (only known at run time). */
export function isKillMutations(step: Step): step is SqlStep {
  return step.kind === 'sql' && step.operation.op === 'kill-mutations';
}

/** Problems that make a plan unsafe or impossible to run; empty when it can run. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let gateSeen = false;
  for (const step of plan.steps) {
    if (seen.has(step.id)) problems.push(`Step id ${step.id} is used twice; the journal needs unique ids.`);
    seen.add(step.id);
    if (step.kind === 'gate') gateSeen = true;
    else if (step.writes && !gateSeen && !isKillMutations(step)) {
      problems.push(`Step ${step.id} writes to the target but no gate comes before it: nothing that writes runs unapproved.`);
    }
  }
  if (plan.steps.some((s) => s.kind === 'dbt') && plan.dbtCommand.length === 0) problems.push('The plan has dbt steps but an empty dbtCommand.');
  return problems;
}
