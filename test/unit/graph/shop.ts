import { selectNodes, type SelectOptions } from '../../../src/core/graph';
import type { Manifest } from '../../../src/core/manifest';
import { buildManifest } from './buildManifest';

/*
 * A small project with one member of every kind, for selection tests.
 *
 *   seed raw_orders ──> stg_orders ──> orders ─────┬──> report ──> exposure weekly_dashboard
 *   source app.events ─> stg_events ─> customers ──┘        └──> test assert_report_positive (singular)
 *                        stg_orders ──> customers
 *   orders ──> test unique_orders_id, unit_test test_orders_math, analysis explore,
 *              semantic_model orders_sm ──> metric order_count ──> saved_query order_query
 *   orders, customers ──> test relationships_orders_customer
 *   stg_orders ──> test not_null_stg_orders_id;   app.events ──> test source_not_null_app_events_id
 *   model calendar (package utils) and the on-run-end hook stand alone.
 */
export const SHOP: Record<string, string> = {
  raw_orders: 'seed.shop.raw_orders',
  events: 'source.shop.app.events',
  stg_orders: 'model.shop.stg_orders',
  stg_events: 'model.shop.stg_events',
  orders: 'model.shop.orders',
  customers: 'model.shop.customers',
  report: 'model.shop.report',
  calendar: 'model.utils.calendar',
  unique_orders_id: 'test.shop.unique_orders_id',
  relationships_orders_customer: 'test.shop.relationships_orders_customer',
  not_null_stg_orders_id: 'test.shop.not_null_stg_orders_id',
  source_not_null_app_events_id: 'test.shop.source_not_null_app_events_id',
  assert_report_positive: 'test.shop.assert_report_positive',
  test_orders_math: 'unit_test.shop.orders.test_orders_math',
  weekly_dashboard: 'exposure.shop.weekly_dashboard',
  orders_sm: 'semantic_model.shop.orders_sm',
  order_count: 'metric.shop.order_count',
  order_query: 'saved_query.shop.order_query',
  explore: 'analysis.shop.explore',
  hook: 'operation.shop.shop-on-run-end-0',
};

export const shopManifest = (projectName: string | null = 'shop'): Manifest =>
  buildManifest(
    [
      { id: SHOP.raw_orders!, tags: ['raw'] },
      { id: SHOP.events!, tags: ['raw'], path: 'models/staging/sources.yml', fqn: ['shop', 'staging', 'app', 'events'] },
      {
        id: SHOP.stg_orders!,
        deps: [SHOP.raw_orders!],
        tags: ['staging'],
        path: 'models/staging/stg_orders.sql',
        fqn: ['shop', 'staging', 'stg_orders'],
        config: { materialized: 'view' },
      },
      {
        id: SHOP.stg_events!,
        deps: [SHOP.events!],
        tags: ['staging', 'events'],
        path: 'models/staging/stg_events.sql',
        fqn: ['shop', 'staging', 'stg_events'],
        config: { materialized: 'view' },
      },
      {
        id: SHOP.orders!,
        deps: [SHOP.stg_orders!],
        tags: ['marts', 'nightly'],
        path: 'models/marts/orders.sql',
        patch: 'models/marts/schema.yml',
        fqn: ['shop', 'marts', 'orders'],
        access: 'public',
        group: 'finance',
        config: { materialized: 'incremental', lookback: 3, meta: { owner: 'finance', contains_pii: true } },
      },
      {
        id: SHOP.customers!,
        deps: [SHOP.stg_orders!, SHOP.stg_events!],
        tags: ['marts'],
        path: 'models/marts/customers.sql',
        patch: 'models/marts/schema.yml',
        fqn: ['shop', 'marts', 'customers'],
        access: 'protected',
        config: { materialized: 'table', meta: { owner: 'crm', contains_pii: false } },
      },
      {
        id: SHOP.report!,
        deps: [SHOP.orders!, SHOP.customers!],
        tags: ['nightly'],
        path: 'models/reports/report.sql',
        fqn: ['shop', 'reports', 'report'],
        access: 'protected',
        config: { materialized: 'table', grants: { select: ['reporter', 'analyst'] } },
      },
      { id: SHOP.calendar!, path: 'models/calendar.sql', fqn: ['utils', 'calendar'], tags: ['utils'], config: { materialized: 'table' } },
      {
        id: SHOP.unique_orders_id!,
        deps: [SHOP.orders!],
        testName: 'unique',
        path: 'models/marts/schema.yml',
        fqn: ['shop', 'marts', 'unique_orders_id'],
        config: { severity: 'warn' },
      },
      {
        id: SHOP.relationships_orders_customer!,
        deps: [SHOP.orders!, SHOP.customers!],
        testName: 'relationships',
        path: 'models/marts/schema.yml',
        fqn: ['shop', 'marts', 'relationships_orders_customer'],
        config: { severity: 'ERROR' },
      },
      {
        id: SHOP.not_null_stg_orders_id!,
        deps: [SHOP.stg_orders!],
        testName: 'not_null',
        path: 'models/staging/schema.yml',
        fqn: ['shop', 'staging', 'not_null_stg_orders_id'],
      },
      {
        id: SHOP.source_not_null_app_events_id!,
        deps: [SHOP.events!],
        testName: 'not_null',
        path: 'models/staging/sources.yml',
        fqn: ['shop', 'staging', 'source_not_null_app_events_id'],
      },
      { id: SHOP.assert_report_positive!, deps: [SHOP.report!], path: 'tests/assert_report_positive.sql', fqn: ['shop', 'assert_report_positive'] },
      { id: SHOP.test_orders_math!, deps: [SHOP.orders!], path: 'models/marts/schema.yml', fqn: ['shop', 'marts', 'orders', 'test_orders_math'] },
      { id: SHOP.weekly_dashboard!, deps: [SHOP.report!], path: 'models/exposures.yml', fqn: ['shop', 'weekly_dashboard'] },
      { id: SHOP.orders_sm!, deps: [SHOP.orders!], path: 'models/semantic/orders.yml', fqn: ['shop', 'semantic', 'orders_sm'] },
      { id: SHOP.order_count!, deps: [SHOP.orders_sm!], path: 'models/semantic/orders.yml', fqn: ['shop', 'semantic', 'order_count'] },
      { id: SHOP.order_query!, deps: [SHOP.order_count!], path: 'models/semantic/orders.yml', fqn: ['shop', 'semantic', 'order_query'] },
      { id: SHOP.explore!, deps: [SHOP.orders!], path: 'analyses/explore.sql', fqn: ['shop', 'analysis', 'explore'] },
      { id: SHOP.hook!, path: './dbt_project.yml', fqn: ['shop', 'hooks', 'shop-on-run-end-0'], tags: ['on-run-end'] },
    ],
    projectName,
  );

const shop = shopManifest();

/** Unique ids of short names, sorted as selectNodes returns them. */
export const ids = (...names: string[]): string[] =>
  names
    .map((n) => {
      const id = SHOP[n];
      if (!id) throw new Error(`no shop member '${n}'`);
      return id;
    })
    .sort();

/** The ids selectNodes returns for the shop project. */
export const select = (options: SelectOptions, manifest: Manifest = shop): string[] => selectNodes(manifest, options).ids;
