import { strict as assert } from 'node:assert';
import { selectNodes, SelectorError, type SelectOptions } from '../../../src/core/graph';
import { buildManifest } from './buildManifest';
import { ids, select, SHOP, shopManifest } from './shop';

/** Runs a selection expected to fail and returns its SelectorError. */
function selectorError(options: SelectOptions, manifest = shopManifest()): SelectorError {
  try {
    selectNodes(manifest, options);
  } catch (err) {
    assert.ok(err instanceof SelectorError, `expected a SelectorError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(options)} to fail`);
}

/** Every shop member `dbt ls` lists by default: all but the analysis and the hook. */
const DEFAULT_LISTED = Object.keys(SHOP).filter((n) => n !== 'explore' && n !== 'hook');

describe('graph: selectNodes, graph operators', () => {
  it('a bare name selects that node and, eagerly, the tests and unit tests attached to it', () => {
    // fqn leaf 'orders' is only model.shop.orders (orders_sm and test_orders_math have other leaves). Its direct
    // test children join by eager indirect selection: unique_orders_id, relationships_orders_customer (one of its
    // two parents is selected, which is enough under eager) and the unit test on orders. The analysis, semantic
    // model and report are children too, but only tests are selected indirectly.
    assert.deepEqual(select({ select: ['orders'] }), ids('orders', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math'));
  });

  it('x+ adds every descendant; the resource-type filter comes last', () => {
    // Descendants of orders: its tests and unit test, the analysis explore, orders_sm -> order_count ->
    // order_query, report -> assert_report_positive and weekly_dashboard. dbt ls drops analyses by default.
    const downstream = ['orders', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math', 'orders_sm', 'order_count', 'order_query', 'report', 'assert_report_positive', 'weekly_dashboard'];
    assert.deepEqual(select({ select: ['orders+'] }), ids(...downstream));
    // `all` adds analyses (still not the hook); `model` keeps the models only.
    assert.deepEqual(select({ select: ['orders+'], resourceTypes: ['all'] }), ids(...downstream, 'explore'));
    assert.deepEqual(select({ select: ['orders+'], resourceTypes: ['model'] }), ids('orders', 'report'));
  });

  it('+x adds every ancestor, and each ancestor brings its own tests', () => {
    // Upstream of orders: stg_orders, raw_orders. Tests attached to the selected set: not_null_stg_orders_id (on
    // stg_orders) and orders' three. raw_orders has none.
    assert.deepEqual(
      select({ select: ['+orders'] }),
      ids('raw_orders', 'stg_orders', 'orders', 'not_null_stg_orders_id', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math'),
    );
  });

  it('n+x and x+n limit the depth', () => {
    // 1+report: report's direct parents orders and customers, plus tests on the three (assert_report_positive on
    // report; unique, relationships and the unit test on orders).
    const onePlus = ['report', 'orders', 'customers', 'assert_report_positive', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math'];
    assert.deepEqual(select({ select: ['1+report'] }), ids(...onePlus));
    // 2+report reaches stg_orders and stg_events (and not_null_stg_orders_id), not the seed or source at depth 3.
    assert.deepEqual(select({ select: ['2+report'] }), ids(...onePlus, 'stg_orders', 'stg_events', 'not_null_stg_orders_id'));
    // stg_orders+1: its direct children orders, customers, not_null_stg_orders_id; then tests on orders/customers.
    assert.deepEqual(
      select({ select: ['stg_orders+1'] }),
      ids('stg_orders', 'orders', 'customers', 'not_null_stg_orders_id', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math'),
    );
    // A depth of 0 adds nothing (networkx 3.2+ bfs with depth_limit=0 yields no edge).
    assert.deepEqual(select({ select: ['0+orders'] }), select({ select: ['orders'] }));
  });

  it('+x+ selects both directions', () => {
    // Ancestors of report: orders, customers, stg_orders, stg_events, raw_orders, app.events. Descendants:
    // assert_report_positive, weekly_dashboard. Tests on the ancestors join: orders' three, not_null_stg_orders_id,
    // source_not_null_app_events_id.
    assert.deepEqual(
      select({ select: ['+report+'] }),
      ids('events', 'raw_orders', 'stg_orders', 'stg_events', 'orders', 'customers', 'report', 'assert_report_positive', 'weekly_dashboard', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math', 'not_null_stg_orders_id', 'source_not_null_app_events_id'),
    );
  });

  it('@x selects x, its descendants and all their ancestors', () => {
    // orders' descendants include report and relationships_orders_customer, whose other parent is customers; so
    // customers and its whole upstream (stg_events, app.events) come in, which `orders+` does not have. Then
    // their tests. That is every listed member (the analysis explore is selected too, but not listed).
    assert.deepEqual(select({ select: ['@orders'] }), ids(...DEFAULT_LISTED.filter((n) => n !== 'calendar')));
    assert.ok(!select({ select: ['orders+'] }).includes(SHOP.customers!));
  });
});

describe('graph: selectNodes, set operators', () => {
  it('space is a union, within one value or across values', () => {
    // orders and its tests, customers and its test (relationships is shared).
    const expected = ids('orders', 'customers', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math');
    assert.deepEqual(select({ select: ['orders customers'] }), expected);
    assert.deepEqual(select({ select: ['orders', 'customers'] }), expected);
    assert.deepEqual(select({ select: [' orders  customers '] }), expected, 'extra spaces add nothing');
  });

  it('comma is an intersection, taken after each part has picked up its tests', () => {
    // tag:nightly -> orders, report (+ orders' three tests, assert_report_positive); tag:marts -> orders,
    // customers (+ orders' tests, relationships). In common: orders and its tests.
    assert.deepEqual(select({ select: ['tag:nightly,tag:marts'] }), ids('orders', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math'));
    // +report (13 members) intersected with tag:staging (stg_orders, stg_events and not_null_stg_orders_id).
    assert.deepEqual(select({ select: ['+report,tag:staging'] }), ids('stg_orders', 'stg_events', 'not_null_stg_orders_id'));
  });

  it('an intersection that comes out empty is a warning, as dbt warns, not an error', () => {
    const result = selectNodes(shopManifest(), { select: ['tag:staging,tag:nightly', 'calendar'] });
    // calendar still selects itself; the intersection selects nothing.
    assert.deepEqual(result.ids, ids('calendar'));
    assert.deepEqual(result.warnings, [
      "The selection criterion 'tag:staging,tag:nightly' (--select) does not match any enabled nodes: each of its parts matches something, but no node matches all of them.",
    ]);
    const nothing = selectNodes(shopManifest(), { select: ['tag:staging,tag:nightly'] });
    assert.deepEqual(nothing.ids, []);
    assert.equal(nothing.warnings.length, 2);
    assert.equal(nothing.warnings[1], 'No nodes selected!');
  });

  it('--exclude removes its selection, tests included (eagerly)', () => {
    // +report: report, orders, customers, stg_orders, stg_events, raw_orders, app.events and their tests.
    // Excluding stg_orders also excludes its test not_null_stg_orders_id.
    assert.deepEqual(
      select({ select: ['+report'], exclude: ['stg_orders'] }),
      ids('report', 'orders', 'customers', 'stg_events', 'raw_orders', 'events', 'assert_report_positive', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math', 'source_not_null_app_events_id'),
    );
    // orders+ minus report+ (report, assert_report_positive, weekly_dashboard).
    assert.deepEqual(
      select({ select: ['orders+'], exclude: ['report+'] }),
      ids('orders', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math', 'orders_sm', 'order_count', 'order_query'),
    );
  });

  it('--exclude has the same grammar (union of intersections) and applies to the default selection', () => {
    // Everything listed by default, minus tag:nightly (orders, report + their tests) and tag:staging (stg models +
    // not_null_stg_orders_id).
    assert.deepEqual(
      select({ exclude: ['tag:nightly tag:staging'] }),
      ids('raw_orders', 'events', 'customers', 'calendar', 'source_not_null_app_events_id', 'weekly_dashboard', 'orders_sm', 'order_count', 'order_query'),
    );
    // An intersection in --exclude: tag:nightly gives orders, report and (eagerly) their tests; resource_type:model
    // gives every model and the tests on models. In both: orders, report, orders' three tests and
    // assert_report_positive. That is removed from +report.
    assert.deepEqual(
      select({ select: ['+report'], exclude: ['tag:nightly,resource_type:model'] }),
      ids('customers', 'stg_orders', 'stg_events', 'raw_orders', 'events', 'not_null_stg_orders_id', 'source_not_null_app_events_id'),
    );
  });
});

describe('graph: selectNodes, indirect selection', () => {
  /*
   *   a -> b -> c        x
   *   test unique_a (a), unique_b (b), rel_b_a (a, b: b references a), rel_c_x (c, x); unit test ut_b (b)
   */
  const abc = buildManifest([
    { id: 'model.p.a' },
    { id: 'model.p.b', deps: ['model.p.a'] },
    { id: 'model.p.c', deps: ['model.p.b'] },
    { id: 'model.p.x' },
    { id: 'test.p.unique_a', deps: ['model.p.a'], testName: 'unique' },
    { id: 'test.p.unique_b', deps: ['model.p.b'], testName: 'unique' },
    { id: 'test.p.rel_b_a', deps: ['model.p.a', 'model.p.b'], testName: 'relationships' },
    { id: 'test.p.rel_c_x', deps: ['model.p.c', 'model.p.x'], testName: 'relationships' },
    { id: 'unit_test.p.b.ut_b', deps: ['model.p.b'] },
  ], 'p');
  const run = (options: SelectOptions): string[] => selectNodes(abc, options).ids;

  it('eager (default): a test joins when any of its parents is selected', () => {
    assert.deepEqual(run({ select: ['b'] }), ['model.p.b', 'test.p.rel_b_a', 'test.p.unique_b', 'unit_test.p.b.ut_b']);
    assert.deepEqual(run({ select: ['b'], indirectSelection: 'eager' }), run({ select: ['b'] }));
  });

  it('cautious: only when all its parents are selected', () => {
    // rel_b_a also needs a, so it stays out; the unit test's only parent is b.
    assert.deepEqual(run({ select: ['b'], indirectSelection: 'cautious' }), ['model.p.b', 'test.p.unique_b', 'unit_test.p.b.ut_b']);
    // +b selects a too, so rel_b_a is complete.
    assert.deepEqual(run({ select: ['+b'], indirectSelection: 'cautious' }), [
      'model.p.a', 'model.p.b', 'test.p.rel_b_a', 'test.p.unique_a', 'test.p.unique_b', 'unit_test.p.b.ut_b',
    ]);
  });

  it('cautious: a test completed across union members is added (incorporate_indirect_nodes)', () => {
    // c alone holds rel_c_x back (x missing), x alone too; their union has both parents.
    assert.deepEqual(run({ select: ['c x'], indirectSelection: 'cautious' }), ['model.p.c', 'model.p.x', 'test.p.rel_c_x']);
    // Under eager it joins through either member.
    assert.deepEqual(run({ select: ['x'] }), ['model.p.x', 'test.p.rel_c_x']);
  });

  it('buildable: also when its other parents are upstream of the selection', () => {
    // rel_b_a's other parent a is b's parent, so b's build can test it.
    assert.deepEqual(run({ select: ['b'], indirectSelection: 'buildable' }), ['model.p.b', 'test.p.rel_b_a', 'test.p.unique_b', 'unit_test.p.b.ut_b']);
    // rel_c_x's other parent x is not upstream of c.
    assert.deepEqual(run({ select: ['c'], indirectSelection: 'buildable' }), ['model.p.c']);
  });

  it('empty: no test is added indirectly', () => {
    assert.deepEqual(run({ select: ['b'], indirectSelection: 'empty' }), ['model.p.b']);
    assert.deepEqual(run({ select: ['+b'], indirectSelection: 'empty' }), ['model.p.a', 'model.p.b']);
    // A test selected directly is still selected.
    assert.deepEqual(run({ select: ['test_name:relationships'], indirectSelection: 'empty' }), ['test.p.rel_b_a', 'test.p.rel_c_x']);
  });

  it('test exclusion is always greedy: a test goes when any parent is excluded, whatever the mode', () => {
    // Included under cautious: a, b, unique_a, unique_b, rel_b_a, ut_b. Excluding a takes unique_a and rel_b_a
    // with it (eager expansion of the exclusion), although rel_b_a's other parent b stays selected.
    for (const mode of ['eager', 'cautious', 'buildable'] as const) {
      assert.deepEqual(run({ select: ['+b'], exclude: ['a'], indirectSelection: mode }), ['model.p.b', 'test.p.unique_b', 'unit_test.p.b.ut_b'], mode);
    }
  });

  it('refuses an unknown mode', () => {
    const err = selectorError({ select: ['b'], indirectSelection: 'eagr' as 'eager' }, abc);
    assert.equal(err.token, 'eagr');
    assert.equal(err.suggestion, 'eager');
  });
});

describe('graph: selectNodes, resource types and the default selection', () => {
  it('without --select, dbt ls lists every member of its default resource types', () => {
    // DEFAULT_INCLUDES (fqn:*, source:*, ...) cover every member; the analysis and the hook are not default types.
    assert.deepEqual(select({}), ids(...DEFAULT_LISTED));
    assert.deepEqual(select({ select: [] }), ids(...DEFAULT_LISTED), 'an empty --select is no --select');
    assert.deepEqual(select({ resourceTypes: ['default'] }), ids(...DEFAULT_LISTED));
  });

  it('all adds analyses (never hooks); types combine; names are case-insensitive and may be space-separated', () => {
    assert.deepEqual(select({ resourceTypes: ['all'] }), ids(...DEFAULT_LISTED, 'explore'));
    assert.deepEqual(select({ resourceTypes: ['default', 'analysis'] }), ids(...DEFAULT_LISTED, 'explore'));
    assert.deepEqual(select({ resourceTypes: ['Model'] }), ids('stg_orders', 'stg_events', 'orders', 'customers', 'report', 'calendar'));
    assert.deepEqual(select({ resourceTypes: ['seed source'] }), ids('raw_orders', 'events'));
    assert.deepEqual(
      select({ resourceTypes: ['test', 'unit_test'] }),
      ids('unique_orders_id', 'relationships_orders_customer', 'not_null_stg_orders_id', 'source_not_null_app_events_id', 'assert_report_positive', 'test_orders_math'),
    );
  });

  it('filters after selecting: a criterion that selects only unlisted types warns "No nodes selected!"', () => {
    const result = selectNodes(shopManifest(), { select: ['resource_type:analysis'] });
    assert.deepEqual(result.ids, []);
    assert.deepEqual(result.warnings, ['No nodes selected!']);
  });

  it('refuses an unknown resource type, with the closest one', () => {
    const err = selectorError({ resourceTypes: ['modle'] });
    assert.equal(err.token, 'modle');
    assert.equal(err.suggestion, 'model');
    assert.match(err.message, /'modle' is not a --resource-type; did you mean 'model'\?/);
  });
});

describe('graph: selectNodes, errors', () => {
  it('a name that matches nothing, with the closest node name', () => {
    const err = selectorError({ select: ['customrs'] });
    assert.equal(err.message, "Unknown model 'customrs' in --select: no node matches it. Did you mean 'customers'?");
    assert.equal(err.token, 'customrs');
    assert.equal(err.suggestion, 'customers');
  });

  it('names the whole criterion when it has operators or a method, and --exclude when it is there', () => {
    const err = selectorError({ select: ['orders'], exclude: ['tag:nighty+'] });
    assert.equal(err.message, "Unknown tag 'nighty' in --exclude 'tag:nighty+': no node matches it. Did you mean 'nightly'?");
    assert.equal(err.token, 'nighty');
    assert.equal(err.suggestion, 'nightly');
  });

  it('an unknown method, with the closest method', () => {
    const err = selectorError({ select: ['tga:nightly'] });
    assert.equal(err.message, "'tga' is not a selector method; did you mean 'tag'?");
    assert.equal(err.token, 'tga');
    assert.equal(err.suggestion, 'tag');
  });

  it('reports syntax errors anywhere before values that match nothing', () => {
    // dbt parses the whole --select/--exclude before it selects.
    assert.equal(selectorError({ select: ['customrs'], exclude: ['tga:x'] }).token, 'tga');
  });

  it('an fqn wildcard must match the whole fqn: stg_* matches nothing, *stg_* is suggested', () => {
    // dbt fnmatches from the first wildcard part to the end of the fqn: 'stg_*' against 'shop.staging.stg_orders'
    // (and 'staging.stg_orders') fails. '*stg_*' matches.
    const err = selectorError({ select: ['stg_*'] });
    assert.equal(err.suggestion, '*stg_*');
    assert.match(err.message, /^Unknown model 'stg_\*' in --select: no node matches it\. Did you mean '\*stg_\*'\? A pattern is matched against the whole fqn/);
    assert.deepEqual(select({ select: ['*stg_*'] }), ids('stg_orders', 'stg_events', 'not_null_stg_orders_id'));
  });

  it('methods that need another run\'s artifacts are refused as unsupported', () => {
    for (const [raw, method] of [['state:modified+', 'state'], ['result:error', 'result'], ['source_status:fresher+', 'source_status'], ['selector:nightly', 'selector']]) {
      const err = selectorError({ select: [raw!] });
      assert.equal(err.token, method);
      assert.equal(err.suggestion, null);
      assert.match(err.message, new RegExp(`^The '${method}' method \\('${raw!.replace('+', '\\+')}'\\) is not supported here: `));
    }
  });
});
