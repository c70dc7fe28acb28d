import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processAlive } from './processAlive';
import type { Journal, RunStatus, RunSummary, StepStatus } from './types';

/** `<target-path>/dbt-recovery/runs`: every run's folder is in here, named by its run id. */
export function runsFolder(targetPath: string): string {
  return path.join(targetPath, 'dbt-recovery', 'runs');
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
      journal = JSON.parse(readFileSync(path.join(dir, 'journal.json'), 'utf8')) as Journal;
      if (journal?.format !== 1 || !Array.isArray(journal.steps)) continue;
    } catch {
      // Not a run folder, or one being created: not listed.
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
