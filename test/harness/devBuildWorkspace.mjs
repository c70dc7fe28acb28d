// The dev-build UI check's workspace (layer.mjs): a small dbt-duckdb project in a temp folder, its DuckDB file seeded
// with @duckdb/node-api directly, the manifest hand-built as dbt-duckdb writes it for prod, and workspace settings
// whose `dbtRecovery.dbtCommand` runs the dbt stand-in (test/dbt-standin/dbt.mjs), which builds the models in DuckDB
// through the warehouse executor named by DBT_STANDIN_EXECUTOR (`devBuildEnv`, for code-server's environment).
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STANDIN = path.join(repoRoot, 'test', 'dbt-standin', 'dbt.mjs');
export const EXECUTOR = path.join(repoRoot, 'test', 'dbt-standin', 'warehouseExecutor.ts');

export const MODEL = `{{ config(materialized='incremental', unique_key='order_id') }}
select order_id, day, qty * price as amount
from "warehouse"."main"."raw_orders"
{% if is_incremental() %}
where day >= DATE '{{ var("backfill_date") }}'
{% endif %}
`;
const DAILY_TOTALS = "{{ config(materialized='table') }}\nselect day, sum(amount) as amount from {{ ref('fct_orders') }} group by day\n";

/**
 * The seed, as rows: the raw orders (the model computes amount = qty * price from them), and production's
 * `main.fct_orders`, which is stale: order 5 holds 1000 (13 * 100 = 1300 upstream), order 6 holds 98 (10 * 10 = 100),
 * order 7 arrived upstream after prod was built, and order 8 was deleted upstream since.
 */
export const RAW_ORDERS = [
  [1, '2026-04-05', 1, 10],
  [2, '2026-04-06', 2, 10],
  [3, '2026-04-07', 3, 10],
  [4, '2026-04-08', 4, 10],
  [5, '2026-04-09', 13, 100],
  [6, '2026-04-10', 10, 10],
  [7, '2026-04-11', 5, 10],
];
export const PROD_ORDERS = [
  [1, '2026-04-05', 10],
  [2, '2026-04-06', 20],
  [3, '2026-04-07', 30],
  [4, '2026-04-08', 40],
  [5, '2026-04-09', 1000],
  [6, '2026-04-10', 98],
  [8, '2026-04-12', 80],
];

function manifestOf() {
  const node = (name, config, deps, raw) => ({
    unique_id: `model.shop.${name}`, resource_type: 'model', package_name: 'shop', name, fqn: ['shop', name], path: `${name}.sql`, original_file_path: `models/${name}.sql`,
    database: 'warehouse', schema: 'main', alias: name, tags: [], config: { enabled: true, tags: [], ...config }, depends_on: { nodes: deps, macros: [] }, columns: {}, raw_code: raw, language: 'sql',
  });
  return {
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.9.4', project_name: 'shop', adapter_type: 'duckdb' },
    nodes: {
      'model.shop.fct_orders': node('fct_orders', { materialized: 'incremental', unique_key: 'order_id' }, [], MODEL),
      'model.shop.daily_totals': node('daily_totals', { materialized: 'table' }, ['model.shop.fct_orders'], DAILY_TOTALS),
    },
    sources: {}, exposures: {}, metrics: {}, semantic_models: {}, saved_queries: {}, unit_tests: {}, macros: {}, docs: {}, groups: {}, selectors: {}, disabled: {},
    parent_map: { 'model.shop.fct_orders': [], 'model.shop.daily_totals': ['model.shop.fct_orders'] },
    child_map: { 'model.shop.fct_orders': ['model.shop.daily_totals'], 'model.shop.daily_totals': [] },
  };
}

/** Runs `fn(connection)` on the DuckDB file, closing it after (one writing process per file). */
export async function withDuckDb(db, fn) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `{ order_id: amount }` of a relation in the DuckDB file. */
export async function amounts(db, relation) {
  return withDuckDb(db, async (c) => {
    const reader = await c.runAndReadAll(`SELECT order_id, amount FROM ${relation} ORDER BY order_id`);
    return Object.fromEntries(reader.getRowObjectsJson().map((r) => [Number(r.order_id), Number(r.amount)]));
  });
}

/**
 * Writes the project under `dir/shop` and seeds `warehouse.duckdb` in it. profiles.yml: dev builds in `dev_ana`,
 * prod is `main`, both on the one file.
 * @param {string} dir
 * @param {{ node?: string }} [options]  the Node that runs the stand-in (default: this one)
 * @returns {Promise<{ dir: string, db: string, model: string, journals: () => any[] }>}
 */
export async function makeDevBuildWorkspace(dir, { node = process.execPath } = {}) {
  const ws = path.join(dir, 'shop');
  const db = path.join(ws, 'warehouse.duckdb');
  mkdirSync(path.join(ws, 'models'), { recursive: true });
  mkdirSync(path.join(ws, 'target'), { recursive: true });
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  writeFileSync(path.join(ws, 'dbt_project.yml'), 'name: shop\nversion: "1.0.0"\nconfig-version: 2\nprofile: shop\nmodel-paths: ["models"]\ntarget-path: "target"\n');
  writeFileSync(path.join(ws, 'profiles.yml'), `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${db}\n      schema: dev_ana\n    prod:\n      type: duckdb\n      path: ${db}\n      schema: main\n`);
  writeFileSync(path.join(ws, 'models', 'fct_orders.sql'), MODEL);
  writeFileSync(path.join(ws, 'models', 'daily_totals.sql'), DAILY_TOTALS);
  writeFileSync(path.join(ws, 'target', 'manifest.json'), JSON.stringify(manifestOf()));
  writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'dbtRecovery.dbtCommand': [node, STANDIN] }, null, 2));
  const rows = (list) => list.map((r) => `(${r.map((v) => (typeof v === 'string' ? `'${v}'` : v)).join(', ')})`).join(', ');
  await withDuckDb(db, async (c) => {
    await c.run('CREATE TABLE main.raw_orders (order_id INTEGER, day DATE, qty INTEGER, price DOUBLE)');
    await c.run(`INSERT INTO main.raw_orders VALUES ${rows(RAW_ORDERS)}`);
    await c.run('CREATE TABLE main.fct_orders (order_id INTEGER, day DATE, amount DOUBLE)');
    await c.run(`INSERT INTO main.fct_orders VALUES ${rows(PROD_ORDERS)}`);
    await c.run('CREATE TABLE main.daily_totals AS SELECT day, sum(amount) AS amount FROM main.fct_orders GROUP BY day');
  });
  const runs = path.join(ws, 'target', 'dbt-recovery', 'runs');
  const journals = () => (existsSync(runs) ? readdirSync(runs).sort().filter((d) => existsSync(path.join(runs, d, 'journal.json'))).map((d) => JSON.parse(readFileSync(path.join(runs, d, 'journal.json'), 'utf8'))) : []);
  return { dir: ws, db, model: path.join(ws, 'models', 'fct_orders.sql'), journals };
}

/** The environment code-server (so the extension host, so dbt) needs for the stand-in to build in DuckDB. */
export function devBuildEnv() {
  return { DBT_STANDIN_EXECUTOR: EXECUTOR };
}
