import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readProject } from '../manifest/project';
import { findProfilesFile, type FindProfilesOptions } from './findProfilesFile';
import { ProfileError } from './profileError';
import { renderProfileValue, type Env, type ProfileScalar } from './renderProfileValue';
import { Secret } from './secret';
import {
  WAREHOUSE_TYPES,
  type ClickHouseTarget,
  type DuckDbTarget,
  type SnowflakeTarget,
  type TargetOrigin,
  type WarehouseTarget,
} from './warehouseTarget';

export interface LoadTargetOptions extends FindProfilesOptions {
  /** The dbt project folder; its dbt_project.yml names the profile. */
  projectDir: string;
  /** `--profile` (else DBT_PROFILE, else dbt_project.yml's `profile:`). */
  profile?: string | undefined;
  /** `--target` (else DBT_TARGET, else the profile's `target:`, else `default`). */
  target?: string | undefined;
}

/** Keys whose values are credentials: never shown, kept as Secret. */
const SECRET_KEYS = new Set(['password', 'private_key_passphrase', 'token', 'private_key', 'oauth_client_secret']);

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and renders one output (target) of a profile, key by key. */
class OutputReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly origin: TargetOrigin,
    private readonly env: Env,
  ) {}

  private keyPath(key: string): string {
    return `${this.origin.profile}.outputs.${this.origin.target}.${key}`;
  }

  value(key: string): ProfileScalar {
    return renderProfileValue(this.raw[key], { file: this.origin.file, keyPath: this.keyPath(key), env: this.env, secret: SECRET_KEYS.has(key) });
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: null): string | null;
  string(key: string, fallback: string | null): string | null {
    const v = this.value(key);
    return v === null ? fallback : String(v);
  }

  required(key: string, what: string): string {
    const v = this.value(key);
    if (v === null || String(v) === '') {
      throw new ProfileError(this.origin.file, `\`${this.keyPath(key)}\` is missing`, `Add ${key}: (${what}); dbt needs it too.`);
    }
    return String(v);
  }

  secret(key: string): Secret | null {
    const v = this.value(key);
    return v === null ? null : new Secret(String(v));
  }

  number(key: string): number | null {
    const v = this.value(key);
    if (v === null || v === '') return null;
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isFinite(n)) {
      throw new ProfileError(this.origin.file, `\`${this.keyPath(key)}\` is ${JSON.stringify(v)}, not a number`, 'Give a number (or `{{ env_var(...) | as_number }}`).');
    }
    return n;
  }

  port(key: string): number | null {
    const n = this.number(key);
    if (n !== null && (!Number.isInteger(n) || n < 1 || n > 65535)) {
      throw new ProfileError(this.origin.file, `\`${this.keyPath(key)}\` is ${n}, not a TCP port`, 'Give a port between 1 and 65535.');
    }
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === null) return fallback;
    if (typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes') return true;
    if (s === 'false' || s === '0' || s === 'no' || s === '') return false;
    throw new ProfileError(this.origin.file, `\`${this.keyPath(key)}\` is ${JSON.stringify(v)}, not true or false`, 'Give true or false.');
  }

  mapping(key: string): Record<string, string | number | boolean> {
    const raw = this.raw[key];
    if (raw === undefined || raw === null) return {};
    if (!isMapping(raw)) throw new ProfileError(this.origin.file, `\`${this.keyPath(key)}\` is not a mapping`, 'Give key: value pairs.');
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(raw)) {
      const r = renderProfileValue(v, { file: this.origin.file, keyPath: `${this.keyPath(key)}.${k}`, env: this.env, secret: false });
      if (r !== null) out[k] = r;
    }
    return out;
  }
}

function clickhouseTarget(r: OutputReader, origin: TargetOrigin): ClickHouseTarget {
  const secure = r.bool('secure', false);
  const driverRaw = r.string('driver', 'http').toLowerCase();
  if (driverRaw !== 'http' && driverRaw !== 'native') {
    throw new ProfileError(origin.file, `\`${origin.profile}.outputs.${origin.target}.driver\` is ${JSON.stringify(driverRaw)}`, 'dbt-clickhouse accepts http or native.');
  }
  const driver = driverRaw;
  const port = r.port('port');
  const httpDefault = secure ? 8443 : 8123;
  return {
    type: 'clickhouse',
    origin,
    host: r.string('host', 'localhost'),
    port: driver === 'native' ? httpDefault : (port ?? httpDefault),
    user: r.string('user', 'default'),
    password: r.secret('password') ?? new Secret(''),
    schema: r.string('schema', null) ?? r.string('database', 'default'),
    secure,
    driver,
    nativePort: driver === 'native' ? (port ?? (secure ? 9440 : 9000)) : null,
    connectTimeoutSeconds: r.number('connect_timeout'),
    sendReceiveTimeoutSeconds: r.number('send_receive_timeout'),
    customSettings: r.mapping('custom_settings'),
  };
}

