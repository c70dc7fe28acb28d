import type { Plan } from '../types';

export interface SeedScriptShape {
  /** Months Phase 1 rewrites. */
  months: number;
  /** Models in the refill cohort. */
  cohortSize: number;
  phase1: boolean;
  phase2: boolean;
  phase3: boolean;
}

/**
 * How many times the runbook's `refill_after_price_gap.sh` starts dbt for the same refill: per month, two passes of
 * one `dbt run`, one `dbt ls` (the cohort, in each pass's loop) and one `dbt run-operation optimize_partition_final`
 * per cohort model; then one `dbt run` each for Phase 2 and Phase 3. Its canary is SQL, not dbt.
 */
export function seedScriptDbtStarts(shape: SeedScriptShape): number {
  const perMonth = 2 * (1 + 1 + shape.cohortSize);
  return (shape.phase1 ? shape.months * perMonth : 0) + (shape.phase2 ? 1 : 0) + (shape.phase3 ? 1 : 0);
}

/** The script's shape for the refill a price-gap plan describes. */
export function seedScriptShape(plan: Plan): SeedScriptShape {
  const phase1Runs = plan.steps.filter((s) => s.kind === 'dbt' && s.phase === 'phase1');
  const cohort = new Set(phase1Runs.flatMap((s) => (s.kind === 'dbt' ? s.expectedNodes : [])));
  return {
    months: phase1Runs.length > 0 ? plan.months.length : 0,
    cohortSize: cohort.size,
    phase1: phase1Runs.length > 0,
    phase2: plan.steps.some((s) => s.kind === 'dbt' && s.phase === 'phase2'),
    phase3: plan.steps.some((s) => s.kind === 'dbt' && s.phase === 'phase3'),
  };
}
