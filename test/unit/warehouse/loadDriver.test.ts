import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DRIVERS, driversDir, installDriverArgv, loadDriver, WarehouseError } from '../../../src/core/warehouse';

const repoRoot = path.resolve(__dirname, '../../..');

/** A `require` that finds nothing, as in the VS Code package (which ships no node_modules). */
const nothingInstalled = (id: string): never => {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('warehouse drivers: loaded from the package, else from the drivers folder, else a clear install command', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-drivers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pins the versions package.json depends on', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, { version }] of Object.entries(DRIVERS)) assert.equal(pkg.dependencies[name]!.replace(/^[\^~]/, ''), version, name);
  });

  it('loads the real DuckDB driver from the package\'s own node_modules', () => {
    const api = loadDriver<{ DuckDBInstance: { create: unknown } }>('@duckdb/node-api');
    assert.equal(typeof api.DuckDBInstance.create, 'function');
  });

  it('nowhere installed: a driver-missing error with the exact npm command and the folder, nothing else tried', () => {
    const env = { DBT_RECOVERY_DRIVERS_DIR: dir };
    let err: unknown;
    try {
      loadDriver('@duckdb/node-api', { env, requireDefault: nothingInstalled });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WarehouseError);
    assert.equal(err.kind, 'driver-missing');
    assert.equal(err.engine, 'duckdb');
    assert.match(err.problem, /The duckdb driver \(@duckdb\/node-api\) is not installed/);
    assert.ok(err.remedy.includes(`npm install --prefix ${dir} @duckdb/node-api@1.5.6-r.1`), err.remedy);
    assert.deepEqual(installDriverArgv('snowflake-sdk', dir), ['npm', 'install', '--prefix', dir, 'snowflake-sdk@3.3.0']);
  });

  it('loads from the drivers folder the remedy installs into', () => {
    const pkgDir = path.join(dir, 'node_modules', 'snowflake-sdk');
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: 'snowflake-sdk', version: '3.3.0', main: 'index.js' }));
    writeFileSync(path.join(pkgDir, 'index.js'), 'module.exports = { from: __dirname };\n');
    const sdk = loadDriver<{ from: string }>('snowflake-sdk', { env: { DBT_RECOVERY_DRIVERS_DIR: dir }, requireDefault: nothingInstalled });
    assert.equal(sdk.from, pkgDir);
  });

  it('a driver that is there but cannot load (another platform\'s build) says so, with the reinstall command', () => {
    const pkgDir = path.join(dir, 'node_modules', '@duckdb', 'node-api');
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: '@duckdb/node-api', main: 'index.js' }));
    writeFileSync(path.join(pkgDir, 'index.js'), "throw new Error('invalid ELF header');\n");
    assert.throws(
      () => loadDriver('@duckdb/node-api', { env: { DBT_RECOVERY_DRIVERS_DIR: dir }, requireDefault: nothingInstalled }),
      (e: unknown) => e instanceof WarehouseError && e.kind === 'driver-missing' && /found in .* but cannot be loaded: invalid ELF header/.test(e.problem) && e.remedy.includes('npm install --prefix'),
    );
  });

  it('the drivers folder defaults to ~/.dbt-recovery/drivers', () => {
    assert.equal(driversDir({}), path.join(os.homedir(), '.dbt-recovery', 'drivers'));
    assert.equal(driversDir({ DBT_RECOVERY_DRIVERS_DIR: dir }), dir);
  });
});
