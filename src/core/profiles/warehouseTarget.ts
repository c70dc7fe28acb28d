import type { Secret } from './secret';

/** Where a target came from, for messages: `profiles.yml` path, profile name and target name. */
export interface TargetOrigin {
  file: string;
  profile: string;
  target: string;
}

/** dbt-clickhouse's keys that dbt Recovery uses. ClickHouse has no level above the database: dbt's `schema`. */
export interface ClickHouseTarget {
  type: 'clickhouse';
  origin: TargetOrigin;
  host: string;
  /** The HTTP(S) port dbt Recovery connects to. */
  port: number;
  user: string;
  password: Secret;
  /** The ClickHouse database dbt builds models in (dbt-clickhouse's `schema`, `database` accepted as an alias). */
  schema: string;
  secure: boolean;
  /** dbt-clickhouse's `driver`. With `native`, the profile's port is the native one, which dbt Recovery cannot
   * speak: it uses the HTTP interface on 8123 (8443 secure) instead, and says so in messages. */
  driver: 'http' | 'native';
  nativePort: number | null;
  connectTimeoutSeconds: number | null;
  sendReceiveTimeoutSeconds: number | null;
  customSettings: Record<string, string | number | boolean>;
}

/** dbt-duckdb's keys that dbt Recovery uses. */
export interface DuckDbTarget {
  type: 'duckdb';
  origin: TargetOrigin;
  /** Absolute path of the database file, or `:memory:`. */
  path: string;
  schema: string;
  /** The catalog name DuckDB gives the attached file (its base name without extension; `memory` in memory). */
  database: string;
}

/** dbt-snowflake's keys that dbt Recovery uses. */
export interface SnowflakeTarget {
  type: 'snowflake';
  origin: TargetOrigin;
  account: string;
  user: string;
  password: Secret | null;
  /** `snowflake` (password), `externalbrowser`, `snowflake_jwt`, `oauth`, `username_password_mfa`, an Okta URL. */
  authenticator: string;
  privateKeyPath: string | null;
  privateKeyPassphrase: Secret | null;
  token: Secret | null;
  role: string | null;
  warehouse: string | null;
  database: string;
  schema: string;
  /** From dbt-snowflake's `host`, `port` and `protocol` when the profile sets them (a proxy, or a test server):
   * e.g. `http://127.0.0.1:4566`. Null: the account's own URL. */
  accessUrl: string | null;
  connectRetries: number | null;
  connectTimeoutSeconds: number | null;
  queryTag: string | null;
}

export type WarehouseTarget = ClickHouseTarget | DuckDbTarget | SnowflakeTarget;
export type WarehouseType = WarehouseTarget['type'];
export const WAREHOUSE_TYPES: readonly WarehouseType[] = ['clickhouse', 'duckdb', 'snowflake'];

const MASK = '****';

/**
 * The target as plain data with every credential replaced by `****` (and `(empty)` for an empty password, which
 * is worth knowing when a login fails): safe for logs, journals and plans.
 */
export function redact(target: WarehouseTarget): Record<string, unknown> {
  const mask = (s: Secret | null): string | null => (s === null ? null : s.isEmpty ? '(empty)' : MASK);
  switch (target.type) {
    case 'clickhouse':
      return { ...target, origin: { ...target.origin }, password: mask(target.password), customSettings: { ...target.customSettings } };
    case 'duckdb':
      return { ...target, origin: { ...target.origin } };
    case 'snowflake':
      return {
        ...target,
        origin: { ...target.origin },
        password: mask(target.password),
        privateKeyPassphrase: mask(target.privateKeyPassphrase),
        token: mask(target.token),
      };
  }
}

/** One line naming where the target connects, without any credential. */
export function describe(target: WarehouseTarget): string {
  const from = `profile ${target.origin.profile}, target ${target.origin.target}`;
  switch (target.type) {
    case 'clickhouse': {
      const scheme = target.secure ? 'https' : 'http';
      const native = target.driver === 'native' ? `; the profile's native port ${target.nativePort ?? 9000} is not used` : '';
      return `ClickHouse ${scheme}://${target.user}@${target.host}:${target.port}, database ${target.schema} (${from}${native})`;
    }
    case 'duckdb':
      return `DuckDB ${target.path}, schema ${target.schema} (${from})`;
    case 'snowflake': {
      const where = target.accessUrl ?? `account ${target.account}`;
      const role = target.role ? `, role ${target.role}` : '';
      const wh = target.warehouse ? `, warehouse ${target.warehouse}` : '';
      return `Snowflake ${where} as ${target.user}${role}${wh}, ${target.database}.${target.schema} (${from})`;
    }
  }
}
