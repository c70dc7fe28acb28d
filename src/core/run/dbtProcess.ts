import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type * as Execa from 'execa';
import { containerExec } from './containerExec';
import type { DbtInvocation } from './dbtInvocation';

/**
 * execa 9 is ESM only, and so are its dependencies (exports with the `import` condition only): loaded with import(),
 * not require, so that it loads the same under the CommonJS bundle, tsx's CommonJS hook (tests) and Node.
 */
const loadExeca = (): Promise<typeof Execa> => import('execa');

export interface DbtProcessOptions {
  invocation: DbtInvocation;
  cwd: string;
  /** Added to this process's environment (never written anywhere). */
  env: Readonly<Record<string, string>>;
  signal?: AbortSignal | undefined;
  /** After a cancel's SIGINT, how long before SIGKILL. */
  cancelGraceMs: number;
  onSpawn?: (pid: number) => void;
  /** Each output line as it comes, without its line break. */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface DbtProcessResult {
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  cancelled: boolean;
  /** The process could not start (no such executable, ...): what the OS said. */
  spawnError: string | null;
}

const POSIX = process.platform !== 'win32';

/**
 * Signals a process and everything it started. On POSIX dbt runs as the leader of its own process group, so the
 * group id is its pid: `kill(-pid)` reaches a wrapper script, a `docker exec` client and anything dbt spawned. On
 * Windows `taskkill /T` walks the tree.
 */
export function killProcessTree(pid: number, signal: NodeJS.Signals): void {
  if (POSIX) {
    try {
      process.kill(-pid, signal);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
    return;
  }
  void loadExeca().then(({ execa }) => execa('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false, windowsHide: true }));
}

/**
 * Runs one dbt command (argv, no shell), streaming its output line by line. A cancel sends SIGINT to dbt's process
 * group first, dbt's own Ctrl-C, which cancels the queries it has open on the warehouse, then SIGKILL after the
 * grace period; when dbt has exited, whatever it left in its group is killed too. If this process exits while dbt
 * runs, dbt's group gets SIGINT.
 */
export async function runDbtProcess(o: DbtProcessOptions): Promise<DbtProcessResult> {
  if (o.signal?.aborted) return { pid: null, exitCode: null, signal: null, cancelled: true, spawnError: null };
  // Through `docker exec`: the command in the container records its pid, and a cancel signals it there.
  const container = containerExec(o.invocation.file, o.invocation.args);
  const { file, args } = container ?? o.invocation;
  const { execa } = await loadExeca();
  /** Runs the container client once more (a signal, a check, a clean-up); true when it exited 0. */
  const inContainer = async (a: string[]): Promise<boolean> =>
    (await execa(file, a, { cwd: o.cwd, env: o.env, extendEnv: true, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', timeout: 30_000, windowsHide: true })).exitCode === 0;
  const sub = execa(file, args, {
    cwd: o.cwd,
    env: o.env,
    extendEnv: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    // Its own process group, so that a cancel reaches the whole tree; cleanup is ours (below), not execa's, which
    // would signal only the leader.
    detached: POSIX,
    cleanup: false,
    windowsHide: true,
    encoding: 'utf8',
  });
  const pid = sub.pid ?? null;
  if (pid !== null) o.onSpawn?.(pid);

  const reading: Array<Promise<void>> = [];
  for (const [name, stream] of [['stdout', sub.stdout], ['stderr', sub.stderr]] as const) {
    if (!stream) continue;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => o.onLine(name, line));
    reading.push(new Promise<void>((resolve) => rl.once('close', () => resolve())));
  }

  let cancelled = false;
  let forceTimer: NodeJS.Timeout | null = null;
  let stopping: Promise<void> = Promise.resolve();
  const onAbort = (): void => {
    if (pid === null || cancelled) return;
    cancelled = true;
    if (!container) {
      killProcessTree(pid, 'SIGINT');
      forceTimer = setTimeout(() => killProcessTree(pid, 'SIGKILL'), o.cancelGraceMs);
      return;
    }
    // dbt in the container gets its Ctrl-C there (the client then exits with it, its last lines still streamed),
    // SIGKILL there after the grace period; the client is killed here only if it is still around after that.
    stopping = (async () => {
      await inContainer(container.signalArgs('INT'));
      const deadline = Date.now() + o.cancelGraceMs;
      while (Date.now() < deadline && (await inContainer(container.signalArgs('0')))) await new Promise((r) => setTimeout(r, 200));
      if (await inContainer(container.signalArgs('0'))) await inContainer(container.signalArgs('KILL'));
    })();
    forceTimer = setTimeout(() => killProcessTree(pid, 'SIGKILL'), o.cancelGraceMs + 30_000);
  };
  const onExit = (): void => {
    if (pid === null) return;
    if (container) spawnSync(file, container.signalArgs('INT'), { stdio: 'ignore', timeout: 5_000, windowsHide: true });
    killProcessTree(pid, 'SIGINT');
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  process.once('exit', onExit);
  try {
    const result = await sub;
    await Promise.all(reading);
    await stopping;
    if (cancelled && pid !== null) killProcessTree(pid, 'SIGKILL');
    if (container && pid !== null) await inContainer(container.cleanupArgs());
    const spawnError = result.failed && result.exitCode === undefined && !result.isTerminated && !cancelled ? (result.shortMessage ?? result.message ?? null) : null;
    return { pid, exitCode: result.exitCode ?? null, signal: result.signal ?? null, cancelled, spawnError };
  } finally {
    if (forceTimer) clearTimeout(forceTimer);
    o.signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', onExit);
  }
}
