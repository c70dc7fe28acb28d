/**
 * TEST ONLY, never shipped: a small HTTP server speaking the part of Snowflake's REST protocol that the real
 * `snowflake-sdk` uses (point it here with `accessUrl: 'http://127.0.0.1:PORT'`), answering the SQL with DuckDB.
 *
 * - `POST /session/v1/login-request`: checks LOGIN_NAME/PASSWORD against the users given; 390100 otherwise.
 * - `POST /queries/v1/query-request`: runs `sqlText` (bindings as `?`) on DuckDB, answers `rowtype`/`rowset` JSON.
 * - `POST /telemetry/send`, `POST /session?delete=true` (logout), `POST /queries/v1/abort-request`.
 *
 * The little Snowflake the product writes is translated: `CREATE OR REPLACE [TRANSIENT] TABLE a CLONE b` becomes a
 * copy, and each table's transient flag is remembered so that cloning a transient table into a permanent one
 * fails with Snowflake's "Transient object cannot be cloned to a permanent object" (the error code is a stand-in).
 * `CREATE DATABASE X` attaches an in-memory DuckDB catalog; `CURRENT_VERSION()` answers a fixed version; unquoted
 * result column names come back in upper case, as Snowflake folds them.
 *
 * `dropConnectionOnNextQuery()` makes the next query-request kill every open socket and stop listening (a dead
 * network); `resume()` listens again on the same port, so the SDK's retry loop can finish.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { Secret, type SnowflakeTarget } from '../../src/core/profiles';

export const TEST_SNOWFLAKE_VERSION = '9.40.0-test';

interface Session {
  token: string;
  user: string;
  connection: DuckDBConnection;
  database: string | null;
  schema: string | null;
}

interface QueryResult {
  rowtype: Array<{ name: string; type: string; scale: number; precision: number; length: number | null; nullable: boolean; byteLength: number | null }>;
  rowset: Array<Array<string | null>>;
}

class SnowflakeSqlError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

// A name of one to three dotted parts, each "quoted" or bare.
const PART = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const NAME = String.raw`${PART}(?:\s*\.\s*${PART}){0,2}`;
const CLONE = new RegExp(String.raw`^\s*CREATE\s+(OR\s+REPLACE\s+)?(TRANSIENT\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(${NAME})\s+CLONE\s+(${NAME})\s*;?\s*$`, 'i');
const CREATE_TABLE = new RegExp(String.raw`^(\s*CREATE\s+(?:OR\s+REPLACE\s+)?)(TRANSIENT\s+)?(TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)(${NAME})`, 'i');
const DROP_TABLE = new RegExp(String.raw`^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(${NAME})`, 'i');
const CREATE_DATABASE = new RegExp(String.raw`^\s*CREATE\s+(OR\s+REPLACE\s+)?DATABASE\s+(IF\s+NOT\s+EXISTS\s+)?(${PART})\s*;?\s*$`, 'i');

function splitName(name: string): string[] {
  const parts: string[] = [];
  const re = new RegExp(PART, 'g');
  for (const m of name.matchAll(re)) {
    const p = m[0];
    parts.push(p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toUpperCase());
  }
  return parts;
}

const INFO_SCHEMA = new RegExp(String.raw`(?:(${PART})\s*\.\s*)?information_schema\s*\.\s*(columns|tables|views)\b`, 'gi');

/**
 * Snowflake has one information_schema per database (`DB.information_schema.columns`, or the session's database's
 * when unqualified); DuckDB has one over every catalog. Each reference becomes DuckDB's, filtered to that database.
 */
function infoSchemaOfDatabase(sql: string, sessionDatabase: string | null): string {
  return sql.replace(INFO_SCHEMA, (_m, db: string | undefined, view: string) => {
    const name = db ? splitName(db)[0]! : sessionDatabase;
    const where = name ? ` WHERE table_catalog = '${name.replace(/'/g, "''")}'` : '';
    return `(SELECT * FROM information_schema.${view.toLowerCase()}${where})`;
  });
}

