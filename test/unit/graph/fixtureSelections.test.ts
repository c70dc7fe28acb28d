import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { DEFAULT_RESOURCE_TYPES, selectNodes, SelectorError, type SelectOptions } from '../../../src/core/graph';
import { loadManifest, type Manifest } from '../../../src/core/manifest';
import { fixture } from '../fixtures';

const V4 = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v4.json'));
const V9 = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v9.json'));
const V12 = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v12.json'));
const GNOSIS_FILE = fixture('gnosischain__dbt-cerebro__v12.json');
const GNOSIS = loadManifest(GNOSIS_FILE);

const run = (m: Manifest, options: SelectOptions): string[] => selectNodes(m, options).ids;
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

function selectorError(m: Manifest, options: SelectOptions): SelectorError {
  try {
    selectNodes(m, options);
  } catch (err) {
    assert.ok(err instanceof SelectorError, String(err));
    return err;
  }
  assert.fail(`expected ${JSON.stringify(options)} to fail`);
}

/** jaffle_shop ids by short form: `model:orders`, `test:unique_orders_order_id` (hash found by prefix). */
function jaffle(m: Manifest, ...short: string[]): string[] {
  const all = [...m.nodes.keys()];
  return short
    .map((s) => {
      const [type, name] = s.split(':') as [string, string];
      const exact = `${type}.jaffle_shop.${name}`;
      if (m.nodes.has(exact)) return exact;
      const found = all.filter((id) => id.startsWith(`${exact}.`));
      assert.equal(found.length, 1, `one node for ${s}: ${found.join(', ')}`);
      return found[0]!;
    })
    .sort();
}

/**
 * dbt's semantics done the slow, obvious way, to check the fast one: relatives by a depth-first walk from each
 * selected node separately, then every test or unit test that is a direct child of the selection (eager).
 */
function naive(m: Manifest, collected: Iterable<string>, relatives: 'parents' | 'children' | 'none'): Set<string> {
  const selected = new Set(collected);
  if (relatives !== 'none') {
    const step = relatives === 'children' ? m.childMap : m.parentMap;
    for (const start of collected) {
      const stack = [...(step.get(start) ?? [])];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        selected.add(id);
        stack.push(...(step.get(id) ?? []));
      }
    }
  }
  for (const id of [...selected]) {
    for (const child of m.childMap.get(id) ?? []) {
      const type = m.nodes.get(child)!.resourceType;
      if (type === 'test' || type === 'unit_test') selected.add(child);
    }
  }
  return selected;
}

const listed = (m: Manifest, ids: Iterable<string>): string[] =>
  sorted([...ids].filter((id) => DEFAULT_RESOURCE_TYPES.includes(m.nodes.get(id)!.resourceType)));

