import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../plan/types';
import { listRuns, runsFolder } from './listRuns';
import { RunError } from './runError';
import type { Scrubber } from './scrubber';
import type { Journal } from './types';
import { writeFileAtomic } from './writeFileAtomic';

/** `20260427T225618Z-price-gap-3fa2c1`: sorts by start time, says what ran, and is unique. */
export function newRunId(workflow: string, now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${workflow}-${randomBytes(3).toString('hex')}`;
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

