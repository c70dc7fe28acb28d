import * as net from 'node:net';
import type * as SnowflakeSdk from 'snowflake-sdk';
import type { Bind, Connection, RowStatement, SnowflakeError } from 'snowflake-sdk';
import { describe as describeTarget, type SnowflakeTarget } from '../profiles/warehouseTarget';
import type { Secret } from '../profiles/secret';
import { bindPlaceholders } from './placeholders';
import { loadDriver } from './loadDriver';
import { snowflakeDialect } from './sqlDialect';
import { SqlDate, type SqlParam, type SqlParams } from './sqlValue';
import type { Capabilities, Row, StatementOptions, Warehouse } from './warehouse';
import { WarehouseError } from './warehouseError';

export type TableKind = 'transient' | 'permanent';

/** `CREATE OR REPLACE [TRANSIENT] TABLE target CLONE source` (relations already quoted, e.g. from relation()). */
export function cloneTableSql(target: string, source: string, kind: TableKind): string {
  return `CREATE OR REPLACE ${kind === 'transient' ? 'TRANSIENT ' : ''}TABLE ${target} CLONE ${source}`;
}

export interface CloneResult {
  /** The statement that succeeded. */
  statement: string;
  kind: TableKind;
  /** The first kind was refused for a transient/permanent mismatch and the other kind was used. */
  fellBack: boolean;
  /** The refusal that caused the fallback. */
  refusal: string | null;
}

export interface SnowflakeConnectOptions {
  /** How often, while a statement runs, to check that the endpoint still accepts connections. */
  probeIntervalMs?: number;
  /** Consecutive failed checks after which the statement fails as a dropped connection. */
  failedProbes?: number;
  /** Login retries on network errors (the profile's connect_retries, else 1). */
  loginRetries?: number;
}

/** Snowflake folds unquoted names to upper case; rows use lower case for those so `AS n` reads `row.n` everywhere. */
function normalizeKey(k: string): string {
  return k === k.toUpperCase() && k !== k.toLowerCase() ? k.toLowerCase() : k;
}

const LOGIN_CODES = new Set(['390100', '390101', '390102', '390103', '390144', '390318', '394300']);
const SESSION_GONE = new Set(['390111', '390112', '390114']);
const NETWORK_CODES = new Set(['401001', '402001']);
const MISMATCH = /cannot be cloned to a (permanent|transient) object/i;

function endpointOf(t: SnowflakeTarget): { host: string; port: number; label: string } {
  if (t.accessUrl) {
    const u = new URL(t.accessUrl);
    return { host: u.hostname, port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)), label: t.accessUrl };
  }
  const host = `${t.account}.snowflakecomputing.com`;
  return { host, port: 443, label: `https://${host}` };
}

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Snowflake through `snowflake-sdk`. Parameters are bound (`?`). The SDK retries a dropped connection for hours;
 * while a statement runs this adapter checks that the endpoint still accepts TCP connections and fails with a
 * `connection` WarehouseError when it repeatedly does not.
 */
export class SnowflakeWarehouse implements Warehouse {
  readonly engine = 'snowflake' as const;
  readonly description: string;
  private caps: Promise<Capabilities> | null = null;
  private closed = false;

  private constructor(
    private readonly conn: Connection,
    private readonly target: SnowflakeTarget,
    private readonly endpoint: { host: string; port: number; label: string },
    private readonly probeIntervalMs: number,
    private readonly failedProbes: number,
  ) {
    this.description = describeTarget(target);
  }

