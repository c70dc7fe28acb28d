import type { Plan, Step } from './types';

/** A plan step as JSON: the keys every reader needs first (`id`, `phase`, `kind`, `description`, then `argv` or
 * `sql`), then the rest of the step. */
export type StepJson = Step;

/** The plan as JSON (`dbt-recovery plan ... --format json`, the file `dbt-recovery run PLAN.json` reads): the Plan
 * itself, keys ordered for people (`lookbackDays`, `months` and `steps` near the top). Parsing it gives back a Plan. */
export type PlanJson = Plan;

function stepJson(s: Step): StepJson {
  const { id, phase, description, idempotent, writes } = s;
  // Only when set, so that plans without these keys keep their JSON (and their hash in older journals).
  const always = { ...(s.always === true ? { always: true } : {}), ...(s.undoes !== undefined ? { undoes: s.undoes } : {}) };
  switch (s.kind) {
    case 'dbt':
      return { id, phase, kind: s.kind, description, argv: [...s.argv], expectedNodes: [...s.expectedNodes], idempotent, writes, ...always };
    case 'sql':
      return { id, phase, kind: s.kind, description, sql: s.sql, operation: { ...s.operation }, idempotent, writes, ...always };
    case 'check':
      return { id, phase, kind: s.kind, description, sql: s.sql, rule: { ...s.rule }, columns: [...s.columns], idempotent, writes, ...always };
    case 'gate':
      return {
        id,
        phase,
        kind: s.kind,
        description,
        title: s.title,
        shows: [...s.shows],
        ...(s.requiresExplained !== undefined ? { requiresExplained: [...s.requiresExplained] } : {}),
        idempotent,
        writes,
        ...always,
      };
    case 'compare':
      return { id, phase, kind: s.kind, description, sql: [...s.sql], spec: structuredClone(s.spec), idempotent, writes, ...always };
  }
}

export function planToJson(plan: Plan): PlanJson {
  return {
    workflow: plan.workflow,
    version: plan.version,
    lookbackDays: plan.lookbackDays,
    months: [...plan.months],
    today: plan.today,
    projectDir: plan.projectDir,
    profilesDir: plan.profilesDir,
    target: plan.target,
    ...(plan.connectionTarget !== undefined ? { connectionTarget: plan.connectionTarget } : {}),
    dbtCommand: [...plan.dbtCommand],
    connection: plan.connection,
    params: { ...plan.params },
    warnings: plan.warnings.map((w) => ({ ...w })),
    notes: [...plan.notes],
    steps: plan.steps.map(stepJson),
  };
}
