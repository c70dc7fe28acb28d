// Installs node_modules from package-lock.json when it is missing or older than the lock file. Node built-ins
// only: this runs on a fresh clone, before any package is installed.
//
// `npm install --no-save` rather than `npm ci`: the registry these machines reach serves only the linux-x64
// builds of @duckdb/node-bindings-* and @chdb/lib-*, so the lock file records no other platform's optional
// binary and npm 11's `npm ci` refuses it as out of sync. `npm install` with a lock file installs exactly the
// locked versions and, with --no-save, never rewrites package.json or the lock file.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function run(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: repoRoot, stdio: 'inherit', ...opts, env: { ...process.env, ...(opts.env ?? {}) } });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          console.error(`\n${cmd} ${argv.join(' ')} took longer than ${opts.timeoutMs / 60000} min: stopping it.`);
          child.kill('SIGTERM');
        }, opts.timeoutMs)
      : null;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      console.error(`could not start ${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Resolves true when node_modules is current (installing it if needed), false when the install failed. */
export async function ensureNodeModules() {
  const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return true;
  console.log('\n=== setup: npm install (locked versions) ===');
  const code = await run('npm', ['install', '--no-save', '--no-audit', '--no-fund'], { timeoutMs: 15 * 60_000 });
  if (code !== 0) console.error('`npm install` failed (see above): the npm registry must be reachable.');
  return code === 0;
}

export async function build() {
  return (await run(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { timeoutMs: 5 * 60_000 })) === 0;
}
