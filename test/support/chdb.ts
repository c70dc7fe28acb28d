/**
 * Embedded ClickHouse 26 (chdb) behind the same ClickHouseWarehouse as a real server, through
 * `createClient({ connection: createChdbConnection({ path }) })`. chdb allows one data folder per process, so every
 * test file shares one (a temp folder removed at exit); each test makes its own database and drops it.
 *
 * A request's settings hold for that request only, as over HTTP: chdb's connection applies them as session `SET`s
 * that would hold for every later statement (an earlier test's `optimize_throw_if_noop` deciding a later test), so
 * each one is put back to its default after the call, and calls run one at a time so that no call sees another's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type * as ChdbConnectionModule from 'chdb/connection';
import { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';

type ChdbModule = typeof ChdbConnectionModule;
type ChdbConnection = ChdbConnectionModule.ChdbConnection;

/** clickhouse-js settings of the HTTP layer that chdb drops instead of setting (its HTTP_ONLY_SETTINGS, and the
 * format it takes as an option): nothing to put back. */
const NOT_SET = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_response_buffer_size',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
  'default_format',
]);

/** The Connection contract over a chdb connection, each call's settings scoped to the call. */
class RequestScopedSettings {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: ChdbConnection) {}

  query(p: Parameters<ChdbConnection['query']>[0]) {
    return this.scoped(p.clickhouse_settings, () => this.connection.query(p));
  }

  exec(p: Parameters<ChdbConnection['exec']>[0]) {
    return this.scoped(p.clickhouse_settings, () => this.connection.exec(p));
  }

  command(p: Parameters<ChdbConnection['command']>[0]) {
    return this.scoped(p.clickhouse_settings, () => this.connection.command(p));
  }

  insert(p: Parameters<ChdbConnection['insert']>[0]) {
    return this.scoped(p.clickhouse_settings, () => this.connection.insert(p));
  }

  ping(p: Parameters<ChdbConnection['ping']>[0]) {
    return this.connection.ping(p);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private scoped<R>(settings: Record<string, unknown> | undefined, call: () => Promise<R>): Promise<R> {
    const reset = async (): Promise<void> => {
      for (const [name, value] of Object.entries(settings ?? {})) {
        if (value === undefined || NOT_SET.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
        await this.connection.command({ query: `SET ${name} = DEFAULT` });
      }
    };
    const run = this.queue.then(async () => {
      let result: R;
      try {
        result = await call();
      } catch (err) {
        // The call's error is the one to see.
        await reset().catch(() => undefined);
        throw err;
      }
      await reset();
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

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
    connection: new RequestScopedSettings(chdb.createChdbConnection({ path: chdbDir() })) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new ClickHouseWarehouse(client, { description: 'embedded ClickHouse (chdb)', database, endpoint: null, user: 'default', secrets: [] });
}
