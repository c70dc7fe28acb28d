import { readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadManifest } from '../manifest/loadManifest';
import { readProject } from '../manifest/project';
import { parseRunResults, type RunResults } from '../manifest/runResults';
import type { Manifest } from '../manifest/types';
import { evaluateCheck as defaultEvaluateCheck } from '../plan/evaluateCheck';
import type { Comparison } from '../compare/types';
import type { CheckStep, CompareStep, DbtStep, GateStep, Plan, SqlStep, Step } from '../plan/types';
import { compareRelations } from '../compare/compareRelations';
import { ClickHouseWarehouse, type PendingMutation } from '../warehouse/clickhouseWarehouse';
import { cloneRelation } from '../warehouse/cloneRelation';
import { promoteRelation } from '../warehouse/promoteRelation';
import { killMutationSql, statementText } from '../warehouse/clickhouseSql';
import type { Row, Warehouse } from '../warehouse/warehouse';
import { WarehouseError } from '../warehouse/warehouseError';
import { applyFileEdit } from './applyFileEdit';
import { currentUser } from './approveAll';
import { comparisonSummary } from './comparisonSummary';
import { dbtInvocation, rejectsLogFormatFlag, runResultsPathOf } from './dbtInvocation';
import { parseDbtLogLine, type DbtNodeInfo } from './dbtLogLine';
import { runDbtProcess } from './dbtProcess';
import { displayArgv } from './displayArgv';
import { explainFailure, type FailureContext } from './explainFailure';
import { formatRows } from './formatRows';
import { planHash } from './planHash';
import { isKillMutations, planProblems } from './planProblems';
import { RunError } from './runError';
import { runsFolder } from './listRuns';
import { processAlive } from './processAlive';
import { findRunDir, newRunId, readRun, RunJournal } from './runJournal';
import { Scrubber } from './scrubber';
import type {
  OutlierExplanation,
  OutlierToExplain,
  ApprovalDecision,
  ApprovalRecord,
  ApprovalRequest,
  CheckRecord,
  Explanation,
  Journal,
  ResumeOptions,
  RunEvent,
  RunOptions,
  RunOutcome,
  RunStatus,
  StepRecord,
} from './types';

/** Rows of a check's result table kept in the journal (the count says how many there were). */
export const MAX_RECORDED_ROWS = 200;
/** A failed node's message kept in the journal (the step log and run_results.json have it whole). */
export const MAX_MESSAGE_CHARS = 4000;
const DEFAULT_CANCEL_GRACE_MS = 10_000;
/** A dbt step's journal is rewritten at most this often while models finish (and at every step boundary). */
const PROGRESS_SAVE_MS = 1_000;

function newStepRecord(step: Step): StepRecord {
  return {
    id: step.id,
    kind: step.kind,
    phase: step.phase,
    description: step.description,
    idempotent: step.idempotent,
    writes: step.writes,
    status: 'pending',
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    seconds: null,
    summary: null,
    error: null,
    explanation: null,
    warnings: [],
    log: null,
    dbt: null,
    statements: [],
    check: null,
    comparison: null,
  };
}

/** Steps that need the plan's warehouse connection (an `edit-file` sql step does not). */
function usesWarehouse(step: Step): boolean {
  return step.kind === 'check' || step.kind === 'compare' || (step.kind === 'sql' && step.operation.op !== 'edit-file');
}

function targetPathOf(plan: Plan, options: Pick<RunOptions, 'targetPath' | 'env'>): string {
  if (options.targetPath) return path.resolve(options.targetPath);
  try {
    return readProject(plan.projectDir, { env: { ...process.env, ...options.env } }).targetPath;
  } catch (err) {
    throw new RunError(
      `The project's target folder cannot be found from ${plan.projectDir} (${(err as Error).message.split('\n')[0]}).`,
      'Pass the target folder as seen from here (targetPath): the run journal is written under it.',
    );
  }
}

/** Mutations as a no-pending-mutations check returns them (system.mutations columns). */
function mutationsOf(rows: readonly Row[]): PendingMutation[] {
  const out: PendingMutation[] = [];
  for (const r of rows) {
    const database = r.database;
    const table = r.table;
    const id = r.mutation_id ?? r.mutationId;
    if (typeof database !== 'string' || typeof table !== 'string' || typeof id !== 'string') continue;
    out.push({
      database,
      table,
      mutationId: id,
      command: typeof r.command === 'string' ? r.command : '',
      createTime: typeof r.create_time === 'string' ? r.create_time : '',
      partsToDo: Number(r.parts_to_do ?? 0),
      latestFailReason: typeof r.latest_fail_reason === 'string' && r.latest_fail_reason !== '' ? r.latest_fail_reason : null,
    });
  }
  return out;
}

type StepEnd = 'continue' | 'stop';

const label = (r: { database: string | null; schema: string; name: string }): string => [r.database, r.schema, r.name].filter((p) => p).join('.');

/** An explanation names an outlier by its key values (as text) and column. */
function sameOutlier(e: OutlierExplanation, o: OutlierToExplain): boolean {
  return Array.isArray(e.key) && e.column === o.column && e.key.length === o.key.length && e.key.every((v, k) => String(v) === o.key[k]);
}

class Cancelled extends Error {}

/**
 * One execution of a plan (a first run or a resume): steps in order, each recorded in the journal before and after
 * it runs. Emits RunEvents; `start()` resolves with the outcome and never rejects for a step's failure.
 */
export class PlanRun {
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly signal: AbortSignal | undefined;
  /** Set while the `always` steps run after the run stopped: they run to the end even after a cancel. */
  private cleaningUp = false;
  /** Steps started in this attempt (the cleanup runs the `always` steps among the others). */
  private readonly startedNow = new Set<number>();
  private manifest: Manifest | null | undefined;
  private lastSave = 0;
  private stoppedAt: string | null = null;
  /** How the run ends when a step stopped it: failed, refused or cancelled. */
  private endStatus: RunStatus = 'failed';
  private current: StepRecord | null = null;
  /** A connection this run opened with `options.connect` (closed when the run ends). */
  private opened: Warehouse | null = null;