export class SnowflakeTestServer {
  readonly queries: string[] = [];
  logins = 0;
  logouts = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly transient = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private dropNext = false;
  private server: http.Server;

  private constructor(
    private readonly duck: DuckDBInstance,
    private readonly users: Readonly<Record<string, string>>,
    readonly port: number,
    server: http.Server,
  ) {
    this.server = server;
  }

  /** Starts on a free loopback port with the given users (name to password) and databases (DuckDB catalogs). */
  static async start(options: { users: Record<string, string>; databases?: string[] }): Promise<SnowflakeTestServer> {
    const duck = await DuckDBInstance.create(':memory:');
    const setup = await duck.connect();
    for (const db of options.databases ?? []) await setup.run(`ATTACH ':memory:' AS "${db.toUpperCase()}"`);
    setup.closeSync();
    const holder: { self?: SnowflakeTestServer } = {};
    const server = http.createServer((req, res) => void holder.self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new SnowflakeTestServer(duck, options.users, (server.address() as AddressInfo).port, server);
    holder.self = self;
    self.track(server);
    return self;
  }

  get accessUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  isTransient(name: string, session?: { database: string | null; schema: string | null }): boolean {
    return this.transient.has(this.key(name, session ?? { database: null, schema: null }));
  }

  /** The next query-request drops every connection and the server stops listening (a dead network). */
  dropConnectionOnNextQuery(): void {
    this.dropNext = true;
  }

  /** Listens again on the same port after a drop. */
  async resume(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.track(server);
  }

  /** Runs SQL directly on the DuckDB behind the server (seeding, checking). */
  async duckdb<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const c = await this.duck.connect();
    try {
      return (await c.runAndReadAll(sql)).getRowObjectsJson() as T[];
    } finally {
      c.closeSync();
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions.values()) s.connection.closeSync();
    this.sessions.clear();
    this.duck.closeSync();
  }

  // ---- protocol ----

  private track(server: http.Server): void {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  private async body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
    return buf.length ? (JSON.parse(buf.toString('utf8')) as Record<string, unknown>) : {};
  }

  private send(res: http.ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      const body = await this.body(req);
      if (req.method === 'POST' && url.pathname === '/session/v1/login-request') return await this.login(url, body, res);
      if (req.method === 'POST' && url.pathname === '/queries/v1/query-request') return await this.query(req, body, res);
      if (req.method === 'POST' && url.pathname === '/telemetry/send') return this.send(res, { success: true, data: 'Log Received', code: null, message: null });
      if (req.method === 'POST' && url.pathname === '/session' && url.searchParams.get('delete') === 'true') {
        const s = this.session(req);
        if (s) {
          this.sessions.delete(s.token);
          s.connection.closeSync();
        }
        this.logouts++;
        return this.send(res, { success: true, data: null, code: null, message: null });
      }
      if (req.method === 'POST' && /\/abort-request$/.test(url.pathname)) return this.send(res, { success: true, data: null, code: null, message: null });
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  }

