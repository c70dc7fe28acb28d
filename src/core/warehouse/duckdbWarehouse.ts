import type * as DuckDbApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { describe as describeTarget, type DuckDbTarget } from '../profiles/warehouseTarget';
import { bindPlaceholders } from './placeholders';
import { loadDriver } from './loadDriver';
import { duckdbDialect } from './sqlDialect';
import { SqlDate, type SqlParam, type SqlParams } from './sqlValue';
import type { Capabilities, Row, StatementOptions, Warehouse } from './warehouse';
import { WarehouseError } from './warehouseError';

/**
 * DuckDB through `@duckdb/node-api`, in memory or on a file. Parameters are bound (`$name`). Rows come back as
 * JSON-friendly values: BIGINT and DECIMAL as strings (like ClickHouse's 64-bit integers), DATE as `YYYY-MM-DD`.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly engine = 'duckdb' as const;
  private caps: Promise<Capabilities> | null = null;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly description: string,
  ) {}

  /** Opens the database file of a profiles.yml target (`:memory:` for an in-memory one). */
  static async open(target: DuckDbTarget): Promise<DuckDbWarehouse> {
    return DuckDbWarehouse.openPath(target.path, describeTarget(target));
  }

  static async openPath(path: string, description = `DuckDB ${path}`): Promise<DuckDbWarehouse> {
    // Loaded here, not at the top: the native binding is only needed by projects that use DuckDB.
    const { DuckDBInstance } = loadDriver<typeof DuckDbApi>('@duckdb/node-api');
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new WarehouseError({
        kind: 'connection',
        engine: 'duckdb',
        problem: `DuckDB cannot open ${path}: ${msg.split('\n')[0]}`,
        remedy: /lock/i.test(msg)
          ? 'Another process (a running dbt, a notebook) holds the file: let it finish or close it, then try again.'
          : 'Check the path in profiles.yml and that its folder exists.',
        cause: err,
      });
    }
    return new DuckDbWarehouse(instance, await instance.connect(), description);
  }

  quoteIdent(name: string): string {
    return duckdbDialect.quoteIdent(name);
  }

  quoteLiteral(value: SqlParam): string {
    return duckdbDialect.quoteLiteral(value);
  }

  relation(database: string | null | undefined, schema: string, name: string): string {
    return duckdbDialect.relation(database, schema, name);
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<T[]> {
    const { text, values } = this.bind(sql, params, options);
    const reader = await this.run(text, options, () => this.connection.runAndReadAll(text, values));
    return reader.getRowObjectsJson() as T[];
  }

  async exec(sql: string, params?: SqlParams, options: StatementOptions = {}): Promise<void> {
    const { text, values } = this.bind(sql, params, options);
    await this.run(text, options, () => this.connection.run(text, values));
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    }
    return Promise.resolve();
  }

  capabilities(): Promise<Capabilities> {
    this.caps ??= (async () => {
      const [v] = await this.query<{ v: string }>('SELECT version() AS v');
      let windowFunctions = true;
      try {
        await this.query('SELECT count(*) OVER () AS n');
      } catch {
        windowFunctions = false;
      }
      return {
        engine: 'duckdb',
        version: v?.v ?? 'unknown',
        windowFunctions,
        queryParameters: true,
        cteSubqueries: true,
        killMutation: false,
        exchangeTables: false,
        optimizeThrowIfNoop: false,
        mutationsSync: false,
        mutationFailReason: false,
        joinAlgorithm: false,
        zeroCopyClone: false,
      } satisfies Capabilities;
    })();
    return this.caps;
  }

  private bind(sql: string, params: SqlParams | undefined, options: StatementOptions): { text: string; values: Record<string, DuckDBValue> | undefined } {
    if (options.settings && Object.keys(options.settings).length > 0) {
      throw new WarehouseError({
        kind: 'invalid-input',
        engine: 'duckdb',
        problem: `DuckDB takes no per-statement settings (given: ${Object.keys(options.settings).join(', ')}).`,
        remedy: 'Run SET statements on the connection instead.',
      });
    }
    const values: Record<string, DuckDBValue> = {};
    const text = bindPlaceholders(sql, params, 'duckdb', (name, value) => {
      if (value instanceof SqlDate) {
        values[name] = value.iso;
        return `CAST($${name} AS DATE)`;
      }
      // JS numbers bind as DOUBLE; whole numbers bind as integers (a JS bigint is HUGEINT) so `id = {id}` compares integers.
      values[name] = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
      return `$${name}`;
    });
    return { text, values: Object.keys(values).length ? values : undefined };
  }

  private async run<R>(sql: string, options: StatementOptions, fn: () => Promise<R>): Promise<R> {
    if (this.closed) throw new WarehouseError({ kind: 'connection', engine: 'duckdb', problem: 'This DuckDB connection is closed.', remedy: 'Open a new one.' });
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          this.connection.interrupt();
        }, options.timeoutMs)
      : null;
    try {
      return await fn();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (timedOut) {
        throw new WarehouseError({ kind: 'timeout', engine: 'duckdb', problem: `DuckDB did not finish within ${options.timeoutMs} ms; the statement was interrupted.`, remedy: 'Raise the timeout if the statement is just slow.', sql, cause: err });
      }
      throw new WarehouseError({ kind: 'query', engine: 'duckdb', problem: `DuckDB error: ${msg.split('\n')[0]}`, remedy: '', sql, cause: err });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
