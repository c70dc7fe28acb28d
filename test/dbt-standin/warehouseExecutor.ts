/**
 * TEST CODE: an executor for the dbt stand-in (`DBT_STANDIN_EXECUTOR=test/dbt-standin/warehouseExecutor.ts`) that
 * builds each model on DuckDB or Snowflake (the in-repo test server) the way dbt-duckdb or dbt-snowflake would in the
 * run's target, for the dev-build tests. The target (the stand-in's `--target`) comes from the project's
 * profiles.yml (DBT_PROFILES_DIR, else the project folder): the connection, and the database and schema the model is
 * built in, under its name.
 *
 * Rendering is a miniature of dbt's, enough for the tests' models: `{{ ref('m') }}` is m's production relation from
 * the manifest (the runbook's ref override: a dev build reads its upstreams from production), `{{ var('name') }}` the
 * run's var, `{% if is_incremental() %}...{% endif %}` kept only on an incremental run (the table exists, no
 * --full-refresh), `{{ config(...) }}` and `{# #}` dropped. Materializations: table, and a first or full-refresh
 * incremental run, `CREATE OR REPLACE TABLE`; incremental delete+insert on the unique_key. Nothing else.
 *
 * STANDIN_EXECUTOR_LOG=file: one JSON line per model built, `{model, target, relation, incremental,
 * snowflakeWarehouse}`, the last being the `snowflake_warehouse` the model file sets at that moment (the last
 * config() call that sets it wins, as in dbt): what a warehouse override gave the run.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadWarehouseTarget } from '../../src/core/profiles/loadWarehouseTarget';
import { openWarehouse } from '../../src/core/warehouse/openWarehouse';
import type { ExecuteModelContext } from './dbtRun';

export async function executeModel(ctx: ExecuteModelContext): Promise<void> {
  const target = loadWarehouseTarget({ projectDir: ctx.projectDir, profilesDir: process.env.DBT_PROFILES_DIR ?? ctx.projectDir, target: ctx.target, cwd: ctx.projectDir, env: process.env });
  if (target.type === 'clickhouse') throw new Error('the warehouse executor builds on DuckDB or Snowflake; use clickhouseExecutor.ts');
  const w = await openWarehouse(target);
  try {
    const node = ctx.node;
    const rel = w.relation(target.database, target.schema, node.name);
    const exists = await w.query(`SELECT 1 AS x FROM ${rel} WHERE 1 = 0`).then(
      () => true,
      () => false,
    );
    const incremental = node.config.materialized === 'incremental' && exists && !ctx.fullRefresh;
    const source = readFileSync(path.join(ctx.projectDir, node.originalFilePath), 'utf8');
    const sql = source
      .replace(/\{#[\s\S]*?#\}/g, '')
      .replace(/\{\{\s*config\([\s\S]*?\)\s*\}\}/g, '')
      .replace(/\{%\s*if\s+is_incremental\(\)\s*%\}([\s\S]*?)\{%\s*endif\s*%\}/g, (_m, body: string) => (incremental ? body : ''))
      .replace(/\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g, (_m, name: string) => {
        const up = [...ctx.manifest.nodes.values()].find((n) => n.resourceType === 'model' && n.name === name);
        if (!up) throw new Error(`ref('${name}') is not a model`);
        return w.relation(up.database, up.schema!, up.alias ?? up.name);
      })
      .replace(/\{\{\s*var\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g, (_m, name: string) => varText(ctx.vars[name]));
    if (/\{\{|\{%/.test(sql)) throw new Error(`the warehouse executor cannot render ${node.name}: ${sql}`);
    if (process.env.STANDIN_EXECUTOR_LOG) {
      const warehouses = [...source.matchAll(/snowflake_warehouse\s*=\s*'([^']*)'/g)].map((m) => m[1]);
      appendFileSync(process.env.STANDIN_EXECUTOR_LOG, `${JSON.stringify({ model: node.name, target: ctx.target, relation: rel, incremental, snowflakeWarehouse: warehouses.at(-1) ?? null })}\n`);
    }
    if (target.type === 'duckdb') await w.exec(`CREATE SCHEMA IF NOT EXISTS ${w.relation(target.database, target.schema, 'x').replace(/\."x"$/, '')}`);
    if (!incremental) {
      await w.exec(`CREATE OR REPLACE TABLE ${rel} AS ${sql}`);
      return;
    }
    const key = Array.isArray(node.config.uniqueKey) ? node.config.uniqueKey : [node.config.uniqueKey ?? ''];
    const keys = key.map((k) => w.quoteIdent(k)).join(', ');
    await w.exec(`CREATE OR REPLACE TEMPORARY TABLE new_rows AS ${sql}`);
    await w.exec(`DELETE FROM ${rel} WHERE (${keys}) IN (SELECT ${keys} FROM new_rows)`);
    await w.exec(`INSERT INTO ${rel} SELECT * FROM new_rows`);
  } finally {
    await w.close();
  }
}

/** A var as Jinja's `{{ var('x') }}` prints it: strings bare, anything else as its JSON text. */
function varText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
