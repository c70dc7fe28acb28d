/**
 * The runner's contract: what `runPlan`/`resumeRun` take, the events they emit while a plan runs, and the journal
 * they leave under `<target-path>/dbt-recovery/runs/<run id>/` (plain JSON, read back by `resumeRun`, `listRuns`, the
 * CLI and the editor).
 */
import type { Comparison, CompareSpec } from '../compare/types';
import type { CheckRule, Plan, StepKind } from '../plan/types';
import type { Secret } from '../profiles/secret';
import type { Row, Warehouse } from '../warehouse/warehouse';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

/**
 * - `running`: a process is executing the run (or died doing so: `listRuns` reports that as `interrupted`).
 * - `refused`: an approval was refused; nothing after it ran.
 * - `failed`: a step failed, or a check stopped the run.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'refused' | 'interrupted';

/** What `evaluateCheck(rule, rows)` (src/core/plan/) says about a check's rows. */
export interface CheckEvaluation {
  status: 'pass' | 'warn' | 'stop';
  message: string;
  offending: Row[];
}

export type EvaluateCheck = (rule: CheckRule, rows: Row[]) => CheckEvaluation;

/** How a compare step is computed: `compareRelations` of src/core/compare (tests may pass their own). */
export type CompareRelations = (warehouse: Warehouse, spec: CompareSpec) => Promise<Comparison>;

/** What a person is asked to approve: a plan's gate, or an approval the runner needs at run time. */
export interface ApprovalRequest {
  /**
   * - `gate`: the plan's gate step.
   * - `kill-mutations`: the pending mutations a check found, with each exact KILL statement.
   * - `repeat-step`: a step that was cut off and is not safe to repeat blindly (the plan marks it non-idempotent).
   */
  reason: 'gate' | 'kill-mutations' | 'repeat-step';
  stepId: string;
  phase: string;
  title: string;
  description: string;
  /** The exact commands and statements that run once this is approved. */
  shows: string[];
  /** A gate with `requiresExplained`: the outliers that each need a note (ApprovalDecision.explanations) before the
   * approval counts. The request's description carries each comparison's summary. */
  explain?: OutlierToExplain[];
}

/** An outlier a person must explain before a gate can be approved. */
export interface OutlierToExplain {
  /** The compare step that found it. */
  step: string;
  key: string[];
  column: string;
  prod: number | null;
  dev: number | null;
  relDelta: number | null;
}

/** A person's note on one outlier (why the change is expected), identified by its key values and column. */
export interface OutlierExplanation {
  key: string[];
  column: string;
  note: string;
}

export interface ApprovalDecision {
  approved: boolean;
  /** Who approved (a user name); default: the OS user running the runner. */
  by?: string;
  /** True when no person looked (`--yes`). */
  automatic?: boolean;
  note?: string;
  /** Notes on the request's `explain` outliers. An approval that leaves one of them without a non-empty note is
   * refused by the runner. */
  explanations?: OutlierExplanation[];
}

/** Asked at each gate (and for run-time approvals). `--yes` is an approver that says yes: see `approveAll`. */
export type Approver = (request: ApprovalRequest) => Promise<boolean | ApprovalDecision>;

export interface ApprovalRecord {
  stepId: string;
  reason: ApprovalRequest['reason'];
  title: string;
  shows: string[];
  approved: boolean;
  by: string;
  automatic: boolean;
  at: string;
  note: string | null;
  /** Every note given with the decision (gates with `requiresExplained`), whether or not the approval counted. */
  explanations?: OutlierExplanation[];
}

/** A known failure, explained where it happened: what went wrong, why, and the exact way out. */
export interface Explanation {
  code: 'memory-limit' | 'mutation-failed' | 'poisoned-mutation' | 'merges-stopped' | 'wrong-partition';
  /** One line. */
  title: string;
  /** What happened and why, in a few sentences. */
  detail: string;
  /** What to do, in a sentence or two. */
  fix: string;
  /** The model the failure is about (unique id and name), when known. */
  model: string | null;
  modelName: string | null;
  /** The model's file relative to the project, when known (where the quick fix applies). */
  file: string | null;
  /** Statements to run by hand, exactly. */
  statements: string[];
  /** The lint rule whose quick fix repairs the model (`refill-append-hooks`), with the fix's title. */
  quickFix: { ruleId: string; title: string } | null;
}

/** One model's progress in a dbt step, from dbt's structured log (`LogStartLine`, `LogModelResult`, ...). */
export interface NodeProgress {
  step: string;
  /** Unique id (`model.project.name`); in text-log mode, where dbt does not print it, the relation's name. */
  node: string;
  name: string;
  index: number;
  total: number;
  /** `started`, then dbt's result status: `success`, `error`, `skipped`, `pass`, `fail`, `warn`, `no-op`. */
  status: string;
  seconds: number | null;
}

export interface CheckRecord {
  status: CheckEvaluation['status'];
  message: string;
  columns: string[];
  /** The result table (the first MAX_RECORDED_ROWS rows). */
  rows: Row[];
  rowCount: number;
  offending: Row[];
  truncated: boolean;
}

export interface DbtStepRecord {
  /** The command as run (executable and arguments; no environment). */
  argv: string[];
  logFormat: 'json' | 'text';
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  dbtVersion: string | null;
  invocationId: string | null;
  nodes: { total: number | null; started: number; succeeded: number; failed: number; skipped: number };
  /** Each failed node with dbt's message (cut at MAX_MESSAGE_CHARS) and its explanation when it is a known failure. */
  failedNodes: Array<{ uniqueId: string; name: string; message: string; explanation: Explanation | null }>;
  /** Journal-relative path of the copied run_results.json, or null (with a warning saying why). */
  runResults: string | null;
}