describe('graph: selections on jaffle_shop v12 (dbt 1.11, semantic layer and unit tests)', () => {
  it('customers: the model and the semantic model of the same name, and the model\'s tests', () => {
    // fqn leaf 'customers' is model.customers and semantic_model.customers (dbt searches both); the model's four
    // tests join eagerly. The semantic model has no tests.
    assert.deepEqual(
      run(V12, { select: ['customers'] }),
      sorted([
        'model.jaffle_shop.customers',
        'semantic_model.jaffle_shop.customers',
        ...jaffle(V12, 'test:not_null_customers_customer_id', 'test:unique_customers_customer_id', 'test:accepted_values_customers_customer_type__new__returning', 'test:dbt_utils_expression_is_true_customers_lifetime_spend_pretax_lifetime_tax_paid_lifetime_spend'),
      ]),
    );
  });

  it('customers+: down through the semantic layer to the saved query', () => {
    // semantic_model.customers -> metrics lifetime_spend_pretax and count_lifetime_orders -> average_order_value;
    // the saved query customer_order_metrics uses all three.
    assert.deepEqual(
      run(V12, { select: ['customers+'] }),
      sorted([
        ...run(V12, { select: ['customers'] }),
        'metric.jaffle_shop.lifetime_spend_pretax',
        'metric.jaffle_shop.count_lifetime_orders',
        'metric.jaffle_shop.average_order_value',
        'saved_query.jaffle_shop.customer_order_metrics',
      ]),
    );
  });

  it('orders under eager, cautious and buildable: two relationships tests tell them apart', () => {
    // 'orders' names the model, the metric and the semantic model. The model's tests: not_null and unique on
    // order_id, two expression_is_true, the unit test, and two relationships tests with a second parent:
    // relationships_order_items_..._ref_orders_ (other parent order_items, which is upstream of orders) and
    // relationships_orders_customer_id__..._ref_stg_customers_ (other parent stg_customers, not upstream).
    const own = ['model:orders', 'metric:orders', 'semantic_model:orders', 'test:not_null_orders_order_id', 'test:unique_orders_order_id', 'test:dbt_utils_expression_is_true_orders_order_items_subtotal_subtotal', 'test:dbt_utils_expression_is_true_orders_order_total_subtotal_tax_paid', 'unit_test:orders.test_order_items_compute_to_bools_correctly'];
    const upstreamRel = 'test:relationships_order_items_order_id__order_id__ref_orders_';
    const otherRel = 'test:relationships_orders_customer_id__customer_id__ref_stg_customers_';
    // eager: any parent selected is enough.
    assert.deepEqual(run(V12, { select: ['orders'] }), jaffle(V12, ...own, upstreamRel, otherRel));
    // cautious: all parents must be selected; neither relationships test is complete.
    assert.deepEqual(run(V12, { select: ['orders'], indirectSelection: 'cautious' }), jaffle(V12, ...own));
    // buildable: the other parent may be upstream of the selection: order_items is, stg_customers is not.
    assert.deepEqual(run(V12, { select: ['orders'], indirectSelection: 'buildable' }), jaffle(V12, ...own, upstreamRel));
    // empty: only what was named.
    assert.deepEqual(run(V12, { select: ['orders'], indirectSelection: 'empty' }), jaffle(V12, 'model:orders', 'metric:orders', 'semantic_model:orders'));
  });

  it('stg_orders: its relationships test joins eagerly, and under cautious only with stg_order_items', () => {
    const stgOrders = ['model:stg_orders', 'test:not_null_stg_orders_order_id', 'test:unique_stg_orders_order_id', 'test:dbt_utils_expression_is_true_stg_orders_order_total_tax_paid_subtotal'];
    const rel = 'test:relationships_stg_order_items_order_id__order_id__ref_stg_orders_';
    assert.deepEqual(run(V12, { select: ['stg_orders'] }), jaffle(V12, ...stgOrders, rel));
    assert.deepEqual(run(V12, { select: ['stg_orders'], indirectSelection: 'cautious' }), jaffle(V12, ...stgOrders));
    assert.deepEqual(
      run(V12, { select: ['stg_orders stg_order_items'], indirectSelection: 'cautious' }),
      jaffle(V12, ...stgOrders, rel, 'model:stg_order_items', 'test:not_null_stg_order_items_order_item_id', 'test:unique_stg_order_items_order_item_id', 'test:not_null_stg_order_items_order_id'),
    );
  });

  it('the default selection lists all 84 members; resource types narrow it', () => {
    // 13 models, 7 seeds, 27 tests, 6 sources, 19 metrics, 6 semantic models, 3 saved queries, 3 unit tests.
    assert.deepEqual(run(V12, {}), sorted(V12.nodes.keys()));
    assert.equal(run(V12, {}).length, 84);
    assert.equal(run(V12, { resourceTypes: ['model'] }).length, 13);
    assert.equal(run(V12, { resourceTypes: ['test'] }).length, 27);
    assert.equal(run(V12, { resourceTypes: ['metric', 'semantic_model', 'saved_query'] }).length, 28);
    assert.deepEqual(run(V12, { select: ['package:this'] }), run(V12, {}));
  });

  it('unit tests by method, by test type and by resource type', () => {
    const unit = sorted([...V12.nodes.values()].filter((n) => n.resourceType === 'unit_test').map((n) => n.uniqueId));
    assert.equal(unit.length, 3);
    assert.deepEqual(run(V12, { select: ['unit_test:*'] }), unit);
    assert.deepEqual(run(V12, { select: ['test_type:unit'] }), unit);
    assert.deepEqual(run(V12, { select: ['resource_type:unit_test'] }), unit);
    assert.deepEqual(run(V12, { select: ['unit_test:test_supply_costs_sum_correctly'] }), ['unit_test.jaffle_shop.order_items.test_supply_costs_sum_correctly']);
  });

  it('path:models/staging: models, YAML tests, the sources file, the unit test, and one test on a staging parent', () => {
    const result = run(V12, { select: ['path:models/staging'] });
    // 6 staging models, 15 tests in their YAML files, 6 sources from __sources.yml, 1 unit test from
    // stg_locations.yml; plus relationships_orders_customer_id (defined in marts) whose parent stg_customers is in.
    assert.equal(result.length, 29);
    assert.ok(result.includes(jaffle(V12, 'test:relationships_orders_customer_id__customer_id__ref_stg_customers_')[0]!));
    assert.ok(result.includes('source.jaffle_shop.ecom.raw_orders'));
    assert.ok(result.includes('unit_test.jaffle_shop.stg_locations.test_does_location_opened_at_trunc_to_date'));
    assert.ok(!result.includes('model.jaffle_shop.orders'));
  });

  it('graph operators agree with a naive per-node walk', () => {
    const id = (x: string): string => jaffle(V12, x)[0]!;
    const cases: Array<[string, string[], 'parents' | 'children']> = [
      ['source:ecom.raw_orders+', ['source.jaffle_shop.ecom.raw_orders'], 'children'],
      ['+saved_query:revenue_metrics', ['saved_query.jaffle_shop.revenue_metrics'], 'parents'],
      ['+metric:order_gross_profit', ['metric.jaffle_shop.order_gross_profit'], 'parents'],
      ['stg_supplies+', [id('model:stg_supplies')], 'children'],
    ];
    for (const [raw, collected, dir] of cases) assert.deepEqual(run(V12, { select: [raw] }), listed(V12, naive(V12, collected, dir)), raw);
  });
});

