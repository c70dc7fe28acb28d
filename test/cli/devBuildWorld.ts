/**
 * The dev-build CLI tests' DuckDB world: a dbt-duckdb project in a temp folder, built by the dbt stand-in with the
 * warehouse executor (test/dbt-standin/warehouseExecutor.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDbWarehouse } from '../../src/core/warehouse';

export const EXECUTOR = path.resolve(__dirname, '../dbt-standin/warehouseExecutor.ts');

export const MODEL = `{{ config(materialized='incremental', unique_key='order_id') }}
select order_id, day, qty * price as amount
from "warehouse"."main"."raw_orders"
{% if is_incremental() %}
where day >= DATE '{{ var("backfill_date") }}'
{% endif %}
`;

/**
 * A dbt-duckdb project in a temp folder: one DuckDB file (catalog `warehouse`) with the raw orders, the production
 * `main.fct_orders` holding a stale amount for order 5 (1000 where the true value is 1300: +30%) and a small drift for
 * order 6 (98 for 100: +2%, under the 5% threshold), and `main.daily_totals` built on it. profiles.yml: dev builds in
 * `dev_ana`, prod is `main`, both in the one file. The manifest is hand-written as dbt-duckdb would write it for prod.
 */
export async function duckdbProject(): Promise<{ dir: string; db: string; cleanup: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-devbuild-'));
  const db = path.join(dir, 'warehouse.duckdb');
  writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: shop\nversion: "1.0.0"\nconfig-version: 2\nprofile: shop\nmodel-paths: ["models"]\ntarget-path: "target"\n');
  writeFileSync(path.join(dir, 'profiles.yml'), `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${db}\n      schema: dev_ana\n    prod:\n      type: duckdb\n      path: ${db}\n      schema: main\n`);
  mkdirSync(path.join(dir, 'models'));
  writeFileSync(path.join(dir, 'models', 'fct_orders.sql'), MODEL);
  writeFileSync(path.join(dir, 'models', 'daily_totals.sql'), "{{ config(materialized='table') }}\nselect day, sum(amount) as amount from {{ ref('fct_orders') }} group by day\n");
  const node = (name: string, config: Record<string, unknown>, deps: string[], raw: string) => ({
    unique_id: `model.shop.${name}`, resource_type: 'model', package_name: 'shop', name, fqn: ['shop', name], path: `${name}.sql`, original_file_path: `models/${name}.sql`,
    database: 'warehouse', schema: 'main', alias: name, tags: [], config: { enabled: true, tags: [], ...config }, depends_on: { nodes: deps, macros: [] }, columns: {}, raw_code: raw, language: 'sql',
  });
  const manifest = {
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.9.4', project_name: 'shop', adapter_type: 'duckdb' },
    nodes: {
      'model.shop.fct_orders': node('fct_orders', { materialized: 'incremental', unique_key: 'order_id' }, [], MODEL),
      'model.shop.daily_totals': node('daily_totals', { materialized: 'table' }, ['model.shop.fct_orders'], readFileSync(path.join(dir, 'models', 'daily_totals.sql'), 'utf8')),
    },
    sources: {}, exposures: {}, metrics: {}, semantic_models: {}, saved_queries: {}, unit_tests: {}, macros: {}, docs: {}, groups: {}, selectors: {}, disabled: {},
    parent_map: { 'model.shop.fct_orders': [], 'model.shop.daily_totals': ['model.shop.fct_orders'] },
    child_map: { 'model.shop.fct_orders': ['model.shop.daily_totals'], 'model.shop.daily_totals': [] },
  };
  mkdirSync(path.join(dir, 'target'));
  writeFileSync(path.join(dir, 'target', 'manifest.json'), JSON.stringify(manifest));
  const w = await DuckDbWarehouse.openPath(db);
  try {
    await w.exec('CREATE TABLE main.raw_orders (order_id INTEGER, day DATE, qty INTEGER, price DOUBLE)');
    await w.exec("INSERT INTO main.raw_orders VALUES (1, '2026-04-05', 1, 10), (2, '2026-04-06', 2, 10), (3, '2026-04-07', 3, 10), (4, '2026-04-08', 4, 10), (5, '2026-04-09', 13, 100), (6, '2026-04-10', 10, 10)");
    await w.exec('CREATE TABLE main.fct_orders AS SELECT order_id, day, qty * price AS amount FROM main.raw_orders');
    await w.exec('UPDATE main.fct_orders SET amount = 1000 WHERE order_id = 5');
    await w.exec('UPDATE main.fct_orders SET amount = 98 WHERE order_id = 6');
    await w.exec('CREATE TABLE main.daily_totals AS SELECT day, sum(amount) AS amount FROM main.fct_orders GROUP BY day');
  } finally {
    await w.close();
  }
  return { dir, db, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function amounts(db: string, rel: string): Promise<Record<number, number>> {
  const w = await DuckDbWarehouse.openPath(db);
  try {
    const rows = await w.query<{ order_id: number; amount: number }>(`SELECT order_id, amount FROM ${rel} ORDER BY order_id`);
    return Object.fromEntries(rows.map((r) => [Number(r.order_id), Number(r.amount)]));
  } finally {
    await w.close();
  }
}

