import { scrubSecrets, type Secret } from '../profiles/secret';

export type Engine = 'clickhouse' | 'duckdb' | 'snowflake';

/**
 * - `login`: the warehouse refused the credentials.
 * - `connection`: nothing answers, or the connection was dropped while a statement ran.
 * - `timeout`: no answer within the time allowed.
 * - `query`: the warehouse ran the statement and reported an error.
 * - `unsupported`: this server cannot do it (the message gives the manual step).
 * - `invalid-input`: a name or value was refused before anything was sent.
 * - `driver-missing`: the engine's driver is not installed where dbt Recovery can load it (the remedy installs it).
 */
export type WarehouseErrorKind = 'login' | 'connection' | 'timeout' | 'query' | 'unsupported' | 'invalid-input' | 'driver-missing';

export interface WarehouseErrorDetails {
  kind: WarehouseErrorKind;
  engine: Engine | null;
  /** What happened, in one or two sentences. */
  problem: string;
  /** What to do about it. */
  remedy: string;
  /** The engine's error code, when it gave one (`388`, `390100`). */
  code?: string | undefined;
  /** The statement, shortened, when the error is about one. */
  sql?: string | undefined;
  /** Credentials that must not appear in the message (a driver's text may echo them). */
  secrets?: ReadonlyArray<Secret | null | undefined>;
  cause?: unknown;
}

function shorten(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 297)}...` : one;
}

/**
 * Every failure of the warehouse layer. The message says what happened and what to do; it never holds a
 * credential (it is scrubbed of the target's secrets, and secrets are never put in it in the first place).
 */
export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
  readonly kind: WarehouseErrorKind;
  readonly engine: Engine | null;
  readonly problem: string;
  readonly remedy: string;
  readonly code: string | undefined;
  readonly sql: string | undefined;

  constructor(d: WarehouseErrorDetails) {
    const secrets = d.secrets ?? [];
    const problem = scrubSecrets(d.problem, secrets);
    const remedy = scrubSecrets(d.remedy, secrets);
    const sql = d.sql === undefined ? undefined : scrubSecrets(shorten(d.sql), secrets);
    super(`${problem}${remedy ? ` ${remedy}` : ''}${sql ? `\n  statement: ${sql}` : ''}`);
    this.kind = d.kind;
    this.engine = d.engine;
    this.problem = problem;
    this.remedy = remedy;
    this.code = d.code;
    this.sql = sql;
    // The driver's own error stays reachable for debugging, but only through its scrubbed message.
    if (d.cause instanceof Error) {
      const scrubbed = new Error(scrubSecrets(d.cause.message, secrets));
      scrubbed.name = d.cause.name;
      Object.defineProperty(this, 'cause', { value: scrubbed, enumerable: false });
    }
  }
}

export function invalidInput(problem: string, remedy: string, engine: Engine | null = null): WarehouseError {
  return new WarehouseError({ kind: 'invalid-input', engine, problem, remedy });
}
