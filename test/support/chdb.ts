/**
 * Embedded ClickHouse 26 (chdb) behind the same ClickHouseWarehouse as a real server, through
 * `createClient({ connection: createChdbConnection({ path }) })`. chdb allows one data folder per process, so every
 * test file shares one (a temp folder removed at exit); each test makes its own database and drops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type * as ChdbConnectionModule from 'chdb/connection';
import { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';

type ChdbModule = typeof ChdbConnectionModule;

let dataDir: string | null = null;

function chdbDir(): string {
  if (dataDir === null) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-chdb-'));
    dataDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dataDir;
}

/** A ClickHouseWarehouse on embedded chdb; fails with what to install when chdb or its engine is missing. */
export async function openChdbWarehouse(database = 'default'): Promise<ClickHouseWarehouse> {
  let chdb: ChdbModule;
  try {
    chdb = await import('chdb/connection');
  } catch (err) {
    throw new Error(
      `chdb cannot be loaded (${(err as Error).message.split('\n')[0]}): run \`npm ci\`; it installs the devDependency chdb and its engine @chdb/lib-linux-x64-gnu (about 550 MB).`,
      { cause: err },
    );
  }
  const client = createClient({
    // chdb types its connection against @clickhouse/client-common, which @clickhouse/client bundles as its own
    // copy: the same shapes, distinct declarations.
    connection: chdb.createChdbConnection({ path: chdbDir() }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new ClickHouseWarehouse(client, { description: 'embedded ClickHouse (chdb)', database, endpoint: null, user: 'default', secrets: [] });
}
