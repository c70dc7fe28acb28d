import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseRunResults } from '../../src/core/manifest/runResults';
import { Secret } from '../../src/core/profiles/secret';
import { approveAll, processAlive, runPlan, type ApprovalRequest, type Journal } from '../../src/core/run';
import { pollUntil } from '../support/pollUntil';
import { copyExample, dbtRun, EventLog, gate, planOf, PROJECT, selectedBy, standinCalls } from './runFixture';

const L1 = ['int_execution_tokens_balances_daily', 'int_execution_gpay_activity', 'int_execution_pools_fees_daily'];
const L2 = ['int_execution_tokens_supply_holders_daily', 'int_execution_tokens_balances_by_sector_daily'];

function readJournal(runDir: string): Journal {
  return JSON.parse(readFileSync(path.join(runDir, 'journal.json'), 'utf8')) as Journal;
}

describe('run: dbt steps against the dbt stand-in', function () {
  this.timeout(60_000);
  let project: ReturnType<typeof copyExample>;
  let argvLog: string;

  beforeEach(() => {
    project = copyExample();
    argvLog = path.join(project.dir, 'standin-argv.jsonl');
  });
  afterEach(() => project.cleanup());

  it('runs dbt steps in order, with progress from the JSON log and each step\'s run_results.json copied', async () => {
    const plan = planOf(project.dir, [gate('p1-approve'), dbtRun('p1-layer1', L1), dbtRun('p1-layer2', L2)]);
    const log = new EventLog();
    const outcome = await runPlan(plan, { approve: approveAll(), targetPath: project.target, env: { DBT_STANDIN_LOG: argvLog }, onEvent: log.listener });
    assert.equal(outcome.status, 'done', outcome.message);

    const calls = standinCalls(argvLog);
    assert.deepEqual(calls.map(selectedBy), [L1, L2], 'one dbt process per step, in plan order');
    assert.deepEqual(calls[0]!.argv.slice(-2), ['--log-format', 'json'], 'the flag after the subcommand');
    assert.ok(calls[0]!.argv.includes('{"start_month": "2026-04-01", "end_month": "2026-04-01"}'), 'the vars JSON arrives as one argument');

    const progress = log.of('progress').filter((p) => p.step === 'p1-layer1');
    const started = progress.filter((p) => p.status === 'started');
    const done = progress.filter((p) => p.status === 'success');
    assert.deepEqual(started.map((p) => [p.index, p.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.deepEqual(new Set(done.map((p) => p.node)), new Set(L1.map((m) => `model.${PROJECT}.${m}`)));
    assert.ok(done.every((p) => typeof p.seconds === 'number'), 'seconds from LogModelResult');
    // Every progress event of layer 1 came before layer 2 started.
    const firstL2 = log.events.findIndex((e) => e.type === 'step-start' && e.step === 'p1-layer2');
    const lastL1 = log.events.findLastIndex((e) => e.type === 'progress' && e.step === 'p1-layer1');
    assert.ok(lastL1 < firstL2);

    const journal = readJournal(outcome.runDir);
    assert.deepEqual(journal.steps.map((s) => [s.id, s.status]), [['p1-approve', 'done'], ['p1-layer1', 'done'], ['p1-layer2', 'done']]);
    for (const [id, models] of [['p1-layer1', L1], ['p1-layer2', L2]] as const) {
      const rec = journal.steps.find((s) => s.id === id)!;
      assert.equal(rec.dbt?.runResults, `steps/${id}.run_results.json`);
      const copied = parseRunResults(readFileSync(path.join(outcome.runDir, rec.dbt.runResults), 'utf8'), id);
      assert.deepEqual(new Set(copied.results.keys()), new Set(models.map((m) => `model.${PROJECT}.${m}`)), `${id}'s own results, not the next step's`);
      assert.equal(copied.invocationId, rec.dbt.invocationId);
      assert.equal(rec.dbt.dbtVersion, '1.9.4');
      assert.deepEqual(rec.dbt.nodes, { total: models.length, started: models.length, succeeded: models.length, failed: 0, skipped: 0 });
      assert.match(readFileSync(path.join(outcome.runDir, rec.log!), 'utf8'), new RegExp(`1 of ${models.length} START sql incremental model`));
    }
    assert.deepEqual(readdirSync(outcome.runDir).sort(), ['journal.json', 'plan.json', 'steps']);
    assert.deepEqual(JSON.parse(readFileSync(path.join(outcome.runDir, 'plan.json'), 'utf8')), plan);
  });

  it('a dbt before 1.5, which refuses --log-format after the subcommand, runs again without it (JSON from DBT_LOG_FORMAT)', async () => {
    const log = new EventLog();
    const outcome = await runPlan(planOf(project.dir, [gate('g'), dbtRun('a', L1)]), { approve: approveAll(), targetPath: project.target, onEvent: log.listener, env: { DBT_STANDIN_LEGACY: '1', DBT_STANDIN_LOG: argvLog } });
    assert.equal(outcome.status, 'done', outcome.message);
    const calls = standinCalls(argvLog);
    assert.deepEqual(calls.map((c) => c.argv.includes('--log-format')), [true, false], 'refused once (usage error, nothing ran), then without the flag');
    const rec = outcome.journal.steps[1]!;
    assert.match(rec.warnings.join(' '), /does not take --log-format after the subcommand/);
    assert.equal(rec.dbt?.dbtVersion, '1.4.9');
    assert.equal(log.of('progress').filter((p) => p.status === 'success').length, L1.length);
  });

  it('text logs (a dbt without JSON logs): progress from the text lines, by model name', async () => {
    const log = new EventLog();
    const outcome = await runPlan(planOf(project.dir, [gate('g'), dbtRun('a', L1)]), { approve: approveAll(), targetPath: project.target, logFormat: 'text', onEvent: log.listener, env: { DBT_STANDIN_LOG: argvLog } });
    assert.equal(outcome.status, 'done', outcome.message);
    assert.ok(!standinCalls(argvLog)[0]!.argv.includes('--log-format'));
    const done = log.of('progress').filter((p) => p.status === 'success');
    assert.deepEqual(new Set(done.map((p) => p.node)), new Set(L1));
    assert.deepEqual(done.map((p) => p.total), [3, 3, 3]);
    assert.ok(outcome.journal.steps[1]!.dbt?.runResults, 'run_results.json copied all the same');
  });

  it('the stand-in\'s executor hook gets each model in DAG order with the vars, and its error fails the model', async () => {
    const execLog = path.join(project.dir, 'executed.jsonl');
    const outcome = await runPlan(planOf(project.dir, [gate('g'), dbtRun('a', [...L2, 'int_execution_tokens_balances_daily'])]), {
      approve: approveAll(),
      targetPath: project.target,
      env: { DBT_STANDIN_EXECUTOR: path.join(__dirname, 'recordingExecutor.ts'), RECORDING_EXECUTOR_LOG: execLog, RECORDING_EXECUTOR_FAIL: 'int_execution_tokens_supply_holders_daily' },
    });
    const executed = readFileSync(execLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; vars: unknown });
    assert.equal(executed[0]!.model, 'int_execution_tokens_balances_daily', 'the upstream first');
    assert.deepEqual(new Set(executed.map((e) => e.model)), new Set([...L2, 'int_execution_tokens_balances_daily']));
    assert.deepEqual(executed[0]!.vars, { start_month: '2026-04-01', end_month: '2026-04-01' });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.explanation?.code, 'memory-limit');
    assert.equal(outcome.explanation?.modelName, 'int_execution_tokens_supply_holders_daily');
  });

  it('--yes: the approval is recorded as automatic', async () => {
    const outcome = await runPlan(planOf(project.dir, [gate('g'), dbtRun('a', L1.slice(0, 1))]), { approve: approveAll(), targetPath: project.target });
    const [a] = outcome.journal.approvals;
    assert.deepEqual([a?.stepId, a?.approved, a?.automatic, a?.by, a?.reason], ['g', true, true, '--yes', 'gate']);
    assert.equal(outcome.journal.steps[0]!.summary, 'Approved by --yes (automatic).');
  });

  it('a refused gate stops the run before anything writes, and the journal says so', async () => {
    const asked: ApprovalRequest[] = [];
    const plan = planOf(project.dir, [gate('p1-approve', 'Rewrite month 2026-04-01 of 3 tables'), dbtRun('p1-layer1', L1)]);
    const outcome = await runPlan(plan, {
      approve: (r) => {
        asked.push(r);
        return Promise.resolve({ approved: false, by: 'alice' });
      },
      targetPath: project.target,
      env: { DBT_STANDIN_LOG: argvLog },
    });
    assert.equal(outcome.status, 'refused');
    assert.equal(outcome.stoppedAt, 'p1-approve');
    assert.match(outcome.message, /Gate p1-approve \("Rewrite month 2026-04-01 of 3 tables"\) was refused by alice: nothing after it ran/);
    assert.deepEqual(standinCalls(argvLog), [], 'dbt never started');
    assert.deepEqual(asked.map((r) => [r.reason, r.stepId, r.title]), [['gate', 'p1-approve', 'Rewrite month 2026-04-01 of 3 tables']]);
    const journal = readJournal(outcome.runDir);
    assert.equal(journal.status, 'refused');
    assert.deepEqual(journal.steps.map((s) => s.status), ['failed', 'pending']);
    assert.deepEqual([journal.approvals[0]?.approved, journal.approvals[0]?.by, journal.approvals[0]?.automatic], [false, 'alice', false]);
  });

  it('a model failing with Code 241 stops the run with an explanation naming it and the hooks quick fix', async () => {
    const bad = 'int_execution_tokens_balances_by_sector_daily';
    const plan = planOf(project.dir, [gate('g'), dbtRun('p1-layer2', L2), dbtRun('p1-layer3', ['int_revenue_holdings_fees_daily'])]);
    const log = new EventLog();
    const outcome = await runPlan(plan, { approve: approveAll(), targetPath: project.target, env: { DBT_STANDIN_FAIL: `${bad}:241`, DBT_STANDIN_LOG: argvLog }, onEvent: log.listener });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.stoppedAt, 'p1-layer2');
    const e = outcome.explanation!;
    assert.equal(e.code, 'memory-limit');
    assert.equal(e.model, `model.${PROJECT}.${bad}`);
    assert.equal(e.file, `models/execution/tokens/intermediate/${bad}.sql`, 'the file from the manifest');
    assert.equal(e.quickFix?.ruleId, 'refill-append-hooks');
    assert.match(e.title, new RegExp(`\`${bad}\` ran out of memory`));
    const rec = outcome.journal.steps.find((s) => s.id === 'p1-layer2')!;
    assert.deepEqual(rec.dbt?.failedNodes.map((f) => f.uniqueId), [`model.${PROJECT}.${bad}`]);
    assert.match(rec.dbt.failedNodes[0]!.message, /Code: 241/);
    assert.equal(rec.dbt.failedNodes[0]!.explanation?.code, 'memory-limit', 'each failed node explained');
    assert.equal(rec.dbt?.exitCode, 1);
    assert.ok(rec.dbt?.runResults, 'run_results.json of the failed step is kept');
    assert.equal(outcome.journal.steps[2]!.status, 'pending', 'the next step did not run');
    assert.equal(standinCalls(argvLog).length, 1);
    const end = log.of('step-end').find((s) => s.step === 'p1-layer2')!;
    assert.equal(end.explanation?.code, 'memory-limit', 'explained where it happened');
    assert.ok(log.of('progress').some((p) => p.status === 'error' && p.name === bad));
  });

  it('cancel stops dbt\'s whole process tree and marks the step and the journal cancelled', async () => {
    const controller = new AbortController();
    const log = new EventLog();
    const plan = planOf(project.dir, [gate('g'), dbtRun('p1-layer1', L1), dbtRun('p1-layer2', L2)]);
    const running = runPlan(plan, {
      approve: approveAll(),
      targetPath: project.target,
      signal: controller.signal,
      onEvent: log.listener,
      env: { DBT_STANDIN_HOLD: L1[1]!, DBT_STANDIN_SPAWN_CHILD: '1', DBT_STANDIN_LOG: argvLog },
    });
    await log.waitFor((e) => e.type === 'progress' && e.name === L1[1] && e.status === 'started');
    const [call] = standinCalls(argvLog);
    assert.ok(call && call.childPid && processAlive(call.pid) && processAlive(call.childPid), 'dbt and its child run');
    controller.abort();
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    await pollUntil('the stand-in and its child are gone', () => Promise.resolve(!processAlive(call.pid) && !processAlive(call.childPid!) ? true : undefined));
    const journal = readJournal(outcome.runDir);
    assert.equal(journal.status, 'cancelled');
    assert.deepEqual(journal.steps.map((s) => s.status), ['done', 'cancelled', 'pending']);
    assert.equal(journal.steps[1]!.dbt?.pid, call.pid);
    assert.equal(standinCalls(argvLog).length, 1, 'the next step never started');
  });

  it('cancel escalates to SIGKILL when dbt ignores SIGINT', async () => {
    const controller = new AbortController();
    const log = new EventLog();
    const running = runPlan(planOf(project.dir, [gate('g'), dbtRun('a', L1)]), {
      approve: approveAll(),
      targetPath: project.target,
      signal: controller.signal,
      cancelGraceMs: 300,
      onEvent: log.listener,
      env: { DBT_STANDIN_HOLD: L1[0]!, DBT_STANDIN_IGNORE_SIGINT: '1', DBT_STANDIN_LOG: argvLog },
    });
    await log.waitFor((e) => e.type === 'progress' && e.status === 'started');
    controller.abort();
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    const [call] = standinCalls(argvLog);
    assert.ok(!processAlive(call!.pid));
    assert.equal(outcome.journal.steps[1]!.dbt?.signal, 'SIGKILL');
  });

  it('writes no secret: not the target password, not a credential in dbt\'s environment', async () => {
    const password = 'Pa55-w0rd-for-the-journal';
    const envPassword = 'env-Secret-from-profiles';
    const log = new EventLog();
    // A gate that (wrongly) shows a password: plans must not hold secrets, and the journal scrubs them anyway.
    const leaky = { ...gate('g'), shows: [`clickhouse://default:${password}@127.0.0.1:8123`] };
    const outcome = await runPlan(planOf(project.dir, [leaky, dbtRun('a', ['int_execution_tokens_balances_daily'])]), {
      approve: approveAll(),
      targetPath: project.target,
      secrets: [new Secret(password)],
      onEvent: log.listener,
      env: { CLICKHOUSE_PASSWORD: envPassword, DBT_STANDIN_LEAK_ENV: 'CLICKHOUSE_PASSWORD', DBT_STANDIN_FAIL: 'int_execution_tokens_balances_daily:error' },
    });
    assert.equal(outcome.status, 'failed');
    const rec = outcome.journal.steps[1]!;
    assert.ok(rec.dbt?.runResults, 'the failed step\'s run_results.json (with the echoed URL) was copied');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(outcome.runDir);
    assert.ok(files.length >= 4, files.join(', '));
    let leaks = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      assert.ok(!text.includes(password), `${f} holds the password`);
      assert.ok(!text.includes(envPassword), `${f} holds the environment's password`);
      if (text.includes('default:****@127.0.0.1:8123')) leaks++;
    }
    assert.ok(leaks >= 2, 'the echoed URL was there to scrub (log and run_results)');
    const events = JSON.stringify(log.events);
    assert.ok(!events.includes(password) && !events.includes(envPassword), 'events are scrubbed too');
    assert.ok(!readFileSync(path.join(outcome.runDir, 'journal.json'), 'utf8').includes('DBT_STANDIN'), 'no environment in the journal');
    assert.ok(existsSync(path.join(outcome.runDir, 'steps', 'a.log')));
  });
});