  private session(req: http.IncomingMessage): Session | undefined {
    const m = /Token="([^"]+)"/.exec(req.headers.authorization ?? '');
    return m ? this.sessions.get(m[1]!) : undefined;
  }

  private async login(url: URL, body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const data = (body.data ?? {}) as Record<string, unknown>;
    const user = typeof data.LOGIN_NAME === 'string' ? data.LOGIN_NAME : '';
    if (!(user in this.users) || this.users[user] !== data.PASSWORD) {
      return this.send(res, {
        data: { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD', loginName: user },
        code: '390100',
        message: 'Incorrect username or password was specified.',
        success: false,
      });
    }
    this.logins++;
    const token = `token-${randomUUID()}`;
    const database = url.searchParams.get('databaseName');
    const schema = url.searchParams.get('schemaName');
    const connection = await this.duck.connect();
    const session: Session = { token, user, connection, database: database?.toUpperCase() ?? null, schema: schema?.toUpperCase() ?? null };
    this.sessions.set(token, session);
    if (session.database) {
      await connection.run(`CREATE SCHEMA IF NOT EXISTS "${session.database}"."${session.schema ?? 'PUBLIC'}"`);
      await connection.run(`USE "${session.database}"."${session.schema ?? 'PUBLIC'}"`);
    }
    this.send(res, {
      data: {
        token,
        masterToken: `master-${token}`,
        validityInSeconds: 3600,
        masterValidityInSeconds: 14400,
        sessionId: this.logins,
        parameters: [{ name: 'CLIENT_SESSION_KEEP_ALIVE', value: false }],
        sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: url.searchParams.get('warehouse'), roleName: url.searchParams.get('roleName') },
      },
      code: null,
      message: null,
      success: true,
    });
  }

  private async query(req: http.IncomingMessage, body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    if (this.dropNext) {
      this.dropNext = false;
      this.server.close();
      for (const s of this.sockets) s.destroy();
      return;
    }
    const session = this.session(req);
    const queryId = randomUUID();
    if (!session) {
      return this.send(res, { data: { queryId }, code: '390111', message: 'Session no longer exists.  New login required to access the service.', success: false });
    }
    const sql = typeof body.sqlText === 'string' ? body.sqlText : '';
    this.queries.push(sql);
    const bindings = (body.bindings ?? {}) as Record<string, { type: string; value: string | null }>;
    const values: DuckDBValue[] = Object.keys(bindings)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => {
        const b = bindings[k]!;
        if (b.value === null) return null;
        if (b.type === 'FIXED') return BigInt(b.value);
        if (b.type === 'REAL') return Number(b.value);
        if (b.type === 'BOOLEAN') return b.value === 'true' || b.value === '1';
        return b.value;
      });
    try {
      const result = await this.run(session, sql, values);
      this.send(res, {
        data: {
          parameters: [
            { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
            { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
            { name: 'TIMEZONE', value: 'UTC' },
          ],
          rowtype: result.rowtype,
          rowset: result.rowset,
          total: result.rowset.length,
          returned: result.rowset.length,
          queryId,
          queryResultFormat: 'json',
          finalDatabaseName: session.database,
          finalSchemaName: session.schema,
          version: 1,
        },
        code: null,
        message: null,
        success: true,
      });
    } catch (err) {
      const e = err instanceof SnowflakeSqlError ? err : new SnowflakeSqlError(/Catalog Error/.test(String(err)) ? '002003' : '001003', '42000', `SQL compilation error:\n${(err as Error).message.split('\n')[0]}`);
      this.send(res, { data: { queryId, errorCode: e.code, sqlState: e.sqlState }, code: e.code, message: e.message, success: false });
    }
  }

  // ---- SQL ----

  private key(name: string, session: { database: string | null; schema: string | null }): string {
    const parts = splitName(name);
    const full = parts.length === 3 ? parts : parts.length === 2 ? [session.database ?? 'MEMORY', ...parts] : [session.database ?? 'MEMORY', session.schema ?? 'PUBLIC', ...parts];
    return full.join('.');
  }

  private async run(session: Session, sql: string, values: DuckDBValue[]): Promise<QueryResult> {
    const status = (text: string): QueryResult => ({
      rowtype: [{ name: 'status', type: 'text', scale: 0, precision: 0, length: 16777216, nullable: true, byteLength: 16777216 }],
      rowset: [[text]],
    });
    if (/^\s*SELECT\s+CURRENT_VERSION\s*\(\s*\)/i.test(sql)) {
      sql = sql.replace(/CURRENT_VERSION\s*\(\s*\)/i, `'${TEST_SNOWFLAKE_VERSION}'`);
    }
    const db = CREATE_DATABASE.exec(sql);
    if (db) {
      const name = splitName(db[3]!)[0]!;
      const exists = (await this.select(session.connection, `SELECT count(*) AS n FROM duckdb_databases() WHERE database_name = '${name.replace(/'/g, "''")}'`, [])).rowset[0]![0] !== '0';
      if (!exists) await session.connection.run(`ATTACH ':memory:' AS "${name.replace(/"/g, '""')}"`);
      return status(`Database ${name} successfully created.`);
    }
    const clone = CLONE.exec(sql);
    if (clone) {
      const [, orReplace, transientKw, , target, source] = clone;
      const srcKey = this.key(source!, session);
      const dstKey = this.key(target!, session);
      if (this.transient.has(srcKey) && !transientKw) {
        throw new SnowflakeSqlError('002046', '0A000', 'SQL compilation error:\nTransient object cannot be cloned to a permanent object.');
      }
      await session.connection.run(`CREATE ${orReplace ? 'OR REPLACE ' : ''}TABLE ${target} AS SELECT * FROM ${source}`);
      if (transientKw) this.transient.add(dstKey);
      else this.transient.delete(dstKey);
      return status(`Table ${splitName(target!).at(-1)} successfully created.`);
    }
    const create = CREATE_TABLE.exec(sql);
    if (create) {
      const dstKey = this.key(create[4]!, session);
      await session.connection.run(sql.replace(CREATE_TABLE, '$1$3$4'), values.length ? values : undefined);
      if (create[2]) this.transient.add(dstKey);
      else this.transient.delete(dstKey);
      return status(`Table ${splitName(create[4]!).at(-1)} successfully created.`);
    }
    const drop = DROP_TABLE.exec(sql);
    if (drop) this.transient.delete(this.key(drop[1]!, session));
    return this.select(session.connection, infoSchemaOfDatabase(sql, session.database), values);
  }

  private async select(c: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<QueryResult> {
    const reader = await c.runAndReadAll(sql, values.length ? values : undefined);
    const quoted = new Set([...sql.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => m[1]!.replace(/""/g, '"')));
    const names = reader.columnNames().map((n) => (quoted.has(n) ? n : n.toUpperCase()));
    const types = reader.columnTypes().map((t) => String(t));
    const rowtype = types.map((t, i) => {
      const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
      const type = dec || /INT/.test(t) ? 'fixed' : /DOUBLE|FLOAT|REAL/.test(t) ? 'real' : t === 'BOOLEAN' ? 'boolean' : t === 'DATE' ? 'date' : /^TIMESTAMP/.test(t) ? 'timestamp_ntz' : 'text';
      return {
        name: names[i]!,
        type,
        scale: dec ? Number(dec[2]) : type === 'timestamp_ntz' ? 9 : 0,
        precision: dec ? Number(dec[1]) : type === 'fixed' ? 38 : 0,
        length: type === 'text' ? 16777216 : null,
        nullable: true,
        byteLength: type === 'text' ? 16777216 : null,
      };
    });
    const rows = reader.getRowsJson();
    const rowset = rows.map((row) =>
      row.map((v, i): string | null => {
        if (v === null || v === undefined) return null;
        const type = rowtype[i]!.type;
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        if (type === 'date') return String(Date.parse(`${text}T00:00:00Z`) / 86_400_000);
        if (type === 'timestamp_ntz') return (Date.parse(`${text.replace(' ', 'T')}Z`) / 1000).toFixed(9);
        if (type === 'boolean') return v ? '1' : '0';
        return text;
      }),
    );
    return { rowtype, rowset };
  }
}

/** The profiles.yml target of user alice (database DEV, schema DEV_ALICE) on a test server, with `password`. */
export function aliceTarget(server: SnowflakeTestServer, password: string): SnowflakeTarget {
  return {
    type: 'snowflake',
    origin: { file: '/home/alice/.dbt/profiles.yml', profile: 'artemis', target: 'dev' },
    account: 'xy12345',
    user: 'alice',
    password: new Secret(password),
    authenticator: 'snowflake',
    privateKeyPath: null,
    privateKeyPassphrase: null,
    token: null,
    role: 'TRANSFORMER',
    warehouse: 'ANALYTICS_XS',
    database: 'DEV',
    schema: 'DEV_ALICE',
    accessUrl: server.accessUrl,
    connectRetries: 0,
    connectTimeoutSeconds: null,
    queryTag: null,
  };
}