export interface StepRecord {
  id: string;
  kind: StepKind;
  phase: string;
  description: string;
  idempotent: boolean;
  writes: boolean;
  status: StepStatus;
  /** How many times the step was started (a resume after a cut-off re-runs it). */
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number | null;
  /** The step's outcome in one line ("12 models OK", "OPTIMIZE ... done", the check's message). */
  summary: string | null;
  error: string | null;
  explanation: Explanation | null;
  warnings: string[];
  /** Journal-relative path of the step's output (`steps/<id>.log`). */
  log: string | null;
  dbt: DbtStepRecord | null;
  /** sql steps (and a check's kills): the statements sent, as sent. */
  statements: string[];
  check: CheckRecord | null;
  /** compare steps: the comparison (absent in journals written before compare steps existed). */
  comparison?: Comparison | null;
  /** An `always` step that ran after the run stopped (not in its turn); a resume runs it, and the step it undoes,
   * again in order. */
  ranAsCleanup?: boolean;
}

export interface AttemptRecord {
  startedAt: string;
  finishedAt: string | null;
  pid: number;
  host: string;
  resumed: boolean;
  status: RunStatus;
}

export interface Journal {
  format: 1;
  runId: string;
  workflow: Plan['workflow'];
  /** sha256 of the plan's canonical JSON: a resume refuses a different plan. */
  planHash: string;
  projectDir: string;
  connection: string | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  /** The first run and every resume, with the process that did it. */
  attempts: AttemptRecord[];
  steps: StepRecord[];
  approvals: ApprovalRecord[];
  /** Why the run ended as it did, in one line. */
  message: string | null;
  explanation: Explanation | null;
}

export type RunEvent =
  | { type: 'run-start'; runId: string; runDir: string; resumed: boolean; firstStep: string | null }
  | { type: 'step-start'; step: string; kind: StepKind; index: number; total: number; attempt: number }
  | { type: 'output'; step: string; stream: 'stdout' | 'stderr'; line: string }
  | ({ type: 'progress' } & NodeProgress)
  | { type: 'check'; step: string; result: CheckRecord }
  | { type: 'compare'; step: string; comparison: Comparison }
  | { type: 'approval'; step: string; approval: ApprovalRecord }
  | { type: 'step-end'; step: string; status: StepStatus; seconds: number | null; summary: string | null; explanation: Explanation | null }
  | { type: 'run-end'; outcome: RunOutcome };

export interface RunOutcome {
  runId: string;
  runDir: string;
  status: RunStatus;
  message: string;
  /** The step the run stopped at (failed, refused, cancelled), else null. */
  stoppedAt: string | null;
  explanation: Explanation | null;
  journal: Journal;
}

export interface RunOptions {
  /** Asked at every gate and for run-time approvals. */
  approve: Approver;
  /** The connection sql and check steps use (the plan names it; the caller opens it). */
  warehouse?: Warehouse | null;
  /** Instead of `warehouse`: opens the connection when a step first needs it; the run closes it when it ends, and
   * closes an embedded database's (DuckDB, one writing process per file) before each dbt step so dbt can open it. */
  connect?: () => Promise<Warehouse>;
  /** Computes a compare step's comparison on the run's warehouse; default src/core/compare's compareRelations. */
  compare?: CompareRelations;
  /** Cancels the run: the dbt process tree is stopped, the journal marked `cancelled`. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Credentials to scrub from everything written and emitted (the target's password, ...). */
  secrets?: ReadonlyArray<Secret | null | undefined>;
  /** The project's target folder (absolute); journals go under `<it>/dbt-recovery/runs/`. Default: from
   * dbt_project.yml in the plan's projectDir (DBT_TARGET_PATH honoured). */
  targetPath?: string;
  /** Where dbt's run_results.json appears as seen from here, when dbt writes it elsewhere (a container's
   * bind mount). Default: the step's `--target-path`, else `targetPath`. */
  dbtTargetPath?: string;
  /** Extra environment for dbt (on top of this process's); never written anywhere. */
  env?: Readonly<Record<string, string>>;
  /** Working folder of dbt; default the plan's projectDir. */
  cwd?: string;
  /** Evaluates check rows; default: the plan module's `evaluateCheck`. */
  evaluateCheck?: EvaluateCheck;
  /** After a cancel's SIGINT (dbt's own Ctrl-C: it cancels its open queries), how long before SIGKILL. */
  cancelGraceMs?: number;
  /** `json` (default): `--log-format json` and per-model progress; `text` for a dbt that cannot. */
  logFormat?: 'json' | 'text';
  /** Fixed run id (tests); default `<UTC time>-<workflow>-<random>`. */
  runId?: string;
  now?: () => Date;
}

export interface ResumeOptions extends Omit<RunOptions, 'runId'> {
  /** The plan the caller holds: resuming is refused when it is not the journal's plan. */
  plan?: Plan;
}

export interface RunSummary {
  runId: string;
  runDir: string;
  workflow: Plan['workflow'];
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  steps: Record<StepStatus, number>;
  /** The first step not done: where a resume starts. */
  nextStep: string | null;
  message: string | null;
}
