/**
 * A recovery plan is data: ordered steps that the runner (src/core/run/) executes, that the CLI prints for
 * `--dry-run`, that the editor shows in the plan view, and that a journal records. Every workflow (price-gap refill,
 * dev build, rescue rerun, microbatch backfill) produces a Plan; only the planners differ.
 *
 * Nothing secret goes into a plan: connections are named by profile/target, never by password.
 */

import type { CompareSpec, RelationRef } from '../compare/types';

export type StepKind = 'dbt' | 'sql' | 'check' | 'gate' | 'compare';

interface StepBase {
  /** Stable within the plan, used by the journal and `--resume`: `p1-2026-04-01-layer1-run` (layers count from 1). */
  id: string;
  /** `preflight`, `phase1`, `canary`, `phase2`, `phase3`, `verify`, ... (free text per workflow). */
  phase: string;
  /** One line for people: what the step does and why. */
  description: string;
  /** True when re-running the step after it was cut off halfway is safe (append + OPTIMIZE is). The runner
   * resumes at the first unfinished step either way; the plan says which steps are safe to repeat. */
  idempotent: boolean;
  /** True when the step writes to the target named in the plan (production for a refill). Such a step only runs
   * after a gate that showed it was approved. */
  writes: boolean;
  /** Runs even when an earlier step failed or the run was cancelled or refused (reverting a temporary override):
   * the runner runs every remaining `always` step before it ends. Absent: false. */
  always?: boolean;
  /** With `always`: the id of the earlier step this one reverts (the override it takes back). When the step ran as
   * cleanup after the run stopped, a resume runs that earlier step again before going on. */
  undoes?: string;
}

/** `dbt <argv>` through the user's dbt (the plan's `dbtCommand` prefix goes in front). */
export interface DbtStep extends StepBase {
  kind: 'dbt';
  /** Arguments after the dbt executable: `['run', '--select', 'tag:refill_append', '--vars', '{...}', ...]`. The
   * runner adds `--log-format json` when it parses progress; the plan shows what the user would type. */
  argv: string[];
  /** Unique ids the step is expected to build, for progress ("3 of 12"), when the planner knows them. */
  expectedNodes: string[];
}

/** A statement run through the warehouse adapter on the plan's connection. */
export type SqlOperation =
  /** `OPTIMIZE TABLE db.t PARTITION '<literal>' FINAL DEDUPLICATE`: the runner validates the literal against the
   * table's partition key and system.parts first, and sets optimize_throw_if_noop where the server has it. A literal
   * that is exactly a month the key makes, but that the table has no rows for, finishes with a warning (nothing to
   * deduplicate); any other literal that matches no partition fails the step. */
  | { op: 'optimize-partition'; database: string; table: string; partition: string }
  /** `KILL MUTATION WHERE mutation_id = ...` for the mutations a preflight check found (run-time list). */
  | { op: 'kill-mutations'; database: string | null }
  /** Any other statement, as written. */
  | { op: 'exec'; statement: string }
  /** An exact text edit of one file of the project (a temporary config override, and its revert), not a statement:
   * `find` must occur exactly once in the file and becomes `replace`; with `sha256` the whole file must still be as
   * it was planned (hex of its UTF-8 bytes), else the step refuses. Found already applied (`replace` once, `find`
   * nowhere) it is done, so repeating it is safe. Needs no warehouse connection. */
  | { op: 'edit-file'; path: string; find: string; replace: string; sha256: string | null }
  /** Replaces `target` with a copy of `source`, the warehouse's way: Snowflake `CREATE OR REPLACE TRANSIENT TABLE ...
   * CLONE` (a permanent table when Snowflake refuses the transient kind), DuckDB `CREATE OR REPLACE TABLE ... AS
   * SELECT`, ClickHouse a table of the same engine given the source's partitions. The step's `sql` shows them. */
  | { op: 'clone-table'; source: RelationRef; target: RelationRef }
  /** Puts `dev` in place of `prod`: Snowflake a clone of dev over prod, ClickHouse `EXCHANGE TABLES` (an atomic
   * `RENAME` where the server has none), DuckDB `CREATE OR REPLACE TABLE prod AS SELECT * FROM dev`. The step's `sql`
   * shows every statement that may run; a gate before it must show them. */
  | { op: 'promote-table'; dev: RelationRef; prod: RelationRef };

export interface SqlStep extends StepBase {
  kind: 'sql';
  operation: SqlOperation;
  /** The exact statement as it will be sent (for display, JSON and the journal); for `edit-file`, the edit shown as
   * removed (`-`) and added (`+`) lines. */
  sql: string;
}

