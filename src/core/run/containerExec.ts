import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

/**
 * dbt run through `docker exec` (or `podman exec`), as the runbook's team runs it: `docker exec dbt dbt run ...`.
 * Stopping the `docker exec` client does not stop the process in the container (the client does not forward
 * signals without a TTY), so a cancel that only signals the client leaves dbt writing to the warehouse while the
 * journal says cancelled, and a resume could start a second dbt beside it.
 *
 * So the command in the container is started through a fixed `sh -c` script that records its pid in a file in the
 * container and then becomes the command (`exec "$@"`: the same pid, dbt's own signals and exit code); a cancel
 * signals that pid inside the container with another `docker exec`. The script is a constant: the pid file and the
 * command reach it as positional arguments, never spliced into its text, so nothing the user wrote is parsed by a
 * shell.
 */
export interface ContainerExec {
  /** The client's executable and arguments for the wrapped command. */
  file: string;
  args: string[];
  container: string;
  /** The pid file in the container. */
  pidFile: string;
  /** Arguments for `file` that send `signal` to the command in the container; exit 0 when it was running. */
  signalArgs(signal: 'INT' | 'KILL' | '0'): string[];
  /** Arguments for `file` that remove the pid file. */
  cleanupArgs(): string[];
}

const CLIENTS = new Set(['docker', 'podman']);
/** `docker exec` options that take a value as the next argument. */
const WITH_VALUE = new Set(['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys']);

const RECORD_PID = 'echo $$ > "$0" && exec "$@"';
const SIGNAL = 'kill -"$1" "$(cat "$0" 2>/dev/null)" 2>/dev/null';
const REMOVE = 'rm -f "$0"';

/**
 * The `docker exec` (or `podman exec`) form of a dbt invocation, or null when it is not one (then dbt runs here
 * and its process group is signalled as usual). `id` names the pid file (default: a random one).
 */
export function containerExec(file: string, args: readonly string[], id: string = randomUUID().replace(/-/g, '')): ContainerExec | null {
  const argv = [file, ...args];
  const k = argv.findIndex((a, i) => CLIENTS.has(path.basename(a).replace(/\.[cm]?js$/, '')) && argv[i + 1] === 'exec');
  if (k < 0) return null;
  let i = k + 2;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    i += WITH_VALUE.has(a) ? 2 : 1;
  }
  const container = argv[i];
  const command = argv.slice(i + 1);
  if (container === undefined || command.length === 0) return null;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`containerExec: a pid file id of letters, digits, _ and - only, not ${JSON.stringify(id)}`);
  const pidFile = `/tmp/dbt-recovery-${id}.pid`;
  const client = argv.slice(1, i + 1); // up to and including the container, with the exec options
  return {
    file,
    args: [...client, 'sh', '-c', RECORD_PID, pidFile, ...command],
    container,
    pidFile,
    signalArgs: (signal) => [...client, 'sh', '-c', SIGNAL, pidFile, signal],
    cleanupArgs: () => [...client, 'sh', '-c', REMOVE, pidFile],
  };
}
