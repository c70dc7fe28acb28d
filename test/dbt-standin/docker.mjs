#!/usr/bin/env node
// Test code: a stand-in for the `docker exec` client, as the runbook's team runs dbt (`docker exec dbt dbt run ...`).
// `docker.mjs exec [options] CONTAINER COMMAND ARGS...` runs COMMAND here, in a process group of its own (a process
// "in the container": signals to the client's group do not reach it), streams its output and exits with its code.
// Like the real client without a TTY, SIGINT or SIGTERM to the client ends the client only: the command keeps
// running, which is what the runner has to deal with. Options (-i, -e NAME=V, -u, -w, ...) are accepted; -e sets
// the variable for the command. DOCKER_STANDIN_LOG=file appends one JSON line per call ({argv, pid}).
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] !== 'exec') {
  process.stderr.write(`docker stand-in: only "exec" is known, not ${JSON.stringify(args[0])}\n`);
  process.exit(125);
}
const WITH_VALUE = new Set(['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys']);
const env = { ...process.env };
let i = 1;
while (i < args.length && args[i].startsWith('-')) {
  if (args[i] === '-e' || args[i] === '--env') {
    const [name, ...value] = args[i + 1].split('=');
    env[name] = value.join('=');
  }
  i += WITH_VALUE.has(args[i]) ? 2 : 1;
}
const command = args.slice(i + 1);
if (args[i] === undefined || command.length === 0) {
  process.stderr.write('docker stand-in: "docker exec" requires at least 2 arguments.\n');
  process.exit(125);
}
const child = spawn(command[0], command.slice(1), { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
if (process.env.DOCKER_STANDIN_LOG) appendFileSync(process.env.DOCKER_STANDIN_LOG, `${JSON.stringify({ argv: args, pid: child.pid })}\n`);
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);
child.on('error', (err) => {
  process.stderr.write(`docker stand-in: ${err.message}\n`);
  process.exit(126);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));