function duckdbTarget(r: OutputReader, origin: TargetOrigin, cwd: string): DuckDbTarget {
  const rawPath = r.string('path', ':memory:');
  const inMemory = rawPath === ':memory:' || rawPath === '';
  // dbt-duckdb opens a relative path from the folder dbt runs in.
  const abs = inMemory ? ':memory:' : path.resolve(cwd, rawPath);
  return {
    type: 'duckdb',
    origin,
    path: abs,
    schema: r.string('schema', 'main'),
    database: inMemory ? 'memory' : path.basename(abs).replace(/\.[^.]*$/, ''),
  };
}

function snowflakeTarget(r: OutputReader, origin: TargetOrigin): SnowflakeTarget {
  const host = r.string('host', null);
  const port = r.port('port');
  const protocol = r.string('protocol', 'https');
  const password = r.secret('password');
  const authenticator = r.string('authenticator', 'snowflake');
  const privateKeyPath = r.string('private_key_path', null);
  const token = r.secret('token');
  if (authenticator.toLowerCase() === 'snowflake' && password === null && privateKeyPath === null && !r.has('private_key')) {
    throw new ProfileError(
      origin.file,
      `\`${origin.profile}.outputs.${origin.target}\` has no password (and no private_key_path or authenticator)`,
      "Add password: \"{{ env_var('SNOWFLAKE_PASSWORD') }}\", or the key-pair or SSO settings dbt-snowflake documents.",
    );
  }
  return {
    type: 'snowflake',
    origin,
    account: r.required('account', 'the Snowflake account identifier'),
    user: r.required('user', 'the Snowflake user'),
    password,
    authenticator,
    privateKeyPath,
    privateKeyPassphrase: r.secret('private_key_passphrase'),
    token,
    role: r.string('role', null),
    warehouse: r.string('warehouse', null),
    database: r.required('database', 'the database dbt builds in'),
    schema: r.required('schema', 'the schema dbt builds in'),
    accessUrl: host ? `${protocol}://${host}${port ? `:${port}` : ''}` : null,
    connectRetries: r.number('connect_retries'),
    connectTimeoutSeconds: r.number('connect_timeout'),
    queryTag: r.string('query_tag', null),
  };
}

/**
 * The warehouse target dbt would use for this project: profiles.yml found as dbt finds it, the profile named by
 * dbt_project.yml (or `--profile`), the target given (or the profile's default), `env_var()` rendered.
 * Throws ProfileError (or ManifestError for dbt_project.yml) naming the file and the key; never a credential.
 */
export function loadWarehouseTarget(options: LoadTargetOptions): WarehouseTarget {
  const env = options.env ?? process.env;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const { file } = findProfilesFile({ ...options, env, cwd });
  const profileName = options.profile || env.DBT_PROFILE || readProject(options.projectDir, { env }).profile;
  if (!profileName) {
    throw new ProfileError(
      path.join(path.resolve(options.projectDir), 'dbt_project.yml'),
      'has no `profile:`, so dbt cannot tell which profile to use',
      'Add profile: <name of a profile in profiles.yml>, or pass --profile.',
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code) throw new ProfileError(file, `cannot be read (${e.message})`, "Check the file's permissions.");
    throw new ProfileError(file, `is not valid YAML (${e.message.split('\n')[0]})`, 'Fix the YAML so that `dbt debug` accepts it.');
  }
  if (!isMapping(doc)) throw new ProfileError(file, 'is not a YAML mapping of profiles', 'See https://docs.getdbt.com/docs/core/connect-data-platform/profiles.yml.');
  const profiles = Object.keys(doc).filter((k) => k !== 'config');
  const profile = doc[profileName];
  if (!isMapping(profile)) {
    throw new ProfileError(
      file,
      `has no profile named ${profileName}${profiles.length ? ` (it has: ${profiles.join(', ')})` : ''}`,
      `Add the profile ${profileName}, or change \`profile:\` in dbt_project.yml.`,
    );
  }
  const outputs = profile.outputs;
  if (!isMapping(outputs)) throw new ProfileError(file, `profile ${profileName} has no \`outputs:\``, 'Add outputs: with at least one target.');
  const defaultTarget = renderProfileValue(profile.target, { file, keyPath: `${profileName}.target`, env, secret: false });
  const targetName = options.target || env.DBT_TARGET || (defaultTarget === null ? 'default' : String(defaultTarget));
  const output = outputs[targetName];
  if (!isMapping(output)) {
    throw new ProfileError(
      file,
      `profile ${profileName} has no target ${targetName} (targets: ${Object.keys(outputs).join(', ') || 'none'})`,
      options.target ? 'Pass one of those to --target.' : `Fix \`${profileName}.target:\`, or pass --target.`,
    );
  }
  const origin: TargetOrigin = { file, profile: profileName, target: targetName };
  const reader = new OutputReader(output, origin, env);
  const type = reader.string('type', '').toLowerCase();
  switch (type) {
    case 'clickhouse':
      return clickhouseTarget(reader, origin);
    case 'duckdb':
      return duckdbTarget(reader, origin, cwd);
    case 'snowflake':
      return snowflakeTarget(reader, origin);
    default:
      throw new ProfileError(
        file,
        type ? `target ${profileName}.${targetName} is of type ${type}, which dbt Recovery does not connect to` : `target ${profileName}.${targetName} has no \`type:\``,
        `dbt Recovery supports ${WAREHOUSE_TYPES.join(', ')}.`,
      );
  }
}
