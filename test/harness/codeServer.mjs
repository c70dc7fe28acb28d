// A private code-server (a real VS Code served to a browser) for one test run: loopback only, a free port, its own
// user-data / extensions / config / XDG dirs in a temp dir, stopped by process group on stop(), exit or signal.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { harnessPaths, setup } from './setup.mjs';

/** Settings for a quiet, deterministic workbench; `startCodeServer({ settings })` adds to them. */
export const DEFAULT_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
});

const liveGroups = new Set(); // pids (= process groups) of servers not yet stopped
const tempDirs = new Set(); // removed at exit, also when the process dies of a signal

/**
 * @typedef {object} CodeServer
 * @property {string} url           e.g. http://127.0.0.1:34567/
 * @property {number} port
 * @property {number} pid           the pid (and process group) we started
 * @property {string} tempDir       everything the server writes lives under it
 * @property {string} userDataDir
 * @property {string} extensionsDir
 * @property {(absPath: string) => string} remoteUri   vscode-remote:// URI of a path on this machine
 * @property {(folder?: string, payload?: [string, string][]) => string} workbenchUrl
 * @property {() => string} output  the server's recent stdout+stderr (for error messages)
 * @property {Promise<{ code: number | null, signal: string | null }>} exited  settles when the server process exits
 * @property {() => Promise<void>} stop
 */

