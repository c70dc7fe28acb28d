import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { approveAll, listRuns, processAlive, resumeRun, runPlan, RunError, type ApprovalRequest, type Journal, type RunEvent } from '../../src/core/run';
import { pollUntil } from '../support/pollUntil';
import { copyExample, dbtRun, EventLog, gate, planOf, REPO, selectedBy, standinCalls } from './runFixture';

const A = ['int_execution_tokens_balances_daily', 'int_execution_gpay_activity', 'int_execution_pools_fees_daily'];
const B = ['int_execution_tokens_supply_holders_daily', 'int_execution_tokens_balance_cohorts_daily', 'int_execution_tokens_balances_by_sector_daily'];
const C = ['int_revenue_holdings_fees_daily'];

function readJournal(runDir: string): Journal {
  return JSON.parse(readFileSync(path.join(runDir, 'journal.json'), 'utf8')) as Journal;
}

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RunError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('run: resume', function () {
  this.timeout(90_000);
  let project: ReturnType<typeof copyExample>;
  let argvLog: string;

  /** Process groups this test started (the runner child, the held dbt): stopped even when an assertion fails. */
  const started: number[] = [];

  beforeEach(() => {
    project = copyExample();
    argvLog = path.join(project.dir, 'standin-argv.jsonl');
  });
  afterEach(() => {
    for (const pid of started.splice(0)) {
      if (!processAlive(pid)) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    project.cleanup();
  });

  it('after the runner is killed mid-phase-1, resume re-runs the cut-off step and no completed step', async () => {
    const plan = planOf(project.dir, [gate('p1-approve'), dbtRun('p1-a', A), dbtRun('p1-b', B), dbtRun('p1-c', C)]);
    const planFile = path.join(project.dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    // The runner in its own process group, as a terminal would start it; dbt (the stand-in) holds at B's second model.
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(REPO, 'test', 'run', 'runnerChild.ts'), planFile, project.target], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DBT_STANDIN_LOG: argvLog, DBT_STANDIN_HOLD: B[1]! },
    });
    started.push(child.pid!);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const events: RunEvent[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const e = JSON.parse(line) as RunEvent;
        events.push(e);
        if (e.type === 'progress' && e.step === 'p1-b' && e.name === B[1] && e.status === 'started') resolve();
      });
      child.once('exit', (code) => reject(new Error(`the runner exited (${code}) before model ${B[1]} started: ${stderr}`)));
    });
    await seen;
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const [run] = listRuns(project.target);
    assert.equal(run?.status, 'interrupted', 'its process is gone');
    assert.equal(run?.nextStep, 'p1-b');
    const before = readJournal(run.runDir);
    assert.deepEqual(before.steps.map((s) => s.status), ['done', 'done', 'running', 'pending']);
    const heldPid = before.steps[2]!.dbt!.pid!;
    started.push(heldPid);
    assert.ok(processAlive(heldPid), 'dbt runs on in its own process group');

    // dbt of the dead run still runs: resuming now would write alongside it.
    await rejectsWith(resumeRun(run.runId, { approve: approveAll(), targetPath: project.target }), /dbt process of step p1-b \(pid \d+\).*still running/);
    process.kill(-heldPid, 'SIGKILL');
    await pollUntil('the held dbt stand-in is gone', () => Promise.resolve(processAlive(heldPid) ? undefined : true));

    const asked: ApprovalRequest[] = [];
    const log = new EventLog();
    const outcome = await resumeRun(run.runId, {
      approve: (r) => {
        asked.push(r);
        return Promise.resolve(true);
      },
      targetPath: project.target,
      env: { DBT_STANDIN_LOG: argvLog },
      onEvent: log.listener,
    });
    assert.equal(outcome.status, 'done', outcome.message);
    assert.deepEqual(asked, [], 'the gate stays approved, and p1-b is idempotent: nothing to ask');
    const runStart = log.of('run-start')[0]!;
    assert.deepEqual([runStart.resumed, runStart.firstStep], [true, 'p1-b']);

    const calls = standinCalls(argvLog).map(selectedBy);
    assert.deepEqual(calls, [A, B, B, C], 'p1-a once, the cut-off p1-b again, p1-c once');
    const after = readJournal(outcome.runDir);
    assert.deepEqual(after.steps.map((s) => [s.id, s.status, s.attempts]), [['p1-approve', 'done', 1], ['p1-a', 'done', 1], ['p1-b', 'done', 2], ['p1-c', 'done', 1]]);
    assert.deepEqual(after.attempts.map((a) => [a.resumed, a.status]), [[false, 'running'], [true, 'done']]);
    assert.deepEqual(after.approvals.map((a) => [a.stepId, a.by, a.automatic]), [['p1-approve', 'runner-child', true]]);
    assert.match(readFileSync(path.join(outcome.runDir, 'steps', 'p1-b.log'), 'utf8'), /=== attempt 2/);
    await rejectsWith(resumeRun(run.runId, { approve: approveAll(), targetPath: project.target }), /already done/);
  });

  it('a non-idempotent step cut off earlier runs again only after an approval to repeat it', async () => {
    const plan = planOf(project.dir, [gate('g'), dbtRun('once', A, { idempotent: false }), dbtRun('next', C)]);
    const controller = new AbortController();
    const log = new EventLog();
    const first = runPlan(plan, {
      approve: approveAll(),
      targetPath: project.target,
      signal: controller.signal,
      onEvent: log.listener,
      env: { DBT_STANDIN_HOLD: A[1]!, DBT_STANDIN_LOG: argvLog },
    });
    await log.waitFor((e) => e.type === 'progress' && e.name === A[1] && e.status === 'started');
    controller.abort();
    const cancelled = await first;
    assert.equal(cancelled.status, 'cancelled');

    const refused = await resumeRun(cancelled.runId, { approve: () => Promise.resolve({ approved: false, by: 'bob' }), targetPath: project.target, env: { DBT_STANDIN_LOG: argvLog } });
    assert.equal(refused.status, 'refused');
    assert.match(refused.message, /Step once was not repeated: its repeat was refused by bob/);
    assert.equal(standinCalls(argvLog).length, 1, 'not repeated');

    const asked: ApprovalRequest[] = [];
    const done = await resumeRun(cancelled.runDir, {
      approve: (r) => {
        asked.push(r);
        return Promise.resolve(true);
      },
      env: { DBT_STANDIN_LOG: argvLog },
    });
    assert.equal(done.status, 'done', done.message);
    assert.deepEqual(asked.map((r) => [r.reason, r.stepId]), [['repeat-step', 'once']]);
    assert.match(asked[0]!.shows[0]!, /dbt\.mjs run --select int_execution_tokens_balances_daily/);
    assert.deepEqual(standinCalls(argvLog).map(selectedBy), [A, A, C]);
  });

  it('refuses to resume a different plan, or a plan.json edited since', async () => {
    const plan = planOf(project.dir, [gate('g'), dbtRun('a', A)]);
    const refused = await runPlan(plan, { approve: () => Promise.resolve(false), targetPath: project.target });
    assert.equal(refused.status, 'refused');
    const other = planOf(project.dir, [gate('g'), dbtRun('a', B)]);
    await rejectsWith(resumeRun(refused.runId, { approve: approveAll(), plan: other }), /ran a different plan than the one given/);
    const file = path.join(refused.runDir, 'plan.json');
    writeFileSync(file, JSON.stringify(other));
    await rejectsWith(resumeRun(refused.runId, { approve: approveAll(), targetPath: project.target }), /is not the plan it started with/);
    writeFileSync(file, JSON.stringify(plan));
    const ok = await resumeRun(refused.runId, { approve: approveAll(), plan });
    assert.equal(ok.status, 'done', ok.message);
    assert.deepEqual(ok.journal.approvals.map((a) => a.approved), [false, true], 'the refusal stays recorded, then the approval');
    await rejectsWith(resumeRun('no-such-run', { approve: approveAll(), targetPath: project.target }), /No run no-such-run/);
  });
});