  private constructor(
    readonly plan: Plan,
    private readonly journal: Journal,
    private readonly store: RunJournal,
    private readonly options: RunOptions,
    private readonly scrub: Scrubber,
    private readonly targetPath: string,
    private readonly resumed: boolean,
  ) {
    this.signal = options.signal;
    if (options.onEvent) this.listeners.add(options.onEvent);
  }

  /** The run's cancel signal, except while the `always` steps clean up. */
  private get abort(): AbortSignal | undefined {
    return this.cleaningUp ? undefined : this.signal;
  }

  get runId(): string {
    return this.journal.runId;
  }

  get runDir(): string {
    return this.store.dir;
  }

  /** Subscribes to the run's events; returns the unsubscribe. */
  on(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new run of `plan`: validates it, then creates its folder, plan.json and journal.json. */
  static create(plan: Plan, options: RunOptions): PlanRun {
    const problems = planProblems(plan);
    if (problems.length > 0) throw new RunError(`The plan cannot run: ${problems.join(' ')}`, 'Fix the planner or the plan file.');
    const targetPath = targetPathOf(plan, options);
    const now = (options.now ?? (() => new Date()))();
    const runId = options.runId ?? newRunId(plan.workflow, now);
    const scrub = new Scrubber(options.secrets ?? [], { ...process.env, ...options.env });
    const store = RunJournal.create(path.join(runsFolder(targetPath), runId), scrub);
    const journal: Journal = {
      format: 1,
      runId,
      workflow: plan.workflow,
      planHash: planHash(plan),
      projectDir: plan.projectDir,
      connection: plan.connection,
      status: 'running',
      startedAt: now.toISOString(),
      finishedAt: null,
      attempts: [],
      steps: plan.steps.map(newStepRecord),
      approvals: [],
      message: null,
      explanation: null,
    };
    store.writePlan(plan);
    return new PlanRun(plan, journal, store, options, scrub, targetPath, false);
  }

  /**
   * Continues a run from its first unfinished step. Refuses (RunError, nothing run) when the plan differs from the
   * journal's, when another process is running it, or when the dbt process of the interrupted attempt is still alive.
   */
  static resume(runIdOrDir: string, options: ResumeOptions): PlanRun {
    const hint = options.targetPath ?? (options.plan ? targetPathOf(options.plan, options) : null);
    const dir = findRunDir(runIdOrDir, hint);
    const stored = readRun(dir);
    const { journal, plan } = stored;
    const storedHash = planHash(plan);
    if (storedHash !== journal.planHash) {
      throw new RunError(`The plan.json of run ${journal.runId} is not the plan it started with (its hash changed).`, 'A run resumes only the plan it approved: plan again and start a new run.');
    }
    if (options.plan && planHash(options.plan) !== journal.planHash) {
      throw new RunError(
        `Run ${journal.runId} ran a different plan than the one given (plan hashes differ).`,
        'Approvals were given for the journal\'s plan: resume without a plan to continue it, or start a new run for the new plan.',
      );
    }
    const problems = planProblems(plan);
    if (problems.length > 0) throw new RunError(`The plan cannot run: ${problems.join(' ')}`, 'Start a new run from a corrected plan.');
    if (journal.status === 'done') throw new RunError(`Run ${journal.runId} is already done: every step finished.`, 'Nothing to resume.');
    const last = journal.attempts[journal.attempts.length - 1];
    if (journal.status === 'running' && last && last.host === os.hostname() && last.pid !== process.pid && processAlive(last.pid)) {
      throw new RunError(`Run ${journal.runId} is being run by process ${last.pid}.`, 'Wait for it to finish, or cancel it there.');
    }
    for (const s of journal.steps) {
      const pid = s.dbt?.pid;
      if (s.status === 'running' && pid && last?.host === os.hostname() && processAlive(pid)) {
        throw new RunError(
          `The dbt process of step ${s.id} (pid ${pid}) from the interrupted attempt is still running, and would write alongside the resumed run.`,
          `Wait for it to exit, or stop it with \`kill -INT -${pid}\` (its process group), then resume.`,
        );
      }
    }
    const scrub = new Scrubber(options.secrets ?? [], { ...process.env, ...options.env });
    const targetPath = options.targetPath ? path.resolve(options.targetPath) : path.resolve(dir, '..', '..', '..');
    return new PlanRun(plan, journal, new RunJournal(dir, scrub), options, scrub, targetPath, true);
  }

  /** Runs every step not yet done, in order. */
  async start(): Promise<RunOutcome> {
    const now = this.now();
    this.journal.status = 'running';
    this.journal.finishedAt = null;
    this.journal.message = null;
    this.journal.explanation = null;
    this.journal.attempts.push({ startedAt: now, finishedAt: null, pid: process.pid, host: os.hostname(), resumed: this.resumed, status: 'running' });
    this.redoCleanedUp();
    this.save();
    const first = this.journal.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
    this.emit({ type: 'run-start', runId: this.runId, runDir: this.runDir, resumed: this.resumed, firstStep: first?.id ?? null });

    let status: RunStatus = 'done';
    let message = `All ${this.plan.steps.length} steps done.`;
    try {
      const needsWarehouse = this.plan.steps.some((s, i) => usesWarehouse(s) && this.record(i).status !== 'done' && this.record(i).status !== 'skipped');
      if (needsWarehouse && !this.options.warehouse && !this.options.connect) {
        throw new RunError('The plan has sql, check or compare steps to run, but no warehouse connection was given.', 'Open the connection the plan names and pass it as `warehouse`.');
      }
      for (let i = 0; i < this.plan.steps.length; i++) {
        const rec = this.record(i);
        if (rec.status === 'done' || rec.status === 'skipped') continue;
        if (this.abort?.aborted) throw new Cancelled();
        const end = await this.runStep(i);
        if (end === 'stop') break;
      }
      if (this.stoppedAt !== null) {
        status = this.endStatus;
        message = this.journal.message ?? `Step ${this.stoppedAt} ${status}.`;
      }
    } catch (err) {
      if (err instanceof Cancelled || this.abort?.aborted) {
        status = 'cancelled';
        message = this.current ? `Cancelled during step ${this.current.id}.` : 'Cancelled before the next step.';
        if (this.current && this.current.status === 'running') this.finishStep(this.current, 'cancelled', 'Cancelled.');
        this.stoppedAt = this.current?.id ?? this.stoppedAt;
      } else {
        status = 'failed';
        message = err instanceof RunError ? err.message : `The runner failed: ${(err as Error)?.stack ?? String(err)}`;
        if (this.current && this.current.status === 'running') {
          this.current.error = message;
          this.finishStep(this.current, 'failed', null);
        }
        this.stoppedAt = this.current?.id ?? null;
      }
    }
    if (status !== 'done') message = await this.runAlwaysSteps(message);
    await this.closeOpened();
    const finished = this.now();
    this.journal.status = status;
    this.journal.finishedAt = finished;
    this.journal.message = message;
    const attempt = this.journal.attempts[this.journal.attempts.length - 1]!;
    attempt.finishedAt = finished;
    attempt.status = status;
    this.save();
    const outcome: RunOutcome = {
      runId: this.runId,
      runDir: this.runDir,
      status,
      message: this.scrub.text(message),
      stoppedAt: this.stoppedAt,
      explanation: this.journal.explanation,
      journal: this.scrub.value(this.journal),
    };
    this.emit({ type: 'run-end', outcome });
    return outcome;
  }

  // ---- the connection ----

  /** The warehouse for the next step: the caller's, or one opened on first use with `connect`. */
  private async connection(): Promise<Warehouse> {
    if (this.options.warehouse) return this.options.warehouse;
    if (!this.opened) {
      if (!this.options.connect) throw new RunError('This step needs a warehouse connection, and none was given.', 'Open the connection the plan names and pass it as `warehouse` (or `connect`).');
      this.opened = await this.untilAborted(this.options.connect());
    }
    return this.opened;
  }

  /** An embedded database file (DuckDB) takes one writing process: let go of it while dbt runs against it. */
  private async releaseEmbedded(): Promise<void> {
    if (this.opened?.engine !== 'duckdb') return;
    const w = this.opened;
    this.opened = null;
    await w.close();
  }

  private async closeOpened(): Promise<void> {
    const w = this.opened;
    this.opened = null;
    try {
      await w?.close();
    } catch {
      // Closing a connection that already broke says nothing about the run.
    }
  }

  // ---- always steps ----

  /**
   * After the run stopped (failed, refused, cancelled): every `always` step not run in this attempt and not done runs
   * now, in plan order, even after a cancel, so that a temporary override is taken back. The run keeps the status
   * and the stopping step it had; the message says what the always steps did.
   */
  private async runAlwaysSteps(message: string): Promise<string> {
    const todo: number[] = [];
    this.plan.steps.forEach((s, i) => {
      const st = this.record(i).status;
      if (s.always && !this.startedNow.has(i) && st !== 'done' && st !== 'skipped') todo.push(i);
    });
    if (todo.length === 0) return message;
    const kept = { stoppedAt: this.stoppedAt, endStatus: this.endStatus, message: this.journal.message, explanation: this.journal.explanation };
    this.cleaningUp = true;
    const said: string[] = [];
    try {
      for (const i of todo) {
        const rec = this.record(i);
        rec.ranAsCleanup = true;
        try {
          await this.runStep(i);
        } catch (err) {
          const text = err instanceof RunError ? err.message : `The runner failed: ${(err as Error)?.message ?? String(err)}`;
          if (rec.status === 'running') {
            rec.error = text;
            this.finishStep(rec, 'failed', null);
          }
        }
        said.push(`${rec.id} ${rec.status}${rec.status === 'done' ? '' : `: ${(rec.error ?? rec.summary ?? '').split('\n')[0]}`}`);
      }
    } finally {
      this.cleaningUp = false;
      this.stoppedAt = kept.stoppedAt;
      this.endStatus = kept.endStatus;
      this.journal.message = kept.message;
      this.journal.explanation = kept.explanation;
    }
    const failed = todo.some((i) => this.record(i).status !== 'done');
    return `${message} Then ran the ${todo.length === 1 ? 'step that always runs' : `${todo.length} steps that always run`}: ${said.join('; ')}.${failed ? ' A step that always runs did not finish: do what it shows by hand.' : ''}`;
  }

  /**
   * A resume: `always` steps that ran as cleanup after the run stopped run again in their turn, and so do the steps
   * they undid (the override they took back is needed again by the steps still to run).
   */
  private redoCleanedUp(): void {
    if (!this.resumed) return;
    this.plan.steps.forEach((s, i) => {
      const rec = this.record(i);
      if (!rec.ranAsCleanup) return;
      rec.ranAsCleanup = false;
      if (rec.status === 'done') rec.status = 'pending';
      const undone = s.undoes !== undefined ? this.plan.steps.findIndex((x) => x.id === s.undoes) : -1;
      if (undone >= 0 && this.record(undone).status === 'done') this.record(undone).status = 'pending';
    });
  }

  // ---- steps ----

  private async runStep(i: number): Promise<StepEnd> {
    const step = this.plan.steps[i]!;
    const rec = this.record(i);
    // A step cut off (or failed) in an earlier attempt runs again; one the plan does not call safe to repeat only
    // after an approval.
    if (rec.attempts > 0 && !step.idempotent && step.kind !== 'gate') {
      const approval = await this.ask({
        reason: 'repeat-step',
        stepId: step.id,
        phase: step.phase,
        title: `Repeat step ${step.id}? It was ${rec.status === 'running' ? 'cut off' : rec.status} in an earlier attempt, and the plan does not mark it safe to repeat.`,
        description: step.description,
        shows: this.showsOf(step),
      });
      if (!approval.approved) return this.refuse(rec, `Step ${step.id} was not repeated: its repeat was refused by ${approval.by}.`);
    }
    if (step.writes && !isKillMutations(step) && !this.gateApprovedBefore(i)) {
      this.beginStep(i);
      rec.error = 'Not run: it writes to the target, and no gate before it was approved in this run.';
      this.finishStep(rec, 'failed', null);
      return this.stop(rec, rec.error, null);
    }
    this.beginStep(i);
    switch (step.kind) {
      case 'gate':
        return this.runGate(step, rec);
      case 'dbt':
        return this.runDbt(step, rec);
      case 'sql':
        return this.runSql(step, rec);
      case 'check':
        return this.runCheck(step, rec);
      case 'compare':
        return this.runCompare(step, rec);
    }
  }

  private gateApprovedBefore(i: number): boolean {
    for (let g = i - 1; g >= 0; g--) {
      if (this.plan.steps[g]!.kind !== 'gate') continue;
      const rec = this.record(g);
      return rec.status === 'done' && this.journal.approvals.some((a) => a.stepId === rec.id && a.reason === 'gate' && a.approved);
    }
    return false;
  }

  private async runGate(step: GateStep, rec: StepRecord): Promise<StepEnd> {
    // While a person decides, an embedded database file (DuckDB) is theirs to inspect: the next step reopens it.
    await this.releaseEmbedded();
    const required = step.requiresExplained ?? [];
    if (required.length === 0) {
      const approval = await this.ask({ reason: 'gate', stepId: step.id, phase: step.phase, title: step.title, description: step.description, shows: step.shows });
      return this.gateDecided(step, rec, approval);
    }
    const explain: OutlierToExplain[] = [];
    const summaries: string[] = [];
    for (const id of required) {
      const k = this.plan.steps.findIndex((s) => s.id === id);
      const comparison = k >= 0 ? this.record(k).comparison : null;
      if (!comparison || this.record(k).status !== 'done') {
        rec.error = `Gate ${step.id} needs the outliers of compare step ${id} explained, but that comparison has not been made in this run.`;
        this.finishStep(rec, 'failed', null);
        return this.stop(rec, rec.error, null);
      }
      summaries.push(`Comparison ${id}: ${comparisonSummary(comparison)}`);
      for (const o of comparison.outliers) {
        if (o.needsExplanation) explain.push({ step: id, key: [...o.key], column: o.column, prod: o.prod, dev: o.dev, relDelta: o.relDelta });
      }
    }
    const request: ApprovalRequest = {
      reason: 'gate',
      stepId: step.id,
      phase: step.phase,
      title: step.title,
      description: [step.description, ...summaries].join('\n'),
      shows: step.shows,
      explain,
    };
    const approval = await this.ask(request, (d) => {
      const missing = explain.filter((o) => !(d.explanations ?? []).some((e) => sameOutlier(e, o) && typeof e.note === 'string' && e.note.trim() !== ''));
      if (missing.length === 0) return null;
      const named = missing.slice(0, 5).map((o) => `${o.key.join(',')} ${o.column}`).join('; ');
      return `${missing.length} of ${explain.length} outlier(s) above the threshold have no note (${named}${missing.length > 5 ? '; ...' : ''}): every one must be explained before this gate can be approved`;
    });
    return this.gateDecided(step, rec, approval);
  }

  private gateDecided(step: GateStep, rec: StepRecord, approval: ApprovalRecord & { refusedBecause?: string }): StepEnd {
    if (!approval.approved) {
      if (approval.refusedBecause) {
        rec.summary = `Not approved: ${approval.refusedBecause}.`;
        this.finishStep(rec, 'failed', rec.summary);
        return this.refuse(rec, `Gate ${step.id} ("${step.title}") was not approved: ${approval.refusedBecause}. Nothing after it ran.`);
      }
      rec.summary = `Refused by ${approval.by}.`;
      this.finishStep(rec, 'failed', rec.summary);
      return this.refuse(rec, `Gate ${step.id} ("${step.title}") was refused by ${approval.by}: nothing after it ran.`);
    }
    const notes = approval.explanations?.length ? `, with ${approval.explanations.length} outlier note(s)` : '';
    this.finishStep(rec, 'done', `Approved by ${approval.by}${approval.automatic ? ' (automatic)' : ''}${notes}.`);
    return 'continue';
  }

  private async runDbt(step: DbtStep, rec: StepRecord): Promise<StepEnd> {
    await this.releaseEmbedded();
    const logFormat = this.options.logFormat ?? 'json';
    let invocation = dbtInvocation(this.plan, step, { logFormat });
    const cwd = this.options.cwd ?? this.plan.projectDir;
    const startedMs = Date.now();
    const nodes = { total: step.expectedNodes.length > 0 ? step.expectedNodes.length : null, started: 0, succeeded: 0, failed: 0, skipped: 0 };
    rec.dbt = { argv: [invocation.file, ...invocation.args], logFormat: invocation.logFormat, pid: null, exitCode: null, signal: null, dbtVersion: null, invocationId: null, nodes, failedNodes: [], runResults: null };
    const dbt = rec.dbt;
    const errors: Array<{ node: DbtNodeInfo | null; message: string }> = [];
    const nodeInfo = new Map<string, DbtNodeInfo>();
    let lastFailed: DbtNodeInfo | null = null;
    let output = '';

    const onLine = (stream: 'stdout' | 'stderr', raw: string): void => {
      const line = parseDbtLogLine(raw);
      const text = line ? (line.name === 'text' ? line.msg : `${line.ts ? `${line.ts.slice(11, 19)}  ` : ''}${line.msg}`) : raw;
      if (output.length < 64_000) output += `${raw}\n`;
      rec.log = this.store.appendLog(step.id, text);
      this.emit({ type: 'output', step: step.id, stream, line: text });
      if (!line) return;
      if (line.invocationId) dbt.invocationId ??= line.invocationId;
      if (line.kind === 'version') dbt.dbtVersion = line.version;
      if ((line.kind === 'node-start' || line.kind === 'node-result') && line.node) {
        const id = line.node.uniqueId ?? line.node.name;
        if (line.node.uniqueId) nodeInfo.set(line.node.uniqueId, line.node);
        if (line.total !== null) nodes.total = line.total;
        if (line.kind === 'node-start') nodes.started++;
        else if (line.status === 'success' || line.status === 'pass' || line.status === 'no-op') nodes.succeeded++;
        else if (line.status === 'skipped') nodes.skipped++;
        else if (line.status === 'error' || line.status === 'fail') {
          nodes.failed++;
          lastFailed = line.node;
        }
        this.emit({ type: 'progress', step: step.id, node: id, name: line.node.name, index: line.index ?? 0, total: line.total ?? nodes.total ?? 0, status: line.status ?? 'unknown', seconds: line.seconds });
        if (line.kind === 'node-result') this.saveThrottled();
      }
      if (line.kind === 'error' && line.message) errors.push({ node: line.node ?? lastFailed, message: line.message });
      if (line.kind === 'node-result' && line.message && (line.status === 'error' || line.status === 'fail')) errors.push({ node: line.node, message: line.message });
    };

    rec.log = this.store.appendLog(step.id, `$ ${displayArgv(dbt.argv)}  (in ${cwd})`);
    this.save();
    let result = await this.dbtProcess(invocation, cwd, dbt, onLine);
    if (!result.cancelled && invocation.logFormat === 'json' && rejectsLogFormatFlag(result.exitCode, output)) {
      // dbt before 1.5 takes --log-format only before the subcommand; DBT_LOG_FORMAT=json gives it JSON as well.
      rec.warnings.push('This dbt does not take --log-format after the subcommand (dbt before 1.5?): ran it again without the flag, with DBT_LOG_FORMAT=json.');
      invocation = dbtInvocation(this.plan, step, { logFormat, withFlag: false });
      dbt.argv = [invocation.file, ...invocation.args];
      rec.log = this.store.appendLog(step.id, `$ ${displayArgv(dbt.argv)}  (in ${cwd})`);
      output = '';
      result = await this.dbtProcess(invocation, cwd, dbt, onLine);
    }
    dbt.exitCode = result.exitCode;
    dbt.signal = result.signal;

    // run_results.json before the next step overwrites it.
    const results = this.copyRunResults(step, rec, startedMs);
    const failed = new Map<string, { uniqueId: string; name: string; message: string }>();
    if (results) {
      for (const r of results.results.values()) {
        if (r.status === 'error' || r.status === 'fail' || r.status === 'runtime error') {
          failed.set(r.uniqueId, { uniqueId: r.uniqueId, name: r.uniqueId.split('.').pop()!, message: r.message ?? '' });
        }
      }
    }
    for (const e of errors) {
      const id = e.node?.uniqueId ?? e.node?.name ?? null;
      if (id && !failed.has(id)) failed.set(id, { uniqueId: id, name: e.node!.name, message: e.message });
      else if (id && failed.get(id)!.message === '') failed.get(id)!.message = e.message;
    }
    dbt.failedNodes = [...failed.values()].map((f) => ({
      ...f,
      message: f.message.length > MAX_MESSAGE_CHARS ? `${f.message.slice(0, MAX_MESSAGE_CHARS)}...` : f.message,
      explanation: explainFailure(f.message, { step, node: this.nodeContext(f.uniqueId, f.name, nodeInfo.get(f.uniqueId) ?? null) }),
    }));

    if (result.cancelled || this.abort?.aborted) {
      this.finishStep(rec, 'cancelled', `Cancelled after ${nodes.succeeded} of ${nodes.total ?? '?'} nodes; dbt's process tree was stopped.`);
      return this.stop(rec, `Cancelled during step ${step.id}: dbt's process tree was stopped.`, null, 'cancelled');
    }
    if (result.spawnError) {
      rec.error = `dbt could not be started (${displayArgv(dbt.argv)}): ${result.spawnError}`;
      this.finishStep(rec, 'failed', null);
      return this.stop(rec, rec.error, null);
    }
    const counts = `${nodes.succeeded} OK, ${nodes.failed} failed, ${nodes.skipped} skipped${nodes.total !== null ? ` of ${nodes.total}` : ''}`;
    if (result.exitCode === 0) {
      this.finishStep(rec, 'done', `dbt finished: ${counts}.`);
      return 'continue';
    }
    let explanation: Explanation | null = dbt.failedNodes.find((f) => f.explanation)?.explanation ?? null;
    explanation ??= explainFailure(errors.map((e) => e.message).join('\n') || output, { step, node: null });
    const names = dbt.failedNodes.map((f) => f.name);
    rec.error = `dbt exited with ${result.exitCode ?? result.signal}${names.length ? `: ${names.join(', ')} failed` : ''}.`;
    rec.explanation = explanation;
    this.finishStep(rec, 'failed', `dbt failed: ${counts}.`);
    return this.stop(rec, `Step ${step.id} failed: ${rec.error}`, explanation);
  }

  private async dbtProcess(invocation: ReturnType<typeof dbtInvocation>, cwd: string, dbt: NonNullable<StepRecord['dbt']>, onLine: (s: 'stdout' | 'stderr', l: string) => void) {
    return runDbtProcess({
      invocation,
      cwd,
      env: { ...this.options.env, ...invocation.env },
      signal: this.abort,
      cancelGraceMs: this.options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
      onSpawn: (pid) => {
        dbt.pid = pid;
        // Recorded before dbt does anything: a resume must know which process may still be writing.
        this.save();
      },
      onLine,
    });
  }

  private copyRunResults(step: DbtStep, rec: StepRecord, startedMs: number): RunResults | null {
    const dbt = rec.dbt!;
    const file = this.options.dbtTargetPath
      ? path.join(this.options.dbtTargetPath, 'run_results.json')
      : runResultsPathOf(this.plan, step, this.targetPath);
    let text: string;
    try {
      // A file older than the step is the previous command's.
      if (statSync(file).mtimeMs < startedMs) {
        rec.warnings.push(`${file} was not rewritten by this step (dbt wrote none, or writes it elsewhere): not copied.`);
        return null;
      }
      text = readFileSync(file, 'utf8');
    } catch {
      rec.warnings.push(`dbt wrote no ${file}${this.plan.dbtCommand.length > 1 ? ' (when dbt runs in a container, pass dbtTargetPath: where its target folder is seen from here)' : ''}.`);
      return null;
    }
    let results: RunResults | null = null;
    try {
      results = parseRunResults(text, file);
    } catch (err) {
      rec.warnings.push(`${(err as Error).message}: copied as it is.`);
    }
    if (results && dbt.invocationId && results.invocationId && results.invocationId !== dbt.invocationId) {
      rec.warnings.push(`${file} belongs to another dbt invocation (${results.invocationId}, this step's is ${dbt.invocationId}): not copied.`);
      return null;
    }
    dbt.runResults = this.store.saveRunResults(step.id, text);
    return results;
  }

  private nodeContext(uniqueId: string, name: string, info: DbtNodeInfo | null): FailureContext['node'] {
    const node = this.manifestNode(uniqueId);
    return {
      uniqueId: uniqueId.includes('.') ? uniqueId : null,
      name: node?.name ?? info?.name ?? name,
      file: node?.originalFilePath ?? info?.path ?? null,
      tags: node ? node.tags : null,
      database: node?.schema ?? info?.relation?.schema ?? null,
      alias: node?.alias ?? info?.relation?.alias ?? null,
    };
  }

  private manifestNode(uniqueId: string) {
    if (this.manifest === undefined) {
      try {
        this.manifest = loadManifest(path.join(this.targetPath, 'manifest.json'));
      } catch {
        this.manifest = null;
      }
    }
    return this.manifest?.nodes.get(uniqueId) ?? null;
  }

  private async runSql(step: SqlStep, rec: StepRecord): Promise<StepEnd> {
    const op = step.operation;
    rec.log = this.store.appendLog(step.id, `-- ${step.description}\n${step.sql}`);
    if (op.op === 'edit-file') return this.editFile(step, op, rec);
    const w = await this.connection();
    try {
      switch (op.op) {
        case 'optimize-partition': {
          // A month the table has no rows for (a sparse model) has nothing to deduplicate: a warning, not a stop. A
          // literal that is not the month the table's key makes still fails (the silent no-op protection).
          const r = await this.untilAborted(this.clickhouse(w, step).optimizePartition(op.database, op.table, op.partition, { emptyMonth: 'skip' }));
          if (r.statement === null) {
            const warning = `no rows for ${r.emptyMonth} in ${op.database}.${op.table}: nothing to deduplicate`;
            rec.warnings.push(warning);
            rec.log = this.store.appendLog(step.id, `-- not sent: ${warning}`);
            this.finishStep(rec, 'done', `Warning: ${warning}.`);
            return 'continue';
          }
          const sent = statementText(r.statement);
          rec.statements.push(sent);
          rec.log = this.store.appendLog(step.id, `${sent}\n-- done: partition ${r.partition.partition} had ${r.partition.parts} parts, ${r.partition.rows} rows before`);
          this.finishStep(rec, 'done', `OPTIMIZE of ${op.database}.${op.table} partition ${r.partition.partition} done (${r.partition.parts} parts before).`);
          return 'continue';
        }
        case 'clone-table':
        case 'promote-table': {
          const done =
            op.op === 'clone-table'
              ? await this.untilAborted(cloneRelation(w, op.source, op.target)).then((r) => ({ sent: r.statements, said: `Cloned ${label(op.source)} into ${label(op.target)}${r.partitions !== null ? ` (${r.partitions} partitions)` : ''}${r.fellBack ? ` as a ${r.kind} table (${r.refusal ?? 'the first kind was refused'})` : ''}.` }))
              : await this.untilAborted(promoteRelation(w, op.dev, op.prod)).then((r) => ({ sent: r.statements, said: `Promoted (${r.method}): ${r.note}` }));
          rec.statements.push(...done.sent);
          rec.log = this.store.appendLog(step.id, `${done.sent.join('\n')}\n-- ${done.said}`);
          this.finishStep(rec, 'done', done.said);
          return 'continue';
        }
        case 'exec': {
          await this.untilAborted(w.exec(op.statement));
          rec.statements.push(op.statement);
          this.finishStep(rec, 'done', 'Statement done.');
          return 'continue';
        }
        case 'kill-mutations': {
          const found = this.mutationsFoundBefore(this.plan.steps.indexOf(step)).filter((m) => op.database === null || m.database === op.database);
          if (found.length === 0) {
            this.finishStep(rec, 'done', 'No pending mutation to kill.');
            return 'continue';
          }
          return await this.killMutations(step, rec, found);
        }
      }
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      return this.sqlFailed(step, rec, err, op.op === 'optimize-partition' ? { database: op.database, table: op.table, partition: op.partition } : null);
    }
  }

  private editFile(step: SqlStep, op: Extract<SqlStep['operation'], { op: 'edit-file' }>, rec: StepRecord): StepEnd {
    const file = path.resolve(this.plan.projectDir, op.path);
    let result: 'applied' | 'already';
    try {
      result = applyFileEdit(file, op);
    } catch (err) {
      rec.error = err instanceof Error ? err.message : String(err);
      rec.log = this.store.appendLog(step.id, `-- refused: ${rec.error}`);
      this.finishStep(rec, 'failed', null);
      return this.stop(rec, `Step ${step.id} failed: ${rec.error}`, null);
    }
    rec.statements.push(step.sql);
    const said = result === 'applied' ? `Edited ${op.path}.` : `${op.path} already had this edit: left as it is.`;
    rec.log = this.store.appendLog(step.id, `-- ${said}`);
    this.finishStep(rec, 'done', said);
    return 'continue';
  }

  private sqlFailed(step: Step, rec: StepRecord, err: unknown, table: FailureContext['table']): StepEnd {
    const text = err instanceof Error ? err.message : String(err);
    rec.error = text;
    rec.log = this.store.appendLog(step.id, `-- failed: ${text}`);
    rec.explanation = explainFailure(text, { step, table });
    this.finishStep(rec, 'failed', null);
    return this.stop(rec, `Step ${step.id} failed: ${err instanceof WarehouseError ? err.problem : text}`, rec.explanation);
  }

  private clickhouse(w: Warehouse, step: Step): ClickHouseWarehouse {
    if (w instanceof ClickHouseWarehouse) return w;
    throw new RunError(`Step ${step.id} needs ClickHouse, but the connection is ${w.engine} (${w.description}).`, 'Run the plan against the ClickHouse target it was made for.');
  }

  /** The mutations the nearest no-pending-mutations check before step `i` found (from the journal, so a resume has them). */
  private mutationsFoundBefore(i: number): PendingMutation[] {
    for (let j = i - 1; j >= 0; j--) {
      const s = this.plan.steps[j]!;
      if (s.kind === 'check' && s.rule.type === 'no-pending-mutations') return mutationsOf(this.record(j).check?.offending ?? []);
    }
    return [];
  }

  private async killMutations(step: Step, rec: StepRecord, mutations: PendingMutation[]): Promise<StepEnd> {
    const ch = this.clickhouse(await this.connection(), step);
    const caps = await this.untilAborted(ch.capabilities());
    if (!caps.killMutation) {
      // killMutation sends nothing on such a server: it answers with the manual steps for each mutation.
      const manual: string[] = [];
      for (const m of mutations) {
        try {
          await ch.killMutation(m);
        } catch (err) {
          manual.push(err instanceof WarehouseError ? `${m.database}.${m.table} ${m.mutationId}: ${err.remedy}` : `${m.database}.${m.table} ${m.mutationId}: ${(err as Error).message}`);
        }
      }
      rec.error = `ClickHouse ${caps.version} has no KILL MUTATION: ${mutations.length} pending mutation(s) must be removed by hand before the run can go on.\n${manual.join('\n')}`;
      rec.log = this.store.appendLog(step.id, rec.error);
      this.finishStep(rec, 'failed', `${mutations.length} pending mutation(s) need removing by hand.`);
      return this.stop(rec, `Step ${step.id} stopped the run: ${rec.error}`, null);
    }
    const statements = mutations.map((m) => killMutationSql(m.database, m.table, m.mutationId).sql);
    const shows = mutations.flatMap((m, k) => [
      `-- ${m.database}.${m.table} ${m.mutationId}: ${m.command}${m.latestFailReason ? ` (failing: ${m.latestFailReason.split('\n')[0]})` : ''}`,
      statements[k]!,
    ]);
    const approval = await this.ask({
      reason: 'kill-mutations',
      stepId: step.id,
      phase: step.phase,
      title: `Kill ${mutations.length} pending mutation(s) that would block the run`,
      description: 'Unfinished mutations (a killed delete+insert leaves one that reads a dropped __dbt_new_data_* table) block every later mutation of their table.',
      shows,
    });
    if (!approval.approved) return this.refuse(rec, `Killing the pending mutations was refused by ${approval.by}: the run stopped before them.`);
    for (const [k, m] of mutations.entries()) {
      await this.untilAborted(ch.killMutation(m));
      rec.statements.push(statements[k]!);
      rec.log = this.store.appendLog(step.id, `${statements[k]!}\n-- killed`);
    }
    this.finishStep(rec, 'done', `Killed ${mutations.length} pending mutation(s) after approval by ${approval.by}.`);
    return 'continue';
  }

  private async runCheck(step: CheckStep, rec: StepRecord): Promise<StepEnd> {
    const w = await this.connection();
    rec.log = this.store.appendLog(step.id, `-- ${step.description}\n${step.sql}`);
    let rows: Row[];
    try {
      rows = await this.untilAborted(w.query(step.sql));
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      return this.sqlFailed(step, rec, err, null);
    }
    const evaluate = this.options.evaluateCheck ?? defaultEvaluateCheck;
    const ev = evaluate(step.rule, rows);
    const check: CheckRecord = {
      status: ev.status,
      message: ev.message,
      columns: step.columns,
      rows: rows.slice(0, MAX_RECORDED_ROWS),
      rowCount: rows.length,
      offending: ev.offending.slice(0, MAX_RECORDED_ROWS),
      truncated: rows.length > MAX_RECORDED_ROWS || ev.offending.length > MAX_RECORDED_ROWS,
    };
    rec.check = check;
    rec.log = this.store.appendLog(step.id, `-- ${ev.status}: ${ev.message}\n${formatRows(rows)}`);
    this.emit({ type: 'check', step: step.id, result: check });
    if (ev.status === 'pass') {
      this.finishStep(rec, 'done', ev.message);
      return 'continue';
    }
    if (ev.status === 'warn') {
      rec.warnings.push(ev.message);
      this.finishStep(rec, 'done', `Warning: ${ev.message}`);
      return 'continue';
    }
    if (step.rule.type === 'no-pending-mutations') {
      const mutations = mutationsOf(ev.offending.length > 0 ? ev.offending : rows);
      const i = this.plan.steps.indexOf(step);
      const killer = this.plan.steps.slice(i + 1).find((s) => s.kind !== 'gate');
      if (killer && isKillMutations(killer) && mutations.length > 0) {
        this.finishStep(rec, 'done', `${ev.message} Step ${killer.id} kills them after approval.`);
        return 'continue';
      }
      if (mutations.length > 0) return this.killMutations(step, rec, mutations);
    }
    rec.error = `${ev.message}\n${formatRows(ev.offending)}`;
    this.finishStep(rec, 'failed', `Stopped: ${ev.message}`);
    return this.stop(rec, `Check ${step.id} stopped the run: ${ev.message}\n${formatRows(ev.offending)}`, null);
  }

  private async runCompare(step: CompareStep, rec: StepRecord): Promise<StepEnd> {
    const w = await this.connection();
    rec.log = this.store.appendLog(step.id, `-- ${step.description}\n${step.sql.join('\n\n')}`);
    const compare = this.options.compare ?? compareRelations;
    let c: Comparison;
    try {
      c = await this.untilAborted(compare(w, step.spec));
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      return this.sqlFailed(step, rec, err, null);
    }
    rec.comparison = c;
    rec.statements = [...c.statements];
    const summary = comparisonSummary(c);
    rec.log = this.store.appendLog(step.id, `-- ${summary}\n${c.statements.join('\n\n')}`);
    this.emit({ type: 'compare', step: step.id, comparison: c });
    // The runbook's three checks must pass before anything is promoted: history identical, no anomalous value,
    // the spot check matching upstream. Outliers do not stop the run: a gate asks for a note on each.
    const problems: string[] = [];
    if (c.history && c.history.differing > 0) {
      problems.push(`${c.history.differing} of ${c.history.rows} rows before ${c.history.before} differ from prod (${c.history.columns.filter((x) => x.differing > 0).map((x) => x.column).join(', ')}): the build widened its range`);
    }
    for (const a of c.anomalies) if (a.rows > 0) problems.push(`${a.rows} dev rows of ${a.column} are outside the sanity range${a.min !== null ? ` min ${a.min}` : ''}${a.max !== null ? ` max ${a.max}` : ''}`);
    if (c.spotCheck && c.spotCheck.differing > 0) problems.push(`${c.spotCheck.differing} of ${c.spotCheck.rows} spot-checked rows differ from upstream`);
    if (problems.length > 0) {
      rec.error = `${problems.join('; ')}.`;
      this.finishStep(rec, 'failed', `Stopped: ${summary}`);
      return this.stop(rec, `Comparison ${step.id} stopped the run: ${rec.error} Investigate before promoting.`, null);
    }
    this.finishStep(rec, 'done', summary);
    return 'continue';
  }

  // ---- approvals ----

  /** Asks the approver; `refuses` may turn an approval into a refusal (a required note missing), said in the record. */
  private async ask(request: ApprovalRequest, refuses?: (d: ApprovalDecision) => string | null): Promise<ApprovalRecord & { refusedBecause?: string }> {
    const answer: boolean | ApprovalDecision = await this.untilAborted(this.options.approve(this.scrub.value(request)));
    const d: ApprovalDecision = typeof answer === 'boolean' ? { approved: answer } : answer;
    const refusedBecause = d.approved === true && refuses ? refuses(d) : null;
    const explanations = (d.explanations ?? [])
      .filter((e) => Array.isArray(e?.key) && typeof e.column === 'string' && typeof e.note === 'string' && e.note.trim() !== '')
      .map((e) => ({ key: e.key.map(String), column: e.column, note: e.note.trim() }));
    const record: ApprovalRecord = {
      stepId: request.stepId,
      reason: request.reason,
      title: request.title,
      shows: request.shows,
      approved: d.approved === true && refusedBecause === null,
      by: d.by ?? currentUser(),
      automatic: d.automatic === true,
      at: this.now(),
      note: refusedBecause !== null ? `Approval refused by the runner: ${refusedBecause}.${d.note ? ` ${d.note}` : ''}` : (d.note ?? null),
      ...(request.explain !== undefined || explanations.length > 0 ? { explanations } : {}),
    };
    this.journal.approvals.push(record);
    this.save();
    this.emit({ type: 'approval', step: request.stepId, approval: record });
    return refusedBecause !== null ? { ...record, refusedBecause } : record;
  }

  private showsOf(step: Step): string[] {
    switch (step.kind) {
      case 'dbt':
        return [displayArgv([...this.plan.dbtCommand, ...step.argv])];
      case 'sql':
      case 'check':
        return [step.sql];
      case 'gate':
        return step.shows;
      case 'compare':
        return step.sql;
    }
  }

  // ---- bookkeeping ----

  private record(i: number): StepRecord {
    return this.journal.steps[i]!;
  }

  private now(): string {
    return (this.options.now ?? (() => new Date()))().toISOString();
  }

  private beginStep(i: number): void {
    const rec = this.record(i);
    const step = this.plan.steps[i]!;
    this.startedNow.add(i);
    rec.status = 'running';
    rec.attempts++;
    rec.startedAt = this.now();
    rec.finishedAt = null;
    rec.seconds = null;
    rec.summary = null;
    rec.error = null;
    rec.explanation = null;
    rec.warnings = [];
    rec.statements = [];
    rec.check = null;
    rec.comparison = null;
    this.current = rec;
    if (rec.attempts > 1) rec.log = this.store.appendLog(step.id, `\n=== attempt ${rec.attempts} (${rec.startedAt}) ===`);
    this.save();
    this.emit({ type: 'step-start', step: step.id, kind: step.kind, index: i, total: this.plan.steps.length, attempt: rec.attempts });
  }

  private finishStep(rec: StepRecord, status: StepRecord['status'], summary: string | null): void {
    rec.status = status;
    rec.finishedAt = this.now();
    rec.seconds = rec.startedAt ? Math.round((Date.parse(rec.finishedAt) - Date.parse(rec.startedAt)) / 10) / 100 : null;
    if (summary !== null) rec.summary = summary;
    this.current = null;
    this.save();
    this.emit({ type: 'step-end', step: rec.id, status, seconds: rec.seconds, summary: rec.summary, explanation: rec.explanation });
  }

  private stop(rec: StepRecord, message: string, explanation: Explanation | null, status: RunStatus = 'failed'): StepEnd {
    this.stoppedAt = rec.id;
    this.endStatus = status;
    this.journal.message = message;
    this.journal.explanation = explanation;
    return 'stop';
  }

  private refuse(rec: StepRecord, message: string): StepEnd {
    if (rec.status === 'running') {
      rec.summary = message;
      this.finishStep(rec, 'failed', message);
    }
    this.stoppedAt = rec.id;
    this.endStatus = 'refused';
    this.journal.message = message;
    return 'stop';
  }

  private save(): void {
    this.lastSave = Date.now();
    this.store.writeJournal(this.journal);
  }

  private saveThrottled(): void {
    if (Date.now() - this.lastSave >= PROGRESS_SAVE_MS) this.save();
  }

  private emit(e: RunEvent): void {
    if (this.listeners.size === 0) return;
    const scrubbed = this.scrub.value(e);
    for (const l of this.listeners) {
      try {
        l(scrubbed);
      } catch {
        // A listener's failure is not the run's.
      }
    }
  }

  /** Waits for `p`, or throws Cancelled as soon as the run is cancelled (a statement already sent may still run). */
  private untilAborted<T>(p: Promise<T>): Promise<T> {
    const signal = this.abort;
    if (!signal) return p;
    if (signal.aborted) {
      p.catch(() => undefined);
      return Promise.reject(new Cancelled());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new Cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}

/** Runs a plan from its first step in a new run folder; see PlanRun. */
export async function runPlan(plan: Plan, options: RunOptions): Promise<RunOutcome> {
  return PlanRun.create(plan, options).start();
}

/** Continues a run (by id under the target's runs folder, or by folder) from its first unfinished step. */
export async function resumeRun(runIdOrDir: string, options: ResumeOptions): Promise<RunOutcome> {
  return PlanRun.resume(runIdOrDir, options).start();
}