/**
 * Starts code-server and resolves once `/healthz` answers.
 * @param {{
 *   smokeTestDriver?: boolean,          // --vscode-option enable-smoke-test-driver: honours ?payload= (extension tests)
 *   env?: Record<string, string | undefined>, // added to the server's env; the extension host inherits it
 *   settings?: Record<string, unknown>, // User/settings.json, over DEFAULT_SETTINGS
 *   linkExtensions?: string[],          // extension folders to symlink into the extensions dir
 *   args?: string[],                    // more code-server flags
 *   timeoutMs?: number,                 // for the server to become healthy
 *   log?: (line: string) => void,       // server output; default: shown only with DBT_RECOVERY_HARNESS_VERBOSE=1
 *   keepTemp?: boolean,                 // keep tempDir after stop (also DBT_RECOVERY_KEEP_TEMP=1)
 *   port?: number,                      // loopback port to listen on; 0 (default) lets the kernel pick
 * }} [options]
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer(options = {}) {
  const { smokeTestDriver = false, env = {}, settings = {}, linkExtensions = [], args = [], timeoutMs = 60_000, port = 0 } = options;
  const verbose = process.env.DBT_RECOVERY_HARNESS_VERBOSE === '1';
  const log = options.log ?? (verbose ? (line) => console.log(`code-server: ${line}`) : () => {});
  const keepTemp = options.keepTemp ?? process.env.DBT_RECOVERY_KEEP_TEMP === '1';
  await setup();
  const tempDir = mkdtempSync(path.join(tmpdir(), 'dbt-recovery-code-server-'));
  const removeTemp = keepTemp ? () => {} : removeOnExit(tempDir);
  try {
    return await launch(tempDir, removeTemp, { smokeTestDriver, env, settings, linkExtensions, args, timeoutMs, log, port });
  } catch (err) {
    removeTemp();
    throw err;
  }
}

async function launch(tempDir, removeTemp, { smokeTestDriver, env, settings, linkExtensions, args, timeoutMs, log, port }) {
  const paths = harnessPaths();
  const dir = (name) => {
    const d = path.join(tempDir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const userDataDir = dir('user-data');
  const extensionsDir = dir('extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  for (const ext of linkExtensions) {
    const pkg = JSON.parse(readFileSync(path.join(ext, 'package.json'), 'utf8'));
    symlinkSync(path.resolve(ext), path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
  }
  const configFile = path.join(tempDir, 'config.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const serverEnv = { ...process.env };
  // Variables of an enclosing VS Code / code-server would redirect this one (PORT overrides --bind-addr).
  for (const k of Object.keys(serverEnv)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_)/.test(k) || ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN'].includes(k)) delete serverEnv[k];
  }
  Object.assign(serverEnv, {
    // Even `code-server --help` writes ~/.config/code-server and ~/.local/share/code-server without these.
    XDG_CONFIG_HOME: dir('xdg/config'),
    XDG_DATA_HOME: dir('xdg/data'),
    XDG_CACHE_HOME: dir('xdg/cache'),
    XDG_STATE_HOME: dir('xdg/state'),
    // No extension gallery (open-vsx.org by default): tests stay on loopback, and the log loses its ENOTFOUND noise.
    EXTENSIONS_GALLERY: '{}',
    ...env,
  });

  const argv = [
    paths.codeServerEntry,
    // Port 0 (the default): the kernel picks a free port and code-server logs it; no probe-then-bind race.
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--config', configFile,
    // The extension host of a closed browser tab goes away after 5 s instead of 3 hours.
    '--reconnection-grace-time', '5',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...args,
  ];
  const child = spawn(paths.node, argv, { cwd: tempDir, env: serverEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new Error(`code-server: could not start ${paths.node}`);
  }

  const recent = [];
  let exited = null; // { code, signal } once the leader is gone
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  let announced;
  const urlPromise = new Promise((resolve) => (announced = resolve));
  const onLine = (line) => {
    if (!line) return;
    recent.push(line);
    if (recent.length > 200) recent.shift();
    log(line);
    const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/?)/.exec(line);
    if (m) announced(m[1].endsWith('/') ? m[1] : `${m[1]}/`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }

  let stopping;
  const server = {
    url: '',
    port: 0,
    pid,
    tempDir,
    userDataDir,
    extensionsDir,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${server.port}${encodeURI(path.resolve(absPath))}`,
    workbenchUrl(folder, payload) {
      const u = new URL(server.url);
      if (folder) u.searchParams.set('folder', path.resolve(folder));
      if (payload) u.searchParams.set('payload', JSON.stringify(payload));
      return u.toString();
    },
    output: () => recent.join('\n'),
    exited: exitPromise,
    stop: () => (stopping ??= stopGroup()),
  };

  async function stopGroup() {
    signalGroup(pid, 'SIGTERM');
    // Descendants (extension host, pty host) share the group; wait for all of them, not just the leader.
    const gone = await pollUntil(() => !groupAlive(pid), 5_000);
    if (!gone) signalGroup(pid, 'SIGKILL');
    await Promise.race([exitPromise, pollUntil(() => exited !== null, 2_000)]);
    liveGroups.delete(pid);
    removeTemp();
  }

  liveGroups.add(pid);

  const deadline = Date.now() + timeoutMs;
  const fail = async (why) => {
    await server.stop();
    throw new Error(`code-server: ${why}\n--- server output ---\n${server.output()}`);
  };
  const url = await Promise.race([
    urlPromise,
    exitPromise.then(() => null),
    delay(timeoutMs, null),
  ]);
  if (!url) return fail(exited ? `exited (${exited.code ?? exited.signal}) before listening` : `did not listen within ${timeoutMs} ms`);
  server.url = url;
  server.port = Number(new URL(url).port);

  const healthy = await pollUntil(async () => {
    if (exited) return true;
    try {
      const res = await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    } catch {
      return false;
    }
  }, Math.max(0, deadline - Date.now()));
  if (exited) return fail(`exited (${exited.code ?? exited.signal}) during startup`);
  if (!healthy) return fail(`/healthz did not answer within ${timeoutMs} ms`);
  log(`ready at ${url} (pid ${pid}, ${tempDir})`);
  return server;
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes; resolves with the last result. */
export async function pollUntil(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A promise that resolves with `value` after `ms`, without keeping the process alive. */
export function delay(ms, value) {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Registers a temp dir to be removed when the process exits or dies of SIGINT/SIGTERM/SIGHUP; call the returned
 * function to remove it now.
 * @param {string} dir
 * @returns {() => void}
 */
export function removeOnExit(dir) {
  installExitHandlers();
  tempDirs.add(dir);
  return () => {
    tempDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killGroups = () => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
    liveGroups.clear();
  };
  const removeTemps = () => {
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // a browser still writing its profile: leave the dir rather than fail the exit
      }
    }
    tempDirs.clear();
  };
  process.on('exit', () => {
    killGroups();
    removeTemps();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      killGroups();
      process.off(sig, onSignal);
      // Another handler (playwright closes its browser, then exits) goes on, and 'exit' removes the temp dirs.
      // Alone, die of the same signal as by default; dying of a signal skips 'exit', so remove them first.
      if (process.listenerCount(sig) === 0) {
        removeTemps();
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}
