/**
 * What the run tests share: a copy of the example project (its manifest is what the dbt stand-in selects from), the
 * stand-in as a plan's dbtCommand, hand-made plans, and the stand-in's argv log.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DbtStep, GateStep, Plan, Step } from '../../src/core/plan/types';
import type { RunEvent } from '../../src/core/run';

export const REPO = path.resolve(__dirname, '../..');
export const STANDIN = path.join(REPO, 'test', 'dbt-standin', 'dbt.mjs');
export const EXAMPLE = path.join(REPO, 'examples', 'price-gap');
export const PROJECT = 'gnosis_recovery_example';

/** A temp copy of examples/price-gap (models, dbt_project.yml, target/manifest.json), removed by `cleanup`. */
export function copyExample(): { dir: string; target: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-run-'));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}dbt-recovery${path.sep}`) });
  return { dir, target: path.join(dir, 'target'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function gate(id: string, title = `Approve ${id}`): GateStep {
  return { kind: 'gate', id, phase: 'phase1', description: title, idempotent: true, writes: false, title, shows: [] };
}

export function dbtRun(id: string, models: string[], extra: Partial<DbtStep> = {}): DbtStep {
  return {
    kind: 'dbt',
    id,
    phase: 'phase1',
    description: `run ${models.join(' ')}`,
    idempotent: true,
    writes: true,
    argv: ['run', '--select', ...models, '--vars', '{"start_month": "2026-04-01", "end_month": "2026-04-01"}'],
    expectedNodes: models.map((m) => `model.${PROJECT}.${m}`),
    ...extra,
  };
}

export function planOf(projectDir: string, steps: Step[], over: Partial<Plan> = {}): Plan {
  const withGates = steps.map((s) => (s.kind === 'gate' ? { ...s, shows: s.shows.length ? s.shows : ['(what follows)'] } : s));
  return {
    workflow: 'price-gap',
    version: 1,
    projectDir,
    profilesDir: null,
    target: null,
    dbtCommand: [process.execPath, STANDIN],
    connection: null,
    params: { fromDate: '2026-04-17', today: '2026-04-27' },
    today: '2026-04-27',
    lookbackDays: 12,
    months: ['2026-04-01'],
    warnings: [],
    notes: [],
    steps: withGates,
    ...over,
  };
}

export interface StandinCall {
  pid: number;
  argv: string[];
  cwd: string;
  childPid: number | null;
}

/** The stand-in's invocations, in order (DBT_STANDIN_LOG). */
export function standinCalls(file: string): StandinCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StandinCall);
}

/** The models a stand-in call selected (the values after --select). */
export function selectedBy(call: StandinCall): string[] {
  const i = call.argv.indexOf('--select');
  const out: string[] = [];
  for (let k = i + 1; k < call.argv.length && !call.argv[k]!.startsWith('--'); k++) out.push(call.argv[k]!);
  return out;
}

/** Collects a run's events; `waitFor` resolves at the first event matching, however soon it came. */
export class EventLog {
  readonly events: RunEvent[] = [];
  private waiters: Array<{ match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }> = [];

  readonly listener = (e: RunEvent): void => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(e)) return true;
      w.resolve(e);
      return false;
    });
  };

  waitFor(match: (e: RunEvent) => boolean): Promise<RunEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  of<T extends RunEvent['type']>(type: T): Array<Extract<RunEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }
}
