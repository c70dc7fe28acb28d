// The real warehouse engines the warehouse tests start (test/warehouse/): Debian's clickhouse-server (18.16),
// installed with apt-get when missing; chdb and DuckDB come from npm (package.json), so only checked here.
// Node built-ins only. Nothing is skipped: a test whose engine is missing fails and names what to install; this
// step only tries to install and says what it could not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';
const APT_PACKAGES = ['clickhouse-server', 'clickhouse-client'];

function apt(args) {
  const r = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 10 * 60_000,
  });
  return r.status === 0;
}

function installClickHouse() {
  if (existsSync(CLICKHOUSE_SERVER)) return null;
  const line = `apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return `clickhouse-server is not installed and this is not root: run \`sudo ${line}\` (Debian's package, 18.16).`;
  }
  console.log(`\n=== setup: ${line} ===`);
  // A fresh machine may have no package lists yet: update once and retry.
  if (!apt(['install', '-y', '-q', ...APT_PACKAGES]) && !(apt(['update', '-q']) && apt(['install', '-y', '-q', ...APT_PACKAGES]))) {
    return `\`${line}\` failed (see above): the ClickHouse server tests will fail until it is installed.`;
  }
  return existsSync(CLICKHOUSE_SERVER) ? null : `${line} ran, but ${CLICKHOUSE_SERVER} is still missing.`;
}

function checkNpm(pkg, why) {
  const req = createRequire(path.join(root, 'package.json'));
  try {
    req.resolve(`${pkg}/package.json`);
    return null;
  } catch {
    return `${pkg} is missing from node_modules (${why}): run \`npm ci\`; an optional platform package that failed to download is skipped by npm without an error.`;
  }
}

/** Installs or checks each engine; returns the problems (empty when everything is there). */
export function installEngines() {
  const problems = [
    installClickHouse(),
    checkNpm('chdb', 'embedded ClickHouse 26 for the warehouse tests'),
    process.platform === 'linux' && process.arch === 'x64' ? checkNpm('@chdb/lib-linux-x64-gnu', "chdb's engine, about 550 MB") : null,
    checkNpm('@duckdb/node-api', 'DuckDB'),
  ].filter((p) => p !== null);
  for (const p of problems) console.error(`setup: ${p}`);
  return problems;
}
