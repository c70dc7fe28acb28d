/**
 * TEST CODE: an executor for the dbt stand-in (`DBT_STANDIN_EXECUTOR=test/dbt-standin/clickhouseExecutor.ts`) that
 * runs each model on a real ClickHouse the way dbt-clickhouse 1.9 materializes it, so a test can watch what a
 * recovery plan does to real tables. The SQL is the model's own Jinja rendered for the run (renderModel.ts: the run's
 * vars, `is_incremental()` measured on the warehouse); the statements are dbt-clickhouse's, in miniature:
 *
 * - view: `CREATE OR REPLACE VIEW rel AS <sql>`.
 * - table: `CREATE TABLE rel__dbt_tmp <engine> AS <sql>`, then `EXCHANGE TABLES` with the old one (or a rename the
 *   first time) and the old one dropped.
 * - incremental, first run (no table yet) or --full-refresh where allowed: `CREATE TABLE rel <engine> AS <sql>`.
 * - incremental, `append` strategy: `INSERT INTO rel (<its columns>) <sql>`, nothing deleted: the month refill.
 * - incremental, `delete+insert`: the new rows into `__dbt_new_data_<hex>` (a copy of rel's structure), `DELETE FROM
 *   rel WHERE (<unique_key>) IN (SELECT <unique_key> FROM that)`, `INSERT INTO rel SELECT ... FROM that`, drop it.
 * - pre-hooks before and post-hooks after, as statements in the same session (the refill hooks are `SET`s).
 * - `<engine>` is `ENGINE = <engine> ORDER BY <order_by> [PARTITION BY <partition_by>] [SETTINGS <settings>]`.
 *
 * Environment:
 * - STANDIN_CLICKHOUSE_RELAY (required): the URL of a ChdbRelay (test/support/chdbRelay.ts) serving the test's chdb.
 * - STANDIN_CLICKHOUSE_TABLE_SETTINGS: JSON object of table settings added to every MergeTree table created, e.g.
 *   `{"max_bytes_to_merge_at_max_space_in_pool": 1}`: no part is small enough to merge in the background, which
 *   stands for production's lazy merges (OPTIMIZE ... FINAL ignores the cap).
 * - STANDIN_CLICKHOUSE_LOG: a file that gets one JSON line per executed model: `{pid, model, materialized,
 *   strategy, vars, statements}`.
 *
 * Not modelled: other strategies (microbatch, insert_overwrite), distributed tables, contracts, `query_settings`,
 * column types beyond what `AS SELECT` infers, transactions (ClickHouse has none anyway).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';
import { openRelayWarehouse } from '../support/relayWarehouse';
import type { ExecuteModelContext } from './dbtRun';
import { renderModel } from './renderModel';

let connection: ClickHouseWarehouse | null = null;

function warehouse(): ClickHouseWarehouse {
  if (connection) return connection;
  const url = process.env.STANDIN_CLICKHOUSE_RELAY;
  if (!url) throw new Error('STANDIN_CLICKHOUSE_RELAY is not set: the ClickHouse executor needs the URL of a chdb relay (test/support/chdbRelay.ts).');
  connection = openRelayWarehouse(url);
  return connection;
}

const q = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

function jsonEnv<T>(name: string): T | null {
  const raw = process.env[name];
  return raw ? (JSON.parse(raw) as T) : null;
}

function extraTableSettings(): Record<string, unknown> {
  return jsonEnv<Record<string, unknown>>('STANDIN_CLICKHOUSE_TABLE_SETTINGS') ?? {};
}

function settingValue(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' ? String(Number(v)) : `'${String(v).replace(/'/g, "\\'")}'`;
}

/** `ENGINE = ... ORDER BY ... [PARTITION BY ...] [SETTINGS ...]` from the model's config, dbt-clickhouse's way. */
export function engineClause(config: Record<string, unknown>): string {
  const list = (v: unknown): string => (Array.isArray(v) ? `(${v.join(', ')})` : String(v));
  const engine = typeof config.engine === 'string' ? config.engine : 'MergeTree()';
  const parts = [`ENGINE = ${engine}`, `ORDER BY ${config.order_by !== undefined && config.order_by !== null ? list(config.order_by) : 'tuple()'}`];
  if (config.partition_by !== undefined && config.partition_by !== null) parts.push(`PARTITION BY ${list(config.partition_by)}`);
  const settings = { ...(typeof config.settings === 'object' && config.settings !== null ? (config.settings as Record<string, unknown>) : {}), ...(/MergeTree/.test(engine) ? extraTableSettings() : {}) };
  const entries = Object.entries(settings);
  if (entries.length > 0) parts.push(`SETTINGS ${entries.map(([k, v]) => `${k} = ${settingValue(v)}`).join(', ')}`);
  return parts.join(' ');
}

