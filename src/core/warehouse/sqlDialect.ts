import { checkParam, SqlDate, type SqlParam } from './sqlValue';
import { invalidInput, type Engine } from './warehouseError';

/** Quoting rules of one engine: pure functions, so plans can render SQL without a connection. */
export interface SqlDialect {
  readonly engine: Engine;
  /** A quoted identifier that names exactly `name` (see each dialect for case rules). */
  quoteIdent(name: string): string;
  /** A literal for a validated value (strings escaped, dates checked, non-finite numbers refused). */
  quoteLiteral(value: SqlParam): string;
  /** A qualified, quoted relation name. */
  relation(database: string | null | undefined, schema: string, name: string): string;
}

/** Refuses names no warehouse accepts, saying why, before anything is sent. */
export function checkIdentifier(name: unknown, engine: Engine, what = 'identifier'): string {
  if (typeof name !== 'string') throw invalidInput(`The ${what} ${String(name)} is not a string.`, 'Pass the name as a string.', engine);
  if (name === '') throw invalidInput(`The ${what} is empty.`, 'Give a name: an empty name cannot be quoted into anything a warehouse resolves.', engine);
  if (name.includes('\0')) {
    throw invalidInput(`The ${what} ${JSON.stringify(name)} contains a NUL character, which no warehouse allows in a name.`, 'Remove the NUL character.', engine);
  }
  if (engine === 'snowflake' && [...name].length > 255) {
    throw invalidInput(`The ${what} is ${[...name].length} characters long; Snowflake allows 255.`, 'Use a shorter name.', engine);
  }
  return name;
}

function standardString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function numberLiteral(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

/**
 * ClickHouse: identifiers in backticks with backslash escapes (names are case-sensitive); strings in single quotes
 * with backslash escapes; dates as toDate('...'); booleans as 1/0 (18.16 has no Bool type). No level above the
 * database: dbt-clickhouse's `schema` is the database, and its manifests repeat it as `database`.
 */
export const clickhouseDialect: SqlDialect = {
  engine: 'clickhouse',
  quoteIdent(name) {
    checkIdentifier(name, 'clickhouse');
    return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
  },
  quoteLiteral(value) {
    const v = checkParam(value, 'the value');
    if (v === null) return 'NULL';
    if (v instanceof SqlDate) return `toDate('${v.iso}')`;
    if (typeof v === 'boolean') return v ? '1' : '0';
    if (typeof v === 'number' || typeof v === 'bigint') return numberLiteral(v);
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  },
  relation(database, schema, name) {
    if (database && database !== schema) {
      throw invalidInput(
        `ClickHouse has no level above the database, but the relation names database ${JSON.stringify(database)} and schema ${JSON.stringify(schema)}.`,
        'dbt-clickhouse uses `schema` as the ClickHouse database: pass the same value (or none) as database.',
        'clickhouse',
      );
    }
    return `${this.quoteIdent(checkIdentifier(schema, 'clickhouse', 'database'))}.${this.quoteIdent(checkIdentifier(name, 'clickhouse', 'table name'))}`;
  },
};

/** DuckDB: standard SQL quoting (doubled quotes, no backslash escapes). Names match case-insensitively. */
export const duckdbDialect: SqlDialect = {
  engine: 'duckdb',
  quoteIdent(name) {
    checkIdentifier(name, 'duckdb');
    return `"${name.replace(/"/g, '""')}"`;
  },
  quoteLiteral(value) {
    const v = checkParam(value, 'the value');
    if (v === null) return 'NULL';
    if (v instanceof SqlDate) return `DATE '${v.iso}'`;
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    if (typeof v === 'number' || typeof v === 'bigint') return numberLiteral(v);
    return standardString(v);
  },
  relation(database, schema, name) {
    const parts = [database ? checkIdentifier(database, 'duckdb', 'database') : null, checkIdentifier(schema, 'duckdb', 'schema'), checkIdentifier(name, 'duckdb', 'table name')];
    return parts.filter((p): p is string => p !== null).map((p) => this.quoteIdent(p)).join('.');
  },
};

const SNOWFLAKE_UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Snowflake: a name that would be valid unquoted is written in upper case inside double quotes, which names the
 * same object as dbt-snowflake's default unquoted SQL (`quoting: false`: `my_model` resolves to MY_MODEL) while
 * staying safe for reserved words; any other name (spaces, quotes, unicode) is quoted as is, case-sensitively.
 * String literals escape backslashes too: Snowflake reads `\` as an escape inside single quotes.
 */
export const snowflakeDialect: SqlDialect = {
  engine: 'snowflake',
  quoteIdent(name) {
    checkIdentifier(name, 'snowflake');
    if (SNOWFLAKE_UNQUOTED.test(name)) return `"${name.toUpperCase()}"`;
    return `"${name.replace(/"/g, '""')}"`;
  },
  quoteLiteral(value) {
    const v = checkParam(value, 'the value');
    if (v === null) return 'NULL';
    if (v instanceof SqlDate) return `DATE '${v.iso}'`;
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    if (typeof v === 'number' || typeof v === 'bigint') return numberLiteral(v);
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  },
  relation(database, schema, name) {
    const parts = [database ? checkIdentifier(database, 'snowflake', 'database') : null, checkIdentifier(schema, 'snowflake', 'schema'), checkIdentifier(name, 'snowflake', 'table name')];
    return parts.filter((p): p is string => p !== null).map((p) => this.quoteIdent(p)).join('.');
  },
};

export function dialectFor(engine: Engine): SqlDialect {
  return engine === 'clickhouse' ? clickhouseDialect : engine === 'duckdb' ? duckdbDialect : snowflakeDialect;
}
