// Installs what the real-VS-Code test layers need, once per machine, into a cache outside the repo:
//   Debian: chromium (the browser playwright-core drives), libkrb5-dev + pkg-config + build-essential (code-server's
//   native `kerberos` addon); npm: Node 24 (code-server 4.139.1 requires it) and code-server itself.
// Safe to call before every run: a marker written after a complete install makes the second call a no-op.
//
//   node test/harness/setup.mjs        # install (or check) and print where things are
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });
export const APT_PACKAGES = Object.freeze(['chromium', 'libkrb5-dev', 'pkg-config', 'build-essential']);
export const CHROMIUM = '/usr/bin/chromium';

const MARKER = '.complete.json';

/** `${DBT_RECOVERY_CACHE:-~/.cache/dbt-recovery}/harness/<versions>`; pure, installs nothing. */
export function harnessPaths(env = process.env) {
  const cacheRoot = env.DBT_RECOVERY_CACHE || path.join(homedir(), '.cache', 'dbt-recovery');
  const dir = path.join(cacheRoot, 'harness', `node-${VERSIONS.node}-code-server-${VERSIONS.codeServer}-${process.arch}`);
  const nodeDir = path.join(dir, 'node', 'node_modules', `node-linux-${process.arch}`);
  return {
    dir,
    /** Node 24's install folder (bin/, include/node/): what node-gyp's `nodedir` must point at. */
    nodeDir,
    node: path.join(nodeDir, 'bin', 'node'),
    codeServerEntry: path.join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: CHROMIUM,
    marker: path.join(dir, MARKER),
  };
}

/** True when a complete install of these exact versions is cached (no apt check: see `missingAptPackages`). */
export function isInstalled(env = process.env) {
  const p = harnessPaths(env);
  try {
    const m = JSON.parse(readFileSync(p.marker, 'utf8'));
    return m.node === VERSIONS.node && m.codeServer === VERSIONS.codeServer && existsSync(p.node) && existsSync(p.codeServerEntry);
  } catch {
    return false;
  }
}

/**
 * Idempotent install. Resolves with the paths from `harnessPaths()`.
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv }} [options]
 */
export async function setup({ log = (line) => console.log(`harness: ${line}`), env = process.env } = {}) {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`harness: needs Linux x64/arm64 (Node and code-server come from npm as linux binaries), not ${process.platform}-${process.arch}`);
  }
  const started = Date.now();
  await ensureAptPackages(log);

  const p = harnessPaths(env);
  if (isInstalled(env)) return p;

  mkdirSync(path.dirname(p.dir), { recursive: true });
  const unlock = await lock(`${p.dir}.lock`, log);
  try {
    if (isInstalled(env)) return p; // another process finished it while we waited
    if (existsSync(p.dir)) {
      log(`removing an incomplete install in ${p.dir}`);
      rmSync(p.dir, { recursive: true, force: true });
    }
    mkdirSync(p.dir, { recursive: true });

    log(`installing Node ${VERSIONS.node} from npm`);
    // Under `npm test` the outer npm exports its own settings as npm_* variables (npm_config_user_agent says
    // node/v20, npm_config_nodedir=/usr, npm_node_execpath, NODE...). An npm_config_* variable beats any config, and
    // code-server's postinstall.sh reads the Node major from npm_config_user_agent: the inner installs get none of
    // them, only their own.
    const cleanEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !/^(npm_|NODE$|INIT_CWD$)/i.test(k)));
    const npmEnv = { ...cleanEnv, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    await run('npm', ['install', '--prefix', path.join(p.dir, 'node'), '--no-save', '--no-package-lock', `node-linux-${process.arch}@${VERSIONS.node}`], { env: npmEnv });
    if (!existsSync(p.node)) throw new Error(`harness: npm installed node-linux-${process.arch} but ${p.node} is missing`);

    // code-server's native addons (kerberos, node-pty, ...) must build against Node 24's headers. The machine's
    // ~/.npmrc says `nodedir=/usr` (Node 20); an npm_config_* variable beats the user config. Node 24 first on PATH
    // makes npm and its lifecycle scripts (postinstall.sh checks the Node major) run on Node 24.
    log(`installing code-server ${VERSIONS.codeServer} (about 2 minutes, ~620 MB)`);
    await run('npm', ['install', '--prefix', path.join(p.dir, 'code-server'), '--no-save', '--no-package-lock', `code-server@${VERSIONS.codeServer}`], {
      env: { ...npmEnv, PATH: `${path.dirname(p.node)}${path.delimiter}${cleanEnv.PATH ?? ''}`, npm_config_nodedir: p.nodeDir },
    });
    if (!existsSync(p.codeServerEntry)) throw new Error(`harness: code-server installed but ${p.codeServerEntry} is missing`);

    writeFileSync(p.marker, JSON.stringify({ ...VERSIONS, installedAt: new Date().toISOString() }) + '\n');
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s: ${p.dir}`);
    return p;
  } finally {
    unlock();
  }
}

/** Names of APT_PACKAGES not installed (per dpkg). */
export async function missingAptPackages() {
  const missing = [];
  for (const pkg of APT_PACKAGES) {
    const { code, stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg], { capture: true, allowFail: true });
    if (code !== 0 || !stdout.includes('install ok installed')) missing.push(pkg);
  }
  return missing;
}

async function ensureAptPackages(log) {
  const missing = await missingAptPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`harness: missing Debian packages: ${missing.join(', ')}. Not root, so not installing them; run as root:\n  ${command}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-q'], { env, quiet: true });
    // Recommends of chromium pull in desktop bits headless runs don't need.
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, quiet: true });
  } catch (err) {
    throw new Error(`harness: apt-get failed to install ${missing.join(', ')}: ${err.message}\n  try: ${command}`, { cause: err });
  }
  const still = await missingAptPackages();
  if (still.length) throw new Error(`harness: still missing after apt-get: ${still.join(', ')}`);
}

/** A directory lock (mkdir is atomic); a lock left by a dead pid is taken over. */
async function lock(lockDir, log) {
  const deadline = Date.now() + 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSafe(path.join(lockDir, 'pid')));
    if (owner && !isAlive(owner)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`harness: ${lockDir} held by pid ${owner || '?'} for 15 minutes`);
    if (!told) log(`waiting for another setup (pid ${owner || '?'}) to finish`);
    told = true;
    await new Promise((r) => setTimeout(r, 500)); // polling a lock held by another process: there is no event to await
  }
}

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Runs a command; output goes to our stdout/stderr unless `capture` (collected) or `quiet` (shown only on failure).
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(cmd, args, { env = process.env, capture = false, quiet = false, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const collect = capture || quiet;
    const child = spawn(cmd, args, { env, stdio: ['ignore', collect ? 'pipe' : 'inherit', collect ? 'pipe' : 'inherit'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) => (allowFail ? resolve({ code: -1, stdout, stderr: String(err) }) : reject(err)));
    child.on('close', (code, signal) => {
      if (code === 0 || allowFail) return resolve({ code: code ?? -1, stdout, stderr });
      const tail = (stdout + stderr).split('\n').slice(-30).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}${collect ? `\n${tail}` : ''}`));
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const p = await setup();
    console.log(`harness: node ${p.node}\nharness: code-server ${p.codeServerEntry}\nharness: chromium ${p.chromium}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