/** The columns of a unique_key config: `'(date, token_address)'`, `'date'` or a list. */
function keyColumns(uniqueKey: unknown): string {
  if (Array.isArray(uniqueKey)) return uniqueKey.join(', ');
  const s = String(uniqueKey).trim();
  return s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1).trim() : s;
}

function hooksOf(config: Record<string, unknown>, key: 'pre-hook' | 'post-hook'): string[] {
  const v = config[key];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.map((h) => (typeof h === 'object' && h !== null && 'sql' in h ? String((h as { sql: unknown }).sql) : String(h))).filter((s) => s.trim() !== '');
}

export async function executeModel(ctx: ExecuteModelContext): Promise<void> {
  const w = warehouse();
  const { node } = ctx;
  const schema = node.schema;
  const name = node.alias ?? node.name;
  if (!schema) throw new Error(`${node.uniqueId} has no schema in the manifest`);
  const rel = `${q(schema)}.${q(name)}`;
  const [existing] = await w.query<{ engine: string }>('SELECT engine FROM system.tables WHERE database = {db} AND name = {t}', { db: schema, t: name });
  const materialized = node.config.materialized ?? 'view';
  const exists = existing !== undefined && existing.engine !== 'View';
  // A model with full_refresh=false ignores --full-refresh, as in dbt.
  const fullRefresh = ctx.fullRefresh && node.config.fullRefresh !== false;
  const isIncremental = materialized === 'incremental' && exists && !fullRefresh;
  const { sql, config } = renderModel({ node, manifest: ctx.manifest, projectDir: ctx.projectDir, vars: ctx.vars, isIncremental, target: { name: ctx.target, schema } });
  const statements: string[] = [];
  // Each statement as the model renders it, with no settings of its own: the model's SQL must be valid as written.
  const run = async (statement: string): Promise<void> => {
    statements.push(statement);
    await w.exec(statement);
  };
  const columns = async (table: string): Promise<string> =>
    (await w.query<{ name: string }>('SELECT name FROM system.columns WHERE database = {db} AND table = {t} ORDER BY position', { db: schema, t: table }))
      .map((c) => q(c.name))
      .join(', ');

  let strategy: string | null = null;
  for (const h of hooksOf(config, 'pre-hook')) await run(h);
  switch (materialized) {
    case 'view':
      await run(`CREATE OR REPLACE VIEW ${rel} AS\n${sql}`);
      break;
    case 'table': {
      const tmp = `${q(schema)}.${q(`${name}__dbt_tmp`)}`;
      await run(`DROP TABLE IF EXISTS ${tmp}`);
      await run(`CREATE TABLE ${tmp} ${engineClause(config)} AS\n${sql}`);
      if (existing) {
        await run(existing.engine === 'View' ? `DROP VIEW ${rel}` : `EXCHANGE TABLES ${tmp} AND ${rel}`);
        if (existing.engine === 'View') await run(`RENAME TABLE ${tmp} TO ${rel}`);
        else await run(`DROP TABLE ${tmp}`);
      } else {
        await run(`RENAME TABLE ${tmp} TO ${rel}`);
      }
      break;
    }
    case 'incremental': {
      if (!isIncremental) {
        if (existing) await run(existing.engine === 'View' ? `DROP VIEW ${rel}` : `DROP TABLE ${rel}`);
        await run(`CREATE TABLE ${rel} ${engineClause(config)} AS\n${sql}`);
        break;
      }
      strategy = typeof config.incremental_strategy === 'string' ? config.incremental_strategy : 'default';
      const cols = await columns(name);
      if (strategy === 'append') {
        await run(`INSERT INTO ${rel} (${cols})\n${sql}`);
      } else if (strategy === 'delete+insert') {
        if (config.unique_key === undefined || config.unique_key === null) throw new Error(`${node.name}: delete+insert needs a unique_key`);
        const key = keyColumns(config.unique_key);
        const newData = `${q(schema)}.${q(`__dbt_new_data_${randomUUID().replace(/-/g, '_')}`)}`;
        await run(`CREATE TABLE ${newData} AS ${rel}`);
        try {
          await run(`INSERT INTO ${newData} (${cols})\n${sql}`);
          await run(`DELETE FROM ${rel} WHERE (${key}) IN (SELECT ${key} FROM ${newData})`);
          await run(`INSERT INTO ${rel} (${cols}) SELECT ${cols} FROM ${newData}`);
        } finally {
          await run(`DROP TABLE IF EXISTS ${newData}`);
        }
      } else {
        throw new Error(`${node.name}: the ClickHouse executor runs the append and delete+insert strategies, not ${strategy}`);
      }
      break;
    }
    default:
      throw new Error(`${node.name}: the ClickHouse executor does not materialize ${materialized}`);
  }
  for (const h of hooksOf(config, 'post-hook')) await run(h);
  const log = process.env.STANDIN_CLICKHOUSE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ pid: process.pid, model: node.name, materialized, strategy, vars: ctx.vars, statements })}\n`);
}