describe('graph: selections on jaffle_shop v9 (two packages, no project_name) and v4 (a disabled model)', () => {
  it('a package name is an fqn prefix; hooks in it are selected but not listed', () => {
    // fqn[0] == 'elementary' for its 29 models and 2 on-run hooks; dbt ls does not list operations.
    const models = sorted([...V9.nodes.values()].filter((n) => n.packageName === 'elementary' && n.resourceType === 'model').map((n) => n.uniqueId));
    assert.equal(models.length, 29);
    assert.deepEqual(run(V9, { select: ['elementary'] }), models);
    assert.deepEqual(run(V9, { select: ['elementary'], resourceTypes: ['all'] }), models, 'all still leaves hooks out');
    // 'edr' is the first folder of every elementary model: the package-less fqn prefix.
    assert.deepEqual(run(V9, { select: ['edr'] }), models);
  });

  it('intersection of package and config', () => {
    // The 14 elementary models materialized incrementally (read off the manifest by hand).
    const incremental = ['data_monitoring_metrics', 'dbt_exposures', 'dbt_invocations', 'dbt_metrics', 'dbt_models', 'dbt_run_results', 'dbt_seeds', 'dbt_snapshots', 'dbt_source_freshness_results', 'dbt_sources', 'dbt_tests', 'elementary_test_results', 'schema_columns_snapshot', 'test_result_rows'];
    assert.deepEqual(run(V9, { select: ['package:elementary,config.materialized:incremental'] }), sorted(incremental.map((n) => `model.elementary.${n}`)));
  });

  it('+customers: three staging models, three seeds and all their tests', () => {
    assert.deepEqual(
      run(V9, { select: ['+customers'] }),
      jaffle(
        V9,
        'model:customers', 'model:stg_customers', 'model:stg_orders', 'model:stg_payments',
        'seed:raw_customers', 'seed:raw_orders', 'seed:raw_payments',
        'test:unique_customers_customer_id', 'test:not_null_customers_customer_id', 'test:not_null_customers_no_such_column',
        'test:relationships_orders_customer_id__customer_id__ref_customers_',
        'test:unique_stg_customers_customer_id', 'test:not_null_stg_customers_customer_id',
        'test:unique_stg_orders_order_id', 'test:not_null_stg_orders_order_id', 'test:accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned',
        'test:unique_stg_payments_payment_id', 'test:not_null_stg_payments_payment_id', 'test:accepted_values_stg_payments_payment_method__credit_card__coupon__bank_transfer__gift_card',
      ),
    );
  });

  it('package:this needs metadata.project_name, which dbt 1.5 did not write', () => {
    assert.match(selectorError(V9, { select: ['package:this'] }).message, /cannot be resolved: name the package/);
  });

  it('v4: a disabled model matches nothing; a test on it is eager-only', () => {
    // customers is disabled (dbt keeps it under `disabled`), so the name matches no graph member.
    assert.equal(selectorError(V4, { select: ['customers'] }).message, "Unknown model 'customers' in --select: no node matches it.");
    const relationships = jaffle(V4, 'test:relationships_orders_customer_id__customer_id__ref_customers_')[0]!;
    // Its depends_on still names model.jaffle_shop.customers, which can never be selected: eager takes the test
    // through orders, cautious never does.
    assert.ok(run(V4, { select: ['orders'] }).includes(relationships));
    assert.ok(!run(V4, { select: ['orders'], indirectSelection: 'cautious' }).includes(relationships));
    assert.equal(run(V4, { select: ['orders'] }).length, 11, 'orders and its 10 tests');
    assert.equal(run(V4, { select: ['orders'], indirectSelection: 'cautious' }).length, 10);
  });
});

