import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { WarehouseError, type Engine } from './warehouseError';

/**
 * The drivers that are not bundled: DuckDB's is native (one build per platform) and the Snowflake SDK is large, so
 * the VS Code package ships neither. The CLI installed from npm has them as dependencies; the extension loads them
 * from its own node_modules when present (a development checkout), else from the drivers folder the error's remedy
 * installs them into. The versions are the ones package.json pins (a unit test keeps them equal).
 */
export const DRIVERS = {
  '@duckdb/node-api': { engine: 'duckdb', version: '1.5.6-r.1' },
  'snowflake-sdk': { engine: 'snowflake', version: '3.3.0' },
} as const satisfies Record<string, { engine: Engine; version: string }>;

export type DriverName = keyof typeof DRIVERS;

/** Where drivers installed for dbt Recovery live: DBT_RECOVERY_DRIVERS_DIR, else ~/.dbt-recovery/drivers. */
export function driversDir(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.DBT_RECOVERY_DRIVERS_DIR?.trim();
  return given ? path.resolve(given) : path.join(os.homedir(), '.dbt-recovery', 'drivers');
}

/** The command that installs `name` into `dir` (argv, for the message and for a terminal). */
export function installDriverArgv(name: DriverName, dir: string): string[] {
  return ['npm', 'install', '--prefix', dir, `${name}@${DRIVERS[name].version}`];
}

function notFound(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return !!e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') && typeof e.message === 'string' && e.message.includes(name);
}

export interface LoadDriverOptions {
  env?: NodeJS.ProcessEnv;
  /** Resolves the package the normal way (this bundle's node_modules); a parameter for tests. */
  requireDefault?: (id: string) => unknown;
}

/**
 * Loads a warehouse driver: first as any package (the CLI's dependencies, a development checkout), then from the
 * drivers folder. Not found in either is a `driver-missing` error whose remedy is the exact install command; any
 * other failure (a native build for another platform, a broken install) says so with the loader's message.
 */
export function loadDriver<T>(name: DriverName, options: LoadDriverOptions = {}): T {
  const { engine } = DRIVERS[name];
  const dir = driversDir(options.env);
  const own = options.requireDefault ?? ((id: string): unknown => createRequire(__filename)(id));
  const attempts: Array<{ where: string; load: () => unknown }> = [
    { where: 'dbt Recovery\'s own packages', load: () => own(name) },
    { where: dir, load: (): unknown => createRequire(path.join(dir, 'package.json'))(name) },
  ];
  for (const { where, load } of attempts) {
    try {
      return load() as T;
    } catch (err) {
      if (notFound(err, name)) continue;
      const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      throw new WarehouseError({
        kind: 'driver-missing',
        engine,
        problem: `The ${engine} driver (${name}) was found in ${where} but cannot be loaded: ${msg}`,
        remedy: `Reinstall it for this machine's platform and Node.js: ${installDriverArgv(name, dir).join(' ')}`,
        cause: err,
      });
    }
  }
  throw new WarehouseError({
    kind: 'driver-missing',
    engine,
    problem: `The ${engine} driver (${name}) is not installed: the VS Code package of dbt Recovery does not ship it (it is native or large, and needed only by ${engine} projects).`,
    remedy: `Install it once with \`${installDriverArgv(name, dir).join(' ')}\` (or set DBT_RECOVERY_DRIVERS_DIR to a folder where it is installed), then try again.`,
  });
}
