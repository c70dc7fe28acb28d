import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Plan } from '../plan/types';
import { RunError } from './runError';
import type { Scrubber } from './scrubber';
import type { Journal, RunStatus, RunSummary, StepStatus } from './types';

/** `<target-path>/dbt-recovery/runs`: every run's folder is in here, named by its run id. */
export function runsFolder(targetPath: string): string {
  return path.join(targetPath, 'dbt-recovery', 'runs');
}

/** `20260427T225618Z-price-gap-3fa2c1`: sorts by start time, says what ran, and is unique. */
export function newRunId(workflow: string, now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${workflow}-${randomBytes(3).toString('hex')}`;
}

/**
 * Writes `text` to `file` so that a reader (or a process killed halfway) never sees half of it: a temp file in the
 * same folder, flushed, then renamed over the old one (rename is atomic within a file system).
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Is a process with this pid alive on this machine? (EPERM: alive, someone else's.) */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by whoever inherited it) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * One run's folder: `plan.json`, `journal.json`, `steps/<step id>.log`, `steps/<step id>.run_results.json`. Every
 * JSON file is written atomically; every byte written goes through the scrubber (no credential, no environment).
 */
export class RunJournal {
  constructor(
    readonly dir: string,
    private readonly scrub: Scrubber,
  ) {}

  static create(dir: string, scrub: Scrubber): RunJournal {
    if (existsSync(path.join(dir, 'journal.json'))) {
      throw new RunError(`A run already exists in ${dir}.`, 'Resume it (dbt-recovery run --resume <run id>), or start a new run with another id.');
    }
    mkdirSync(path.join(dir, 'steps'), { recursive: true });
    return new RunJournal(dir, scrub);
  }

  get journalFile(): string {
    return path.join(this.dir, 'journal.json');
  }

  writePlan(plan: Plan): void {
    writeFileAtomic(path.join(this.dir, 'plan.json'), `${JSON.stringify(this.scrub.value(plan), null, 2)}\n`);
  }

  writeJournal(journal: Journal): void {
    writeFileAtomic(this.journalFile, `${JSON.stringify(this.scrub.value(journal), null, 2)}\n`);
  }

  /** Journal-relative path of a step's file. */
  stepFile(stepId: string, suffix: '.log' | '.run_results.json'): string {
    // Step ids are the planner's; keep them to one safe path segment.
    return `steps/${stepId.replace(/[^A-Za-z0-9._-]/g, '_')}${suffix}`;
  }

  appendLog(stepId: string, lines: string): string {
    const rel = this.stepFile(stepId, '.log');
    appendFileSync(path.join(this.dir, rel), this.scrub.text(lines.endsWith('\n') ? lines : `${lines}\n`));
    return rel;
  }

  /** Copies a run_results.json (scrubbed) into the journal; returns its journal-relative path. */
  saveRunResults(stepId: string, text: string): string {
    const rel = this.stepFile(stepId, '.run_results.json');
    writeFileAtomic(path.join(this.dir, rel), this.scrub.text(text));
    return rel;
  }
}

export interface StoredRun {
  dir: string;
  plan: Plan;
  journal: Journal;
}

/** A run's folder from a run id (under the target's runs folder) or a path to the folder. */
export function findRunDir(runIdOrDir: string, targetPath: string | null): string {
  if (existsSync(path.join(runIdOrDir, 'journal.json'))) return path.resolve(runIdOrDir);
  if (targetPath) {
    const dir = path.join(runsFolder(targetPath), runIdOrDir);
    if (existsSync(path.join(dir, 'journal.json'))) return dir;
  }
  const known = targetPath ? listRuns(targetPath).slice(0, 5).map((r) => r.runId) : [];
  throw new RunError(
    `No run ${runIdOrDir}${targetPath ? ` in ${runsFolder(targetPath)}` : ''}.`,
    known.length ? `Recent runs: ${known.join(', ')}.` : 'Pass the run id that `dbt-recovery run` printed, or the path of its folder.',
  );
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RunError(`${file} cannot be read (${(err as Error).message}).`, 'Check that the run folder is complete.');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RunError(`${file} is not valid JSON (${(err as Error).message}).`, 'The runner writes it atomically, so it was edited or truncated by something else.');
  }
}

export function readRun(dir: string): StoredRun {
  const journal = readJson(path.join(dir, 'journal.json')) as Journal;
  if (journal?.format !== 1 || !Array.isArray(journal.steps)) {
    throw new RunError(`${path.join(dir, 'journal.json')} is not a dbt Recovery run journal (format 1).`, 'It may come from a newer release: resume it with that release.');
  }
  const plan = readJson(path.join(dir, 'plan.json')) as Plan;
  return { dir, plan, journal };
}

/** The status a reader should see: a run still marked running whose process is gone was interrupted. */
export function effectiveStatus(journal: Journal): RunStatus {
  if (journal.status !== 'running') return journal.status;
  const last = journal.attempts[journal.attempts.length - 1];
  if (!last) return 'interrupted';
  // Another machine's process cannot be checked from here.
  if (last.host !== os.hostname() || last.pid === process.pid) return 'running';
  return processAlive(last.pid) ? 'running' : 'interrupted';
}

/** Runs under `<target-path>/dbt-recovery/runs/`, newest first. A folder without a readable journal is left out. */
export function listRuns(projectTargetPath: string): RunSummary[] {
  const root = runsFolder(projectTargetPath);
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    let journal: Journal;
    try {
      journal = readJson(path.join(dir, 'journal.json')) as Journal;
      if (journal?.format !== 1 || !Array.isArray(journal.steps)) continue;
    } catch {
      continue;
    }
    const steps: Record<StepStatus, number> = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 };
    for (const s of journal.steps) steps[s.status] = (steps[s.status] ?? 0) + 1;
    const next = journal.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
    out.push({
      runId: journal.runId,
      runDir: dir,
      workflow: journal.workflow,
      status: effectiveStatus(journal),
      startedAt: journal.startedAt,
      finishedAt: journal.finishedAt,
      steps,
      nextStep: next?.id ?? null,
      message: journal.message,
    });
  }
  return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.runId < b.runId ? 1 : -1));
}
