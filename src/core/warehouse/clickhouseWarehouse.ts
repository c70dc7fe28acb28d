import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { describe as describeTarget, type ClickHouseTarget } from '../profiles/warehouseTarget';
import type { Secret } from '../profiles/secret';
import {
  activePartitionsSql,
  dataPathSql,
  killMutationSql,
  optimizePartitionSql,
  pendingMutationsSql,
  statementText,
  tableInfoSql,
  type ClickHouseStatement,
  type PartitionSpec,
} from './clickhouseSql';
import { bindPlaceholders } from './placeholders';
import { clickhouseDialect } from './sqlDialect';
import { SqlDate, type SqlParam, type SqlParams } from './sqlValue';
import type { Capabilities, Row, StatementOptions, Warehouse } from './warehouse';
import { WarehouseError } from './warehouseError';

export interface ClickHouseConnectionInfo {
  /** Where it is connected, without credentials. */
  description: string;
  /** The database unqualified names resolve in (dbt's `schema`); capability probes use it. */
  database: string;
  /** `http://host:port`, or null for an embedded engine (chdb). */
  endpoint: string | null;
  user: string;
  secrets: ReadonlyArray<Secret | null>;
  /** Extra words for "nothing answers" (the profile's native port, say). */
  connectHint?: string;
}

export interface ActivePartition {
  partition: string;
  partitionId: string;
  parts: number;
  rows: number;
}

export interface PendingMutation {
  database: string;
  table: string;
  mutationId: string;
  command: string;
  createTime: string;
  partsToDo: number;
  /** Null where the server does not record it (18.16). */
  latestFailReason: string | null;
}

export interface OptimizeResult {
  statement: ClickHouseStatement;
  partition: ActivePartition;
}

/** What `optimizePartition` gives with `emptyMonth: 'skip'` for a well-formed month that has no rows in the table. */
export interface EmptyMonthResult {
  statement: null;
  partition: null;
  /** The month, YYYY-MM. */
  emptyMonth: string;
}

export interface OptimizePartitionOptions {
  final?: boolean;
  deduplicate?: boolean;
  /**
   * A partition literal that matches no active partition but is exactly the month the table's key would make (key
   * `toStartOfMonth(...)` and `'2026-04-01'`, key `toYYYYMM(...)` and `202604`): `'error'` (the default) refuses it
   * like any other literal; `'skip'` sends nothing and answers EmptyMonthResult (a sparse table with no rows that
   * month has nothing to deduplicate). Any other literal is an error either way.
   */
  emptyMonth?: 'error' | 'skip';
}

const AUTH_CODES = new Set(['192', '193', '194', '516']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof e?.code === 'string' || typeof e?.code === 'number') return String(e.code);
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  // The client parses `Code: 388. DB::Exception` (19.x on) but not 18.16's `Code: 388, e.displayText() = ...`.
  const m = typeof e?.message === 'string' ? /^Code: (\d+)[.,]/.exec(e.message) : null;
  return m ? m[1] : undefined;
}

/** The part of a ClickHouse exception worth reading: no stack trace, no `e.what()` echo. */
function serverMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw
    .replace(/^Code: \d+\.?,?\s*/, '')
    .replace(/^e\.displayText\(\) = /, '')
    .replace(/,? e\.what\(\) = DB::Exception\s*$/, '')
    .replace(/\s*\(version [^)]*\)\s*$/, '')
    .replace(/\s*Stack trace[\s\S]*$/, '')
    .trim();
}

/**
 * ClickHouse through `@clickhouse/client`: a real server over HTTP (18.16 up), or embedded chdb through the same
 * client (`createClient({ connection: createChdbConnection({ path }) })`), so one adapter runs both. Rows come from
 * JSONEachRow: (U)Int64 and larger as strings, Date as `YYYY-MM-DD`, smaller numbers as numbers.
 */