describe('graph: selections on the Gnosis project (386 nodes, ClickHouse)', () => {
  const raw = JSON.parse(readFileSync(GNOSIS_FILE, 'utf8')) as { nodes: Record<string, { config: Record<string, unknown>; resource_type: string; original_file_path: string }> };
  const byTag = (tag: string): string[] => [...GNOSIS.nodes.values()].filter((n) => n.tags.includes(tag)).map((n) => n.uniqueId);

  it('tag:x+ --exclude tag:x agrees with a naive walk, and keeps no tagged node', () => {
    for (const tag of ['production', 'consensus', 'execution']) {
      const included = naive(GNOSIS, byTag(tag), 'children');
      const excluded = naive(GNOSIS, byTag(tag), 'none');
      const expected = listed(GNOSIS, [...included].filter((id) => !excluded.has(id)));
      const result = run(GNOSIS, { select: [`tag:${tag}+`], exclude: [`tag:${tag}`] });
      assert.deepEqual(result, expected, tag);
      assert.ok(result.every((id) => !GNOSIS.nodes.get(id)!.tags.includes(tag)));
    }
    assert.deepEqual(run(GNOSIS, { select: ['+tag:esg'] }), listed(GNOSIS, naive(GNOSIS, byTag('esg'), 'parents')));
  });

  it('config: the 78 delete+insert models, matching the manifest read raw', () => {
    const expected = sorted(Object.entries(raw.nodes).filter(([, n]) => n.resource_type === 'model' && n.config.incremental_strategy === 'delete+insert').map(([id]) => id));
    assert.equal(expected.length, 78);
    // The + inside the value is not an operator.
    assert.deepEqual(run(GNOSIS, { select: ['config.incremental_strategy:delete+insert'], resourceTypes: ['model'] }), expected);
    // In an intersection each part has picked up the tests on its nodes before intersecting, so the tests on the
    // incremental models are in both parts and stay: dbt does the same (filter with --resource-type model).
    const both = run(GNOSIS, { select: ['config.materialized:incremental,resource_type:model'] });
    assert.deepEqual(both.filter((id) => id.startsWith('model.')), expected);
    const tests = both.filter((id) => !id.startsWith('model.'));
    assert.ok(tests.length > 0);
    for (const t of tests) assert.ok(GNOSIS.parentMap.get(t)!.some((p) => expected.includes(p)), t);
  });

  it('config.meta: a nested boolean', () => {
    const expected = sorted(Object.entries(raw.nodes).filter(([, n]) => (n.config.meta as Record<string, unknown> | undefined)?.authoritative === false).map(([id]) => id));
    assert.ok(expected.length > 0);
    assert.deepEqual(run(GNOSIS, { select: ['config.meta.authoritative:false'], indirectSelection: 'empty' }), expected);
  });

  it('config.lookback:1 matches nothing in dbt, and says why', () => {
    const err = selectorError(GNOSIS, { select: ['config.lookback:1'] });
    assert.match(err.message, /holds the number 1 here, but dbt compares config values as text/);
  });

  it('path: a project folder, matching original_file_path read raw', () => {
    const expected = sorted(Object.entries(raw.nodes).filter(([, n]) => n.resource_type === 'model' && n.original_file_path.startsWith('models/ESG/')).map(([id]) => id));
    assert.ok(expected.length > 10);
    assert.deepEqual(run(GNOSIS, { select: ['models/ESG'], resourceTypes: ['model'] }), expected);
    assert.deepEqual(run(GNOSIS, { select: ['path:models/ESG/*'], resourceTypes: ['model'] }), expected);
  });

  it('source: a source name with a table wildcard', () => {
    const expected = sorted([...GNOSIS.nodes.values()].filter((n) => n.resourceType === 'source' && n.sourceName === 'consensus').map((n) => n.uniqueId));
    assert.ok(expected.length > 0);
    assert.deepEqual(run(GNOSIS, { select: ['source:consensus.*'], resourceTypes: ['source'] }), expected);
  });

  it('a typo in a model name gets the closest of 241 model names', () => {
    const err = selectorError(GNOSIS, { select: ['int_esg_node_client_distributon'] });
    assert.equal(err.suggestion, 'int_esg_node_client_distribution');
  });
});
