/**
 * TEST CODE: the child-process side of ChdbRelay (chdbRelay.ts). `openRelayWarehouse(url)` is a ClickHouseWarehouse
 * (the product's adapter, unchanged) over a `@clickhouse/client` whose Connection forwards each call to the relay in
 * the test process, where it runs on the test's embedded ClickHouse (chdb). Errors come back as the client's own
 * ClickHouseError (code, type, message), as from chdb in-process. One request per call, no keep-alive: a process
 * that used it exits as soon as its work is done.
 */
import * as http from 'node:http';
import { Readable } from 'node:stream';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';
import type { RelayAnswer, RelayOperation, RelayRequest } from './chdbRelay';

interface CallParams {
  query: string;
  clickhouse_settings?: Record<string, unknown>;
  query_params?: Record<string, unknown>;
  query_id?: string;
  values?: unknown;
}

async function bodyText(values: unknown): Promise<string | undefined> {
  if (values === undefined) return undefined;
  if (typeof values === 'string') return values;
  let out = '';
  for await (const chunk of values as AsyncIterable<unknown>) out += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return out;
}

function post(url: string, op: RelayOperation, request: RelayRequest): Promise<RelayAnswer> {
  const payload = JSON.stringify(request);
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/${op}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as RelayAnswer);
        } catch (err) {
          reject(new Error(`The chdb relay at ${url} answered ${res.statusCode} with no JSON: ${text.slice(0, 200)}`, { cause: err }));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The Connection contract of `@clickhouse/client`, forwarded to the relay. */
class RelayConnection {
  constructor(private readonly url: string) {}

  private async call(op: RelayOperation, p: CallParams): Promise<Extract<RelayAnswer, { ok: true }>> {
    const answer = await post(this.url, op, {
      query: p.query,
      clickhouse_settings: p.clickhouse_settings,
      query_params: p.query_params,
      query_id: p.query_id,
      values: await bodyText(p.values),
    });
    if (!answer.ok) {
      throw new ClickHouseError({ message: answer.error.message, code: answer.error.code ?? '', type: answer.error.type ?? undefined });
    }
    return answer;
  }

  private static base(query_id: string) {
    return { query_id, response_headers: {}, http_status_code: 200 };
  }

  async query(p: CallParams) {
    const a = await this.call('query', p);
    return { stream: Readable.from([Buffer.from(a.body ?? '', 'utf8')]), ...RelayConnection.base(a.query_id) };
  }

  async exec(p: CallParams) {
    const a = await this.call('exec', p);
    return { stream: Readable.from([Buffer.from(a.body ?? '', 'utf8')]), summary: a.summary ?? undefined, ...RelayConnection.base(a.query_id) };
  }

  async command(p: CallParams) {
    const a = await this.call('command', p);
    return { summary: a.summary ?? undefined, ...RelayConnection.base(a.query_id) };
  }

  async insert(p: CallParams) {
    const a = await this.call('insert', p);
    return { summary: a.summary ?? undefined, ...RelayConnection.base(a.query_id) };
  }

  async ping() {
    try {
      await this.call('ping', { query: 'SELECT 1' });
      return { success: true as const };
    } catch (err) {
      return { success: false as const, error: err as Error };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A ClickHouseWarehouse on the chdb that a ChdbRelay at `url` serves. */
export function openRelayWarehouse(url: string, database = 'default'): ClickHouseWarehouse {
  const client = createClient({
    // The client's Connection type comes from its bundled @clickhouse/client-common: the relay has its shapes.
    connection: new RelayConnection(url) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new ClickHouseWarehouse(client, { description: `embedded ClickHouse (chdb) through the test relay at ${url}`, database, endpoint: null, user: 'default', secrets: [] });
}
