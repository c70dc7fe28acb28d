import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Plan } from '../../../src/core/plan/types';
import { Secret } from '../../../src/core/profiles/secret';
import { canonicalJson, planHash } from '../../../src/core/run/planHash';
import { effectiveStatus, formatRows, listRuns, newRunId, planProblems, RunJournal, runsFolder, writeFileAtomic } from '../../../src/core/run';
import { Scrubber } from '../../../src/core/run/scrubber';
import type { Journal } from '../../../src/core/run/types';

function plan(steps: Plan['steps']): Plan {
  return {
    workflow: 'price-gap', version: 1, projectDir: '/p', profilesDir: null, target: null, dbtCommand: ['dbt'], connection: null,
    params: {}, today: '2026-04-27', lookbackDays: 12, months: ['2026-04-01'], warnings: [], notes: [], steps,
  };
}
const gate = { kind: 'gate' as const, id: 'g', phase: 'phase1', description: 'd', idempotent: true, writes: false, title: 't', shows: [] };
const run = (id: string) => ({ kind: 'dbt' as const, id, phase: 'phase1', description: 'd', idempotent: true, writes: true, argv: ['run'], expectedNodes: [] });

function journal(over: Partial<Journal>): Journal {
  return {
    format: 1, runId: 'r', workflow: 'price-gap', planHash: 'h', projectDir: '/p', connection: null, status: 'done',
    startedAt: '2026-04-27T00:00:00.000Z', finishedAt: null, attempts: [], steps: [], approvals: [], message: null, explanation: null, ...over,
  };
}

describe('run: journal files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes a plan by content, whatever its key order', () => {
    const a = plan([gate, run('a')]);
    const b = JSON.parse(canonicalJson(a)) as Plan;
    const reordered = Object.fromEntries(Object.entries(b).reverse()) as unknown as Plan;
    assert.equal(planHash(reordered), planHash(a));
    assert.match(planHash(a), /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(planHash(plan([gate, run('b')])), planHash(a));
  });

  it('refuses a plan whose writing step has no gate before it, or whose ids repeat', () => {
    assert.deepEqual(planProblems(plan([gate, run('a')])), []);
    assert.match(planProblems(plan([run('a'), gate]))[0]!, /Step a writes to the target but no gate comes before it/);
    assert.match(planProblems(plan([gate, run('a'), run('a')]))[0]!, /used twice/);
  });

  it('writes atomically: no temp file left, the old content replaced whole', () => {
    const f = path.join(dir, 'journal.json');
    writeFileSync(f, '{"old": true}');
    writeFileAtomic(f, '{"new": true}\n');
    assert.equal(readFileSync(f, 'utf8'), '{"new": true}\n');
    assert.deepEqual(readdirSync(dir), ['journal.json']);
  });

  it('scrubs secrets (plain and JSON-escaped) and credential-named environment values from everything it writes', () => {
    const pw = 'pa"ss\\word-42';
    const scrub = new Scrubber([new Secret(pw)], { CLICKHOUSE_PASSWORD: 'env-secret-value', HOME: '/root/home-dir' });
    const store = RunJournal.create(path.join(dir, 'run'), scrub);
    store.writeJournal(journal({ message: `login failed for ${pw} and env-secret-value`, steps: [] }));
    store.appendLog('s1', `password=${pw} token=env-secret-value home=/root/home-dir`);
    store.saveRunResults('s1', JSON.stringify({ message: `x ${pw} y` }));
    const all = ['journal.json', 'steps/s1.log', 'steps/s1.run_results.json'].map((f) => readFileSync(path.join(dir, 'run', f), 'utf8')).join('\n');
    assert.ok(!all.includes('word-42'), all);
    assert.ok(!all.includes('env-secret-value'), all);
    assert.match(all, /\*\*\*\*/);
    assert.match(all, /home=\/root\/home-dir/, 'other environment values are not secrets');
    assert.throws(() => RunJournal.create(path.join(dir, 'run'), scrub), /A run already exists/);
  });

  it('lists runs newest first, an abandoned "running" one as interrupted', () => {
    const target = path.join(dir, 'target');
    const mk = (id: string, j: Partial<Journal>) => {
      const store = RunJournal.create(path.join(runsFolder(target), id), new Scrubber([]));
      store.writeJournal(journal({ runId: id, ...j }));
    };
    const step = (id: string, status: Journal['steps'][number]['status']) => ({ id, status }) as Journal['steps'][number];
    mk('20260427T000000Z-price-gap-aaaaaa', { startedAt: '2026-04-27T00:00:00.000Z', status: 'done', steps: [step('a', 'done')] });
    // A pid that cannot be alive: the runner died.
    mk('20260428T000000Z-price-gap-bbbbbb', {
      startedAt: '2026-04-28T00:00:00.000Z', status: 'running', steps: [step('a', 'done'), step('b', 'running'), step('c', 'pending')],
      attempts: [{ startedAt: '2026-04-28T00:00:00.000Z', finishedAt: null, pid: 2 ** 22 + 17, host: os.hostname(), resumed: false, status: 'running' }],
    });
    const runs = listRuns(target);
    assert.deepEqual(runs.map((r) => [r.runId, r.status, r.nextStep]), [
      ['20260428T000000Z-price-gap-bbbbbb', 'interrupted', 'b'],
      ['20260427T000000Z-price-gap-aaaaaa', 'done', null],
    ]);
    assert.deepEqual(runs[0]!.steps, { pending: 1, running: 1, done: 1, failed: 0, cancelled: 0, skipped: 0 });
    assert.equal(effectiveStatus(journal({ status: 'running', attempts: [{ startedAt: '', finishedAt: null, pid: process.pid, host: os.hostname(), resumed: false, status: 'running' }] })), 'running');
    assert.deepEqual(listRuns(path.join(dir, 'nothing')), []);
    assert.match(newRunId('price-gap', new Date('2026-04-27T22:56:18.123Z')), /^20260427T225618Z-price-gap-[0-9a-f]{6}$/);
  });

  it('formats a result table for people', () => {
    assert.equal(formatRows([{ day: '2026-04-17', value: 4 }, { day: '2026-04-18', value: null }]), 'day         value\n----------  -----\n2026-04-17  4\n2026-04-18  NULL');
    assert.equal(formatRows([]), '(no rows)');
  });
});
