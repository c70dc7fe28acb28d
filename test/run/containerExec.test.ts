import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { approveAll, processAlive, runPlan } from '../../src/core/run';
import { containerExec } from '../../src/core/run/containerExec';
import { pollUntil } from '../support/pollUntil';
import { copyExample, dbtRun, EventLog, gate, planOf, STANDIN, standinCalls } from './runFixture';

const DOCKER = path.resolve(__dirname, '../dbt-standin/docker.mjs');
const L1 = ['int_execution_tokens_balances_daily', 'int_execution_gpay_activity', 'int_execution_pools_fees_daily'];

describe('run: dbt through docker exec', function () {
  this.timeout(60_000);

  describe('containerExec', () => {
    it('wraps the command in the container so it records its pid, keeping the exec options and the command as given', () => {
      const c = containerExec('docker', ['exec', '-i', '-e', 'DBT_TARGET=prod', '-u', 'dbt', 'dbt-ctr', 'dbt', 'run', '--vars', '{"a": 1}'], 'abc123');
      assert.ok(c);
      assert.equal(c.container, 'dbt-ctr');
      assert.equal(c.pidFile, '/tmp/dbt-recovery-abc123.pid');
      assert.equal(c.file, 'docker');
      assert.deepEqual(c.args, ['exec', '-i', '-e', 'DBT_TARGET=prod', '-u', 'dbt', 'dbt-ctr', 'sh', '-c', 'echo $$ > "$0" && exec "$@"', '/tmp/dbt-recovery-abc123.pid', 'dbt', 'run', '--vars', '{"a": 1}']);
      assert.deepEqual(c.signalArgs('INT'), ['exec', '-i', '-e', 'DBT_TARGET=prod', '-u', 'dbt', 'dbt-ctr', 'sh', '-c', 'kill -"$1" "$(cat "$0" 2>/dev/null)" 2>/dev/null', '/tmp/dbt-recovery-abc123.pid', 'INT']);
      assert.deepEqual(c.cleanupArgs().slice(-3), ['-c', 'rm -f "$0"', '/tmp/dbt-recovery-abc123.pid']);
    });

    it('knows podman and a client run by another program; anything else, or exec without a command, is not wrapped', () => {
      assert.equal(containerExec('/usr/bin/podman', ['exec', 'c', 'dbt'], 'x')?.container, 'c');
      assert.deepEqual(containerExec('node', ['/t/docker.mjs', 'exec', 'c', 'dbt'], 'x')?.args.slice(0, 3), ['/t/docker.mjs', 'exec', 'c']);
      assert.equal(containerExec('dbt', ['run'], 'x'), null);
      assert.equal(containerExec('docker', ['run', 'image', 'dbt'], 'x'), null);
      assert.equal(containerExec('docker', ['exec', 'c'], 'x'), null);
      assert.equal(containerExec('docker', ['exec', '-i'], 'x'), null);
      assert.throws(() => containerExec('docker', ['exec', 'c', 'dbt'], 'a;b'), /letters, digits/);
    });
  });

  describe('the runner (the docker exec client\'s stand-in, which does not forward signals to the command)', () => {
    let project: ReturnType<typeof copyExample>;
    let argvLog: string;
    let dockerLog: string;
    beforeEach(() => {
      project = copyExample();
      argvLog = path.join(project.dir, 'standin-argv.jsonl');
      dockerLog = path.join(project.dir, 'docker-calls.jsonl');
    });
    afterEach(() => project.cleanup());

    const plan = () => planOf(project.dir, [gate('g'), dbtRun('p1-layer1', L1)], { dbtCommand: [process.execPath, DOCKER, 'exec', '-i', 'dbt-ctr', process.execPath, STANDIN] });
    const dockerCalls = (): Array<{ argv: string[]; pid: number }> =>
      existsSync(dockerLog) ? readFileSync(dockerLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; pid: number }) : [];

    it('runs dbt in the container and removes the pid file after it', async () => {
      const outcome = await runPlan(plan(), { approve: approveAll(), targetPath: project.target, env: { DBT_STANDIN_LOG: argvLog, DOCKER_STANDIN_LOG: dockerLog } });
      assert.equal(outcome.status, 'done', outcome.message);
      const [run, cleanup, ...more] = dockerCalls();
      assert.deepEqual(more, []);
      assert.deepEqual(run!.argv.slice(0, 4), ['exec', '-i', 'dbt-ctr', 'sh']);
      const pidFile = run!.argv[6]!;
      assert.match(pidFile, /^\/tmp\/dbt-recovery-[0-9a-f]{32}\.pid$/);
      assert.deepEqual(cleanup!.argv.slice(-3), ['-c', 'rm -f "$0"', pidFile]);
      assert.equal(existsSync(pidFile), false);
      assert.equal(standinCalls(argvLog)[0]!.pid, run!.pid, 'dbt became the process sh started (exec): the pid the file held');
      assert.deepEqual(outcome.journal.steps[1]!.dbt!.argv.slice(2), ['exec', '-i', 'dbt-ctr', process.execPath, STANDIN, ...dbtRun('p1-layer1', L1).argv, '--log-format', 'json'], 'the journal shows the command as planned');
    });

    it('a cancel stops dbt inside the container, not only the client, with its Ctrl-C first', async () => {
      const controller = new AbortController();
      const log = new EventLog();
      const running = runPlan(plan(), {
        approve: approveAll(),
        targetPath: project.target,
        signal: controller.signal,
        onEvent: log.listener,
        env: { DBT_STANDIN_HOLD: L1[1]!, DBT_STANDIN_LOG: argvLog, DOCKER_STANDIN_LOG: dockerLog },
      });
      await log.waitFor((e) => e.type === 'progress' && e.name === L1[1] && e.status === 'started');
      const [call] = standinCalls(argvLog);
      assert.ok(call && processAlive(call.pid), 'dbt runs in the container');
      controller.abort();
      const outcome = await running;
      assert.equal(outcome.status, 'cancelled');
      await pollUntil('dbt in the container is gone', () => Promise.resolve(processAlive(call.pid) ? undefined : true));
      const signals = dockerCalls().filter((c) => c.argv.includes('kill -"$1" "$(cat "$0" 2>/dev/null)" 2>/dev/null'));
      assert.equal(signals[0]!.argv.at(-1), 'INT', 'dbt got its Ctrl-C in the container first');
      assert.equal(outcome.journal.steps[1]!.status, 'cancelled');
    });
  });
});