/** How a check's rows are judged. Every rule is evaluated by `evaluateCheck` (pure, in this folder). */
export type CheckRule =
  /** The canary: rows `(day, value, ratio)` in day order; a day whose value is above `up` x or below `down` x the
   * calendar day before stops the run (evaluateCheck computes the ratio from `value`; `ratio` is for display). */
  | { type: 'adjacent-day-ratio'; up: number; down: number }
  /** Every row is a problem (e.g. days with zero or NULL *_usd values): none passes, any stops or warns. */
  | { type: 'no-rows'; onRows: 'stop' | 'warn' }
  /** At least one row (e.g. rows exist on the gap day): none stops or warns. */
  | { type: 'some-rows'; onNone: 'stop' | 'warn' }
  /** Pending mutations (system.mutations, is_done = 0): none passes; some stop, and the runner offers to kill them
   * after an approval that shows each KILL statement, where the server supports KILL MUTATION. */
  | { type: 'no-pending-mutations' }
  /** Rows `(key, count)`: each count must equal `expected` (1: no duplicate keys left after OPTIMIZE). */
  | { type: 'all-equal'; column: string; expected: number; onMismatch: 'stop' | 'warn' }
  /** Rows `(day, rows, <column>)` of one day, `<column>` counting its rows with a zero or NULL value (e.g. an API
   * relation on the gap day): at least one row, and `<column>` 0 in each; else stop or warn. */
  | { type: 'rows-nonzero'; column: string; onFail: 'stop' | 'warn' };

export interface CheckStep extends StepBase {
  kind: 'check';
  /** The query, as it will be sent. */
  sql: string;
  rule: CheckRule;
  /** What the result table's columns mean, for people (`day`, `supply`, `ratio`). */
  columns: string[];
}

/** An approval. The runner stops here until a person (or `--yes`) approves what it shows. */
export interface GateStep extends StepBase {
  kind: 'gate';
  /** What is being approved: "Rewrite April 2026 of 12 production tables". */
  title: string;
  /** The exact commands and statements that follow until the next gate, as they will run. */
  shows: string[];
  /** Compare steps whose outliers above their threshold must each be explained (a note per outlier, kept in the
   * journal) before this gate can be approved. */
  requiresExplained?: string[];
}

/** A dev-vs-prod comparison computed in the warehouse (src/core/compare/); its result goes into the journal and the
 * diff view, and gates may require its outliers explained. */
export interface CompareStep extends StepBase {
  kind: 'compare';
  spec: CompareSpec;
  /** The statements the comparison will run, as they will be sent (for display). */
  sql: string[];
}

export type Step = DbtStep | SqlStep | CheckStep | GateStep | CompareStep;

/** A finding that should be seen before anything runs (a cohort model that fails a lint rule, ...). */
export interface PlanWarning {
  code: string;
  message: string;
  /** The model it is about, when there is one. */
  uniqueId: string | null;
}

export interface Plan {
  /** Which workflow made it. */
  workflow: 'price-gap' | 'dev-build' | 'rescue-rerun' | 'microbatch-backfill';
  /** Plan format version (for journals read by a later release). */
  version: 1;
  /** The project root (absolute) and what dbt needs to find the profile. */
  projectDir: string;
  profilesDir: string | null;
  target: string | null;
  /** The profiles.yml target the sql, check and compare steps connect with, when it is not `target` (a dev build runs
   * dbt on the dev target but promotes with the production target's credentials). Absent or null: `target`. */
  connectionTarget?: string | null;
  /** The executable and its fixed arguments for every dbt step: `['dbt']`, `['docker', 'exec', 'dbt', 'dbt']`. */
  dbtCommand: string[];
  /** The connection the sql and check steps use, named, never with secrets: `clickhouse://default@127.0.0.1:8123/dbt
   * (profile gnosis, target prod)`. */
  connection: string | null;
  /** The planner's inputs, as given (for the journal and incident reviews). */
  params: Record<string, string | number | boolean | null>;
  /** The day the plan was made for (`--today`), YYYY-MM-DD. */
  today: string;
  /** Price-gap plans: the lookback given to Phase 2, and the month partitions Phase 1 rewrites (YYYY-MM-DD). */
  lookbackDays: number | null;
  months: string[];
  warnings: PlanWarning[];
  /** Things a reader should know (why the layers, why re-running is safe, ...). */
  notes: string[];
  steps: Step[];
}
