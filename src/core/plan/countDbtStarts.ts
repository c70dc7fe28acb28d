import type { Plan } from './types';

/** How many times the plan starts dbt: one process per dbt step (OPTIMIZE and checks go through one connection). */
export function countDbtStarts(plan: Plan): number {
  return plan.steps.filter((s) => s.kind === 'dbt').length;
}
