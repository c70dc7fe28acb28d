/**
 * TEST CODE: lends this process's embedded ClickHouse (chdb) to child processes. chdb is a library, not a server,
 * and binds one data folder per process, so a dbt stand-in whose executor writes the tables, or a runner killed in
 * its own process, cannot open the test's chdb themselves. The relay serves it on loopback: each request is one call
 * of the `@clickhouse/client` Connection contract (`query`, `exec`, `command`, `insert`, `ping`) as JSON, answered by
 * a chdb connection on the same data folder (chdb lets several sessions share a folder in one process). The other
 * side is `openRelayWarehouse` (relayWarehouse.ts): a ClickHouseWarehouse whose connection forwards here, so the
 * product's adapter code runs unchanged in the child.
 *
 * Statements run one at a time, in arrival order, in the relay's own chdb session: a `SET` statement (a model's
 * pre-hook) holds for the statements after it, as on one dbt connection. A request's settings hold for that request
 * only, as over HTTP: chdb's connection applies them as session `SET`s, so the relay puts each back to its default
 * after the call.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type * as ChdbConnectionModule from 'chdb/connection';
import type { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';

type ChdbConnection = ChdbConnectionModule.ChdbConnection;
type BaseParams = Parameters<ChdbConnection['command']>[0];

/** One Connection call as it travels. */
export interface RelayRequest {
  query: string;
  clickhouse_settings?: Record<string, unknown>;
  query_params?: Record<string, unknown>;
  query_id?: string;
  /** insert / exec: the body after the statement (already a string on the way). */
  values?: string;
}

export type RelayAnswer =
  | { ok: true; query_id: string; body: string | null; summary: Record<string, string> | null }
  | { ok: false; error: { message: string; code: string | null; type: string | null } };

export const RELAY_OPERATIONS = ['query', 'exec', 'command', 'insert', 'ping'] as const;
export type RelayOperation = (typeof RELAY_OPERATIONS)[number];

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return out;
}

export class ChdbRelay {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly server: http.Server,
    private readonly connection: ChdbConnection,
    readonly url: string,
  ) {}

  /** Starts a relay for the chdb behind `warehouse` (a ClickHouseWarehouse from openChdbWarehouse). */
  static async start(warehouse: ClickHouseWarehouse): Promise<ChdbRelay> {
    const [row] = await warehouse.query<{ value: string }>("SELECT value FROM system.server_settings WHERE name = 'path'");
    if (!row?.value) throw new Error('The chdb behind this warehouse did not say its data folder (system.server_settings path).');
    const chdb = (await import('chdb/connection')) as typeof ChdbConnectionModule;
    const connection = chdb.createChdbConnection({ path: row.value });
    let relay: ChdbRelay | null = null;
    const server = http.createServer((req, res) => {
      void relay!.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    relay = new ChdbRelay(server, connection, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return relay;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.queue.catch(() => undefined);
    await this.connection.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const op = (req.url ?? '').replace(/^\//, '') as RelayOperation;
    let body = '';
    req.setEncoding('utf8');
    for await (const chunk of req) body += chunk as string;
    let answer: RelayAnswer;
    if (req.method !== 'POST' || !RELAY_OPERATIONS.includes(op)) {
      answer = { ok: false, error: { message: `The chdb relay answers POST /${RELAY_OPERATIONS.join('|/')}, not ${req.method} ${req.url}.`, code: null, type: null } };
    } else {
      const request = JSON.parse(body) as RelayRequest;
      // One statement at a time: the relay's session is one dbt connection.
      const run = this.queue.then(() => this.call(op, request));
      this.queue = run.catch(() => undefined);
      answer = await run;
    }
    const out = JSON.stringify(answer);
    // A killed child leaves nobody to read the answer.
    res.on('error', () => undefined);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out), connection: 'close' });
    res.end(out);
  }

  private async call(op: RelayOperation, r: RelayRequest): Promise<RelayAnswer> {
    try {
      return await this.callOnce(op, r);
    } finally {
      for (const name of Object.keys(r.clickhouse_settings ?? {})) {
        // Settings of the HTTP layer that chdb drops (wait_end_of_query, ...) are not settings of the engine.
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) await this.connection.command({ query: `SET ${name} = DEFAULT` }).catch(() => undefined);
      }
    }
  }

  private async callOnce(op: RelayOperation, r: RelayRequest): Promise<RelayAnswer> {
    const c = this.connection;
    const base: BaseParams = { query: r.query, clickhouse_settings: r.clickhouse_settings as BaseParams['clickhouse_settings'], query_params: r.query_params, query_id: r.query_id };
    try {
      switch (op) {
        case 'query': {
          const q = await c.query(base);
          return { ok: true, query_id: q.query_id, body: await text(q.stream), summary: null };
        }
        case 'exec': {
          const e = await c.exec({ ...base, ...(r.values !== undefined ? { values: Readable.from([r.values]) } : {}) });
          return { ok: true, query_id: e.query_id, body: await text(e.stream), summary: { ...e.summary } };
        }
        case 'command': {
          const m = await c.command(base);
          return { ok: true, query_id: m.query_id, body: null, summary: { ...m.summary } };
        }
        case 'insert': {
          const i = await c.insert({ ...base, values: r.values ?? '' });
          return { ok: true, query_id: i.query_id, body: null, summary: { ...i.summary } };
        }
        case 'ping': {
          const p = await c.ping({ select: true });
          if (p.success) return { ok: true, query_id: '', body: null, summary: null };
          throw p.error;
        }
      }
    } catch (err) {
      const e = err as { message?: unknown; code?: unknown; type?: unknown };
      return {
        ok: false,
        error: {
          message: typeof e?.message === 'string' ? e.message : String(err),
          code: typeof e?.code === 'string' || typeof e?.code === 'number' ? String(e.code) : null,
          type: typeof e?.type === 'string' ? e.type : null,
        },
      };
    }
  }
}