export class ClickHouseWarehouse implements Warehouse {
  readonly engine = 'clickhouse' as const;
  readonly description: string;
  private caps: Promise<Capabilities> | null = null;
  private closed = false;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly info: ClickHouseConnectionInfo,
  ) {
    this.description = info.description;
  }

  /** A client for a profiles.yml target. Nothing is sent until the first statement. */
  static connect(target: ClickHouseTarget, options: { requestTimeoutMs?: number } = {}): ClickHouseWarehouse {
    const scheme = target.secure ? 'https' : 'http';
    const endpoint = `${scheme}://${target.host}:${target.port}`;
    const client = createClient({
      url: endpoint,
      username: target.user,
      password: target.password.reveal(),
      database: target.schema,
      application: 'dbt-recovery',
      request_timeout: options.requestTimeoutMs ?? (target.sendReceiveTimeoutSeconds ?? 300) * 1000,
      clickhouse_settings: target.customSettings,
      log: { level: ClickHouseLogLevel.OFF },
    });
    return new ClickHouseWarehouse(client, {
      description: describeTarget(target),
      database: target.schema,
      endpoint,
      user: target.user,
      secrets: [target.password],
      connectHint:
        target.driver === 'native'
          ? ` The profile uses driver: native (port ${target.nativePort}); dbt Recovery talks to the HTTP interface, assumed on ${target.port}.`
          : '',
    });
  }

  quoteIdent(name: string): string {
    return clickhouseDialect.quoteIdent(name);
  }

  quoteLiteral(value: SqlParam): string {
    return clickhouseDialect.quoteLiteral(value);
  }

  relation(database: string | null | undefined, schema: string, name: string): string {
    return clickhouseDialect.relation(database, schema, name);
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<T[]> {
    const bound = await this.bind(sql, params);
    // 64-bit integers as strings on every server (chdb's default is numbers), as DuckDB's BIGINT: no silent rounding.
    const settings = { output_format_json_quote_64bit_integers: 1, ...options.settings };
    return this.run(bound.sql, { ...options, settings }, async (base) => {
      const rs = await this.client.query({ ...base, query: bound.sql, query_params: bound.queryParams, format: 'JSONEachRow' });
      return rs.json<T>();
    });
  }

  async exec(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<void> {
    const bound = await this.bind(sql, params);
    await this.run(bound.sql, options, async (base) => {
      await this.client.command({ ...base, query: bound.sql, query_params: bound.queryParams });
    });
  }

  /** Runs a built statement with its request settings. */
  async execStatement(s: ClickHouseStatement, options: StatementOptions = {}): Promise<void> {
    await this.exec(s.sql, undefined, { ...options, settings: { ...s.settings, ...options.settings } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  capabilities(): Promise<Capabilities> {
    this.caps ??= this.probe().catch((err: unknown) => {
      this.caps = null;
      throw err;
    });
    return this.caps;
  }

  /** Active partitions of `database.table`, from system.parts. */
  async activePartitions(database: string, table: string): Promise<ActivePartition[]> {
    const rows = await this.query<{ partition: string; partition_id: string; parts: string | number; rows: string | number }>(activePartitionsSql(database, table).sql);
    return rows.map((r) => ({ partition: r.partition, partitionId: r.partition_id, parts: Number(r.parts), rows: Number(r.rows) }));
  }

  /**
   * OPTIMIZE ... PARTITION ... FINAL DEDUPLICATE, after checking that the partition exists: a literal that matches no
   * active partition (a mid-month date, a bare 20260401 for a Date key) would be a silent no-op on every server
   * version, so it is an error here that lists the partitions there are (but see `emptyMonth`). Sets
   * `optimize_throw_if_noop` where the server has it.
   */
  async optimizePartition(database: string, table: string, partition: PartitionSpec, opts?: OptimizePartitionOptions & { emptyMonth?: 'error' }): Promise<OptimizeResult>;
  async optimizePartition(database: string, table: string, partition: PartitionSpec, opts: OptimizePartitionOptions): Promise<OptimizeResult | EmptyMonthResult>;
  async optimizePartition(database: string, table: string, partition: PartitionSpec, opts: OptimizePartitionOptions = {}): Promise<OptimizeResult | EmptyMonthResult> {
    const rel = `${database}.${table}`;
    const info = await this.query<{ engine: string; partition_key: string }>(tableInfoSql(database, table).sql);
    const t = info[0];
    if (!t) {
      throw new WarehouseError({ kind: 'invalid-input', engine: 'clickhouse', problem: `The table ${rel} does not exist.`, remedy: 'Check the database (dbt schema) and the model alias.' });
    }
    if (!/MergeTree$/.test(t.engine)) {
      throw new WarehouseError({ kind: 'invalid-input', engine: 'clickhouse', problem: `${rel} is a ${t.engine} table; OPTIMIZE ... PARTITION merges MergeTree tables only.`, remedy: 'Leave this table out of the OPTIMIZE step.' });
    }
    if (!t.partition_key || t.partition_key === 'tuple()') {
      throw new WarehouseError({
        kind: 'invalid-input',
        engine: 'clickhouse',
        problem: `${rel} is not partitioned, so no PARTITION literal can match.`,
        remedy: `Use OPTIMIZE TABLE ${this.relation(null, database, table)} FINAL DEDUPLICATE without PARTITION.`,
      });
    }
    const active = await this.activePartitions(database, table);
    const match = matchPartition(partition, active);
    if (!match && opts.emptyMonth === 'skip') {
      const month = monthOfKey(partition, t.partition_key);
      if (month !== null) return { statement: null, partition: null, emptyMonth: month };
    }
    if (!match) {
      const shown = active.slice(0, 12).map((p) => p.partition).join(', ');
      const more = active.length > 12 ? ` and ${active.length - 12} more` : '';
      throw new WarehouseError({
        kind: 'invalid-input',
        engine: 'clickhouse',
        problem:
          `No active partition of ${rel} (partition key ${t.partition_key}) matches ${describePartition(partition)}, ` +
          `so OPTIMIZE would silently do nothing. Active partitions: ${shown || 'none (the table is empty)'}${more}.`,
        remedy: partitionHint(partition, active, t.partition_key),
      });
    }
    const caps = await this.capabilities();
    const statement = optimizePartitionSql(database, table, sqlPartitionOf(match), { throwIfNoop: caps.optimizeThrowIfNoop, final: opts.final, deduplicate: opts.deduplicate });
    try {
      await this.execStatement(statement);
    } catch (err) {
      if (err instanceof WarehouseError && err.code === '236') {
        throw new WarehouseError({
          kind: 'query',
          engine: 'clickhouse',
          code: err.code,
          problem: `ClickHouse cancelled the OPTIMIZE of ${rel}: merges are stopped on it (SYSTEM STOP MERGES), and OPTIMIZE is a merge.`,
          remedy: `Run SYSTEM START MERGES ${this.relation(null, database, table)} and run the step again.`,
          sql: statementText(statement),
        });
      }
      throw err;
    }
    return { statement, partition: match };
  }

  /** Unfinished mutations, oldest first (all databases when `database` is omitted). */
  async pendingMutations(database?: string): Promise<PendingMutation[]> {
    const caps = await this.capabilities();
    const rows = await this.query<{
      database: string;
      table: string;
      mutation_id: string;
      command: string;
      create_time: string;
      parts_to_do: string | number;
      latest_fail_reason: string;
    }>(pendingMutationsSql(database ?? null, { failReason: caps.mutationFailReason }).sql);
    return rows.map((r) => ({
      database: r.database,
      table: r.table,
      mutationId: r.mutation_id,
      command: r.command,
      createTime: r.create_time,
      partsToDo: Number(r.parts_to_do),
      latestFailReason: caps.mutationFailReason ? r.latest_fail_reason : null,
    }));
  }

  /**
   * Kills one unfinished mutation where the server has KILL MUTATION. Elsewhere (18.16) the error gives the exact
   * steps by hand: ClickHouse keeps each mutation as a file in the table's data folder.
   */
  async killMutation(m: Pick<PendingMutation, 'database' | 'table' | 'mutationId'>): Promise<ClickHouseStatement> {
    const caps = await this.capabilities();
    const statement = killMutationSql(m.database, m.table, m.mutationId);
    const rel = this.relation(null, m.database, m.table);
    if (!caps.killMutation) {
      const info = await this.query<{ data_path: string }>(dataPathSql(m.database, m.table, { plural: false }).sql);
      const dataPath = info[0]?.data_path ?? `<path>/data/${m.database}/${m.table}/`;
      throw new WarehouseError({
        kind: 'unsupported',
        engine: 'clickhouse',
        problem: `ClickHouse ${caps.version} has no KILL MUTATION (it came in 19.x), so dbt Recovery cannot stop mutation ${m.mutationId} of ${m.database}.${m.table}.`,
        remedy:
          `By hand, on the server: remove the file ${dataPath.replace(/\/?$/, '/')}${m.mutationId}, then run DETACH TABLE ${rel}; ATTACH TABLE ${rel} ` +
          `(or restart clickhouse-server). On ClickHouse 19.x and later the statement is: ${statement.sql}`,
      });
    }
    await this.execStatement(statement);
    const left = (await this.pendingMutations(m.database)).filter((p) => p.table === m.table && p.mutationId === m.mutationId);
    if (left.length > 0) {
      throw new WarehouseError({
        kind: 'query',
        engine: 'clickhouse',
        problem: `KILL MUTATION ran, but mutation ${m.mutationId} of ${m.database}.${m.table} is still pending.`,
        remedy: 'A mutation that is applying a part finishes that part first: check system.mutations again in a minute.',
        sql: statement.sql,
      });
    }
    return statement;
  }

  // ---- internals ----

  private async bind(sql: string, params: SqlParams | undefined): Promise<{ sql: string; queryParams: Record<string, unknown> | undefined }> {
    if (!params || Object.keys(params).length === 0) return { sql: bindPlaceholders(sql, params, 'clickhouse', () => ''), queryParams: undefined };
    const caps = await this.capabilities();
    const queryParams: Record<string, unknown> = {};
    const out = bindPlaceholders(sql, params, 'clickhouse', (name, value) => {
      if (!caps.queryParameters) return clickhouseDialect.quoteLiteral(value);
      queryParams[name] = value instanceof SqlDate ? value.iso : typeof value === 'bigint' ? value.toString() : value;
      return `{${name}:${clickhouseType(value)}}`;
    });
    return { sql: out, queryParams: caps.queryParameters ? queryParams : undefined };
  }

  private async run<R>(sql: string, options: StatementOptions, fn: (base: { query_id: string; clickhouse_settings?: Record<string, string | number | boolean>; abort_signal?: AbortSignal }) => Promise<R>): Promise<R> {
    if (this.closed) {
      throw new WarehouseError({ kind: 'connection', engine: 'clickhouse', problem: 'This ClickHouse connection is closed.', remedy: 'Open a new one.' });
    }
    const queryId = randomUUID();
    const controller = options.timeoutMs ? new AbortController() : null;
    let timedOut = false;
    const timer = controller
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, options.timeoutMs)
      : null;
    try {
      return await fn({
        query_id: queryId,
        ...(options.settings ? { clickhouse_settings: { ...options.settings } } : {}),
        ...(controller ? { abort_signal: controller.signal } : {}),
      });
    } catch (err) {
      throw this.mapError(err, sql, queryId, timedOut ? options.timeoutMs : undefined);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private mapError(err: unknown, sql: string, queryId: string, timeoutMs: number | undefined): WarehouseError {
    if (err instanceof WarehouseError) return err;
    const secrets = this.info.secrets;
    const where = this.info.endpoint ?? 'embedded ClickHouse (chdb)';
    const code = errorCode(err);
    const type = (err as { type?: string }).type;
    const msg = err instanceof Error ? err.message : String(err);
    const kill = this.info.endpoint ? ` It may still be running on the server: see system.processes, and KILL QUERY WHERE query_id = '${queryId}' to stop it.` : '';
    if (timeoutMs !== undefined || /^Timeout error/i.test(msg)) {
      return new WarehouseError({
        kind: 'timeout',
        engine: 'clickhouse',
        problem: `ClickHouse at ${where} did not answer within ${timeoutMs !== undefined ? `${timeoutMs} ms` : 'the request timeout (send_receive_timeout)'}.`,
        remedy: `Raise the timeout (send_receive_timeout in profiles.yml) if the statement is just slow.${kill}`,
        sql,
        secrets,
        cause: err,
      });
    }
    if ((code && AUTH_CODES.has(code)) || /AUTHENTICATION_FAILED|WRONG_PASSWORD|UNKNOWN_USER|REQUIRED_PASSWORD/.test(type ?? '')) {
      return new WarehouseError({
        kind: 'login',
        engine: 'clickhouse',
        code,
        problem: `ClickHouse at ${where} refused the login of user ${this.info.user} (${serverMessage(err)}).`,
        remedy: 'Check user and password in profiles.yml (and the environment variables they read); the user must be allowed from this host.',
        secrets,
        cause: err,
      });
    }
    if (code && NETWORK_CODES.has(code)) {
      const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
      return new WarehouseError({
        kind: 'connection',
        engine: 'clickhouse',
        code,
        problem: refused
          ? `Nothing answers at ${where} (${code}).`
          : `The connection to ClickHouse at ${where} was dropped while the statement ran (${code}).`,
        remedy: refused
          ? `Check that the server is running and that host and port in profiles.yml are its HTTP interface.${this.info.connectHint ?? ''}`
          : 'The server may have restarted or the network dropped: check the server, then check whether the statement took effect (system.mutations, system.parts) before running it again.',
        sql: refused ? undefined : sql,
        secrets,
        cause: err,
      });
    }
    if (/socket hang up|other side closed|ECONNRESET|terminated/i.test(msg)) {
      return new WarehouseError({
        kind: 'connection',
        engine: 'clickhouse',
        problem: `The connection to ClickHouse at ${where} was dropped while the statement ran.`,
        remedy: 'The server may have restarted or the network dropped: check the server, then check whether the statement took effect before running it again.',
        sql,
        secrets,
        cause: err,
      });
    }
    return new WarehouseError({
      kind: 'query',
      engine: 'clickhouse',
      code,
      problem: `ClickHouse error${code ? ` ${code}` : ''}${type ? ` ${type}` : ''}: ${serverMessage(err)}`,
      remedy: '',
      sql,
      secrets,
      cause: err,
    });
  }

  private async probe(): Promise<Capabilities> {
    const [v] = await this.query<{ v: string }>('SELECT version() AS v');
    const version = v?.v ?? 'unknown';
    const names = ['optimize_throw_if_noop', 'mutations_sync', 'join_algorithm'];
    const settings = new Set(
      (await this.query<{ name: string }>(`SELECT name FROM system.settings WHERE name IN (${names.map((n) => clickhouseDialect.quoteLiteral(n)).join(', ')})`)).map((r) => r.name),
    );
    const failReason = await this.query<{ c: string | number }>(
      "SELECT count() AS c FROM system.columns WHERE database = 'system' AND table = 'mutations' AND name = 'latest_fail_reason'",
    );
    const accepts = async (sql: string, extra: { query_params?: Record<string, unknown>; okCodes?: string[] } = {}): Promise<boolean> => {
      try {
        await this.client.command({ query: sql, query_params: extra.query_params, query_id: randomUUID() });
        return true;
      } catch (err) {
        const code = errorCode(err);
        if (code && NETWORK_CODES.has(code)) throw this.mapError(err, sql, '', undefined);
        if (code && AUTH_CODES.has(code)) throw this.mapError(err, sql, '', undefined);
        return code !== undefined && (extra.okCodes ?? []).includes(code);
      }
    };
    const db = clickhouseDialect.quoteIdent(this.info.database);
    return {
      engine: 'clickhouse',
      version,
      windowFunctions: await accepts('SELECT count() OVER () FROM system.one'),
      // 18.16 answers `Unknown setting param_p`.
      queryParameters: await accepts('SELECT {p:UInt8} AS p', { query_params: { p: 1 } }),
      cteSubqueries: await accepts('WITH x AS (SELECT 1 AS a) SELECT a FROM x'),
      // A kill that matches nothing: 18.16 cannot parse it (code 62).
      killMutation: await accepts('KILL MUTATION WHERE 0'),
      // Unknown table (60) means the statement is understood and the database supports it; 18.16 cannot parse it
      // (62), an Ordinary database cannot do it (48).
      exchangeTables: await accepts(`EXCHANGE TABLES ${db}.__dbt_recovery_probe_a AND ${db}.__dbt_recovery_probe_b`, { okCodes: ['60'] }),
      optimizeThrowIfNoop: settings.has('optimize_throw_if_noop'),
      mutationsSync: settings.has('mutations_sync'),
      mutationFailReason: Number(failReason[0]?.c ?? 0) > 0,
      joinAlgorithm: settings.has('join_algorithm'),
      zeroCopyClone: false,
    };
  }
}

function clickhouseType(v: SqlParam): string {
  if (v === null) return 'Nullable(String)';
  if (v instanceof SqlDate) return 'Date';
  if (typeof v === 'boolean') return 'Bool';
  if (typeof v === 'bigint') return 'Int64';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'Int64' : 'Float64';
  return 'String';
}

function unquote(s: string): string {
  return /^'.*'$/.test(s) ? s.slice(1, -1).replace(/\\'/g, "'").replace(/\\\\/g, '\\') : s;
}

function describePartition(p: PartitionSpec): string {
  return typeof p === 'object' ? `partition ID '${p.id}'` : typeof p === 'number' ? String(p) : `'${unquote(p)}'`;
}

function matchPartition(p: PartitionSpec, active: ActivePartition[]): ActivePartition | undefined {
  if (typeof p === 'object') return active.find((a) => a.partitionId === p.id);
  const want = typeof p === 'number' ? String(p) : unquote(p.trim());
  return active.find((a) => unquote(a.partition) === want);
}

/** How the matched partition is written in OPTIMIZE: a date or a number as itself, anything else by its ID. */
function sqlPartitionOf(a: ActivePartition): PartitionSpec {
  const v = unquote(a.partition);
  if (/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(v)) return v;
  if (/^-?\d+$/.test(a.partition) && Number.isSafeInteger(Number(a.partition))) return Number(a.partition);
  return { id: a.partitionId };
}

/**
 * The month (YYYY-MM) a partition literal names when it is exactly what a month partition key makes: `'2026-04-01'`
 * (a real month start) for `toStartOfMonth(...)`, `202604` (or `'202604'`) for `toYYYYMM(...)`, the key possibly in
 * parentheses as 26.x shows it. Null for anything else: another key, a mid-month day, a partition ID.
 */
function monthOfKey(p: PartitionSpec, key: string): string | null {
  if (typeof p === 'object') return null;
  let k = key.trim();
  while (k.startsWith('(') && closingParen(k) === k.length - 1) k = k.slice(1, -1).trim();
  const fn = /^(toStartOfMonth|toYYYYMM)\s*\(/i.exec(k)?.[1]?.toLowerCase();
  if (!fn || closingParen(k, k.indexOf('(')) !== k.length - 1) return null;
  const v = typeof p === 'number' ? String(p) : unquote(p.trim());
  if (fn === 'tostartofmonth') {
    const m = /^(\d{4})-(0[1-9]|1[0-2])-01$/.exec(v);
    return m ? `${m[1]}-${m[2]}` : null;
  }
  if (fn === 'toyyyymm') {
    const m = /^(\d{4})(0[1-9]|1[0-2])$/.exec(v);
    return m ? `${m[1]}-${m[2]}` : null;
  }
  return null;
}

/** Where the parenthesis opened at `open` closes in `s`, -1 when it does not. */
function closingParen(s: string, open = 0): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function partitionHint(p: PartitionSpec, active: ActivePartition[], key: string): string {
  const want = typeof p === 'object' ? p.id : unquote(String(p).trim());
  const byId = active.find((a) => a.partitionId === want);
  if (byId && typeof p !== 'object') return `${want} is the partition ID of ${byId.partition}: pass '${unquote(byId.partition)}' (or { id: '${want}' }).`;
  const m = /^(\d{4}-\d{2})-\d{2}$/.exec(want);
  if (m && /toStartOfMonth/i.test(key)) {
    const start = `${m[1]}-01`;
    if (active.some((a) => unquote(a.partition) === start)) return `The key is ${key}: the partition holding ${want} is '${start}'.`;
    return `The key is ${key}: the partition for ${want} would be '${start}', which has no rows yet.`;
  }
  return 'Pass one of the active partitions above, as system.parts shows it.';
}