  static async connect(target: SnowflakeTarget, options: SnowflakeConnectOptions = {}): Promise<SnowflakeWarehouse> {
    // Loaded here, not at the top: the SDK is large and only Snowflake projects need it.
    const sdk = loadDriver<typeof SnowflakeSdk>('snowflake-sdk');
    const snowflake = (sdk as unknown as { default?: typeof sdk }).default ?? sdk;
    snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false });
    const endpoint = endpointOf(target);
    const conn = snowflake.createConnection({
      account: target.account,
      username: target.user,
      ...(target.password ? { password: target.password.reveal() } : {}),
      authenticator: target.authenticator.toUpperCase(),
      ...(target.token ? { token: target.token.reveal() } : {}),
      ...(target.privateKeyPath ? { privateKeyPath: target.privateKeyPath } : {}),
      ...(target.privateKeyPassphrase ? { privateKeyPass: target.privateKeyPassphrase.reveal() } : {}),
      ...(target.role ? { role: target.role } : {}),
      ...(target.warehouse ? { warehouse: target.warehouse } : {}),
      database: target.database,
      schema: target.schema,
      ...(target.accessUrl ? { accessUrl: target.accessUrl } : {}),
      application: 'dbt-recovery',
      clientSessionKeepAlive: false,
      sfRetryMaxLoginRetries: options.loginRetries ?? target.connectRetries ?? 1,
    });
    const w = new SnowflakeWarehouse(conn, target, endpoint, options.probeIntervalMs ?? 2000, options.failedProbes ?? 2);
    // connect(callback), not connectAsync(): in snowflake-sdk 3.x connectAsync() resolves even when the login is
    // refused, and reports the refusal only to a callback.
    const err = await new Promise<unknown>((resolve) => {
      try {
        conn.connect((e) => resolve(e ?? null));
      } catch (e) {
        resolve(e);
      }
    });
    if (err) throw w.mapError(err, undefined, 'login');
    return w;
  }

  quoteIdent(name: string): string {
    return snowflakeDialect.quoteIdent(name);
  }

  quoteLiteral(value: SqlParam): string {
    return snowflakeDialect.quoteLiteral(value);
  }

  relation(database: string | null | undefined, schema: string, name: string): string {
    return snowflakeDialect.relation(database, schema, name);
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<T[]> {
    const rows = await this.execute(sql, params, options);
    return rows.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) out[normalizeKey(k)] = v;
      return out as T;
    });
  }

  async exec(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<void> {
    await this.execute(sql, params, options);
  }

  /**
   * Clones `source` into `target` (quoted relations), as the kind asked first (`transient` by default, as dbt's
   * tables usually are); when Snowflake refuses the kind ("Transient object cannot be cloned to a permanent
   * object"), clones as the other kind and says so in the result.
   */
  async cloneTable(target: string, source: string, opts: { prefer?: TableKind } = {}): Promise<CloneResult> {
    const first = opts.prefer ?? 'transient';
    const firstSql = cloneTableSql(target, source, first);
    try {
      await this.exec(firstSql);
      return { statement: firstSql, kind: first, fellBack: false, refusal: null };
    } catch (err) {
      if (!(err instanceof WarehouseError) || !MISMATCH.test(err.problem)) throw err;
      const other: TableKind = first === 'transient' ? 'permanent' : 'transient';
      const otherSql = cloneTableSql(target, source, other);
      await this.exec(otherSql);
      return { statement: otherSql, kind: other, fellBack: true, refusal: err.problem };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.conn.isUp()) return;
    await new Promise<void>((resolve) => this.conn.destroy(() => resolve()));
  }

  capabilities(): Promise<Capabilities> {
    this.caps ??= (async () => {
      const [v] = await this.query<{ v: string }>('SELECT CURRENT_VERSION() AS v');
      return {
        engine: 'snowflake',
        version: String(v?.v ?? 'unknown'),
        windowFunctions: true,
        queryParameters: true,
        cteSubqueries: true,
        killMutation: false,
        exchangeTables: false,
        optimizeThrowIfNoop: false,
        mutationsSync: false,
        mutationFailReason: false,
        joinAlgorithm: false,
        zeroCopyClone: true,
      } satisfies Capabilities;
    })();
    return this.caps;
  }

  // ---- internals ----

  private secrets(): Array<Secret | null> {
    return [this.target.password, this.target.privateKeyPassphrase, this.target.token];
  }

  private execute(sql: string, params: SqlParams | undefined, options: StatementOptions): Promise<Row[]> {
    if (this.closed) {
      return Promise.reject(new WarehouseError({ kind: 'connection', engine: 'snowflake', problem: 'This Snowflake connection is closed.', remedy: 'Open a new one.' }));
    }
    const binds: Bind[] = [];
    let text: string;
    try {
      text = bindPlaceholders(sql, params, 'snowflake', (_name, value) => {
        if (value instanceof SqlDate) {
          binds.push(value.iso);
          return 'CAST(? AS DATE)';
        }
        binds.push(typeof value === 'bigint' ? value.toString() : value);
        return '?';
      });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<Row[]>((resolve, reject) => {
      let settled = false;
      let statement: RowStatement | null = null;
      let failures = 0;
      let probing = false;
      const finish = (err: WarehouseError | null, rows?: Row[]): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        if (timer) clearTimeout(timer);
        if (err) {
          // A slow statement is cancelled on the server. After a dropped connection a cancel would only join the
          // SDK's own retries (which go on in the background, up to the SDK's limits, and end once the endpoint
          // answers again), so none is sent.
          if (err.kind === 'timeout') statement?.cancel(() => undefined);
          reject(err);
        } else resolve(rows ?? []);
      };
      const watchdog = setInterval(() => {
        if (probing) return;
        probing = true;
        void reachable(this.endpoint.host, this.endpoint.port, this.probeIntervalMs).then((ok) => {
          probing = false;
          failures = ok ? 0 : failures + 1;
          if (failures >= this.failedProbes) {
            finish(
              new WarehouseError({
                kind: 'connection',
                engine: 'snowflake',
                problem: `The connection to Snowflake at ${this.endpoint.label} was dropped while the statement ran, and the endpoint has refused new connections since.`,
                remedy: 'Check the network (VPN, proxy) and run again; check whether the statement took effect first if it changes data.',
                sql: text,
                secrets: this.secrets(),
              }),
            );
          }
        });
      }, this.probeIntervalMs);
      const timer = options.timeoutMs
        ? setTimeout(
            () =>
              finish(
                new WarehouseError({
                  kind: 'timeout',
                  engine: 'snowflake',
                  problem: `Snowflake did not finish the statement within ${options.timeoutMs} ms; it was cancelled.`,
                  remedy: 'Raise the timeout, or use a larger warehouse for this step.',
                  sql: text,
                  secrets: this.secrets(),
                }),
              ),
            options.timeoutMs,
          )
        : null;
      try {
        statement = this.conn.execute({
          sqlText: text,
          ...(binds.length ? { binds } : {}),
          ...(options.settings ? { parameters: { ...options.settings } } : {}),
          fetchAsString: ['Date'],
          complete: (err, _stmt, rows) => {
            if (err) finish(this.mapError(err, text, 'query'));
            else finish(null, (rows ?? []) as Row[]);
          },
        });
      } catch (err) {
        finish(this.mapError(err, text, 'query'));
      }
    });
  }

  mapError(err: unknown, sql: string | undefined, phase: 'login' | 'query'): WarehouseError {
    if (err instanceof WarehouseError) return err;
    const e = err as SnowflakeError;
    const code = e?.code === undefined ? undefined : String(e.code);
    const msg = e instanceof Error ? e.message : String(err);
    const secrets = this.secrets();
    const who = `${this.target.user} at ${this.endpoint.label}`;
    if (code && LOGIN_CODES.has(code)) {
      return new WarehouseError({
        kind: 'login',
        engine: 'snowflake',
        code,
        problem: `Snowflake refused the login of ${who}: ${msg}`,
        remedy: `Check user, password (or authenticator) and account in ${this.target.origin.file} (profile ${this.target.origin.profile}, target ${this.target.origin.target}) and the environment variables they read.`,
        secrets,
        cause: err,
      });
    }
    if ((code && NETWORK_CODES.has(code)) || /ECONNREFUSED|ENOTFOUND|ECONNRESET|socket hang up|Network error/i.test(msg)) {
      return new WarehouseError({
        kind: 'connection',
        engine: 'snowflake',
        code,
        problem: phase === 'login' ? `Cannot reach Snowflake at ${this.endpoint.label} to log in as ${this.target.user} (${msg}).` : `The connection to Snowflake at ${this.endpoint.label} was dropped (${msg}).`,
        remedy: 'Check the account name (or host/port in profiles.yml), the network, VPN or proxy.',
        sql,
        secrets,
        cause: err,
      });
    }
    if (code && SESSION_GONE.has(code)) {
      return new WarehouseError({ kind: 'connection', engine: 'snowflake', code, problem: `The Snowflake session ended: ${msg}`, remedy: 'Connect again.', sql, secrets, cause: err });
    }
    return new WarehouseError({
      kind: 'query',
      engine: 'snowflake',
      code,
      problem: `Snowflake error${code ? ` ${code}` : ''}: ${msg}`,
      remedy: '',
      sql,
      secrets,
      cause: err,
    });
  }
}
