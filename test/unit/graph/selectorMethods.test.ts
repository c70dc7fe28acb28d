import { strict as assert } from 'node:assert';
import { selectNodes, SelectorError, type SelectOptions } from '../../../src/core/graph';
import type { Manifest } from '../../../src/core/manifest';
import { buildManifest } from './buildManifest';
import { ids, select, SHOP, shopManifest } from './shop';

function selectorError(options: SelectOptions, manifest: Manifest = shopManifest()): SelectorError {
  try {
    selectNodes(manifest, options);
  } catch (err) {
    assert.ok(err instanceof SelectorError, `expected a SelectorError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(options)} to fail`);
}

const one = (raw: string): string[] => select({ select: [raw] });
const ORDERS_TESTS = ['unique_orders_id', 'relationships_orders_customer', 'test_orders_math'];
const DEFAULT_LISTED = Object.keys(SHOP).filter((n) => n !== 'explore' && n !== 'hook');

describe('graph: selector methods, fqn', () => {
  it('matches a prefix of the fqn, with or without the package', () => {
    // fqn shop.marts.*: orders, customers, their schema.yml tests and the unit test (fqn shop.marts.orders.test_...).
    const marts = ids('orders', 'customers', 'unique_orders_id', 'relationships_orders_customer', 'test_orders_math');
    assert.deepEqual(one('shop.marts'), marts);
    assert.deepEqual(one('marts'), marts, 'the fqn without its package (any package)');
    assert.deepEqual(one('marts.*'), marts, 'a trailing * matches the rest of the fqn');
    assert.deepEqual(one('fqn:marts'), marts, 'fqn: is the default method');
    assert.deepEqual(one('utils'), ids('calendar'), 'a package name is an fqn prefix');
  });

  it('a full fqn is a prefix too: shop.marts.orders also selects the unit test whose fqn continues it', () => {
    // The unit test's fqn is shop.marts.orders.test_orders_math; orders' other tests come in eagerly.
    assert.deepEqual(one('shop.marts.orders'), ids('orders', ...ORDERS_TESTS));
  });

  it('wildcards match, fnmatch-style, from the first wildcard part to the end of the fqn (dbt 1.6+)', () => {
    // shop.*.orders: 'marts.orders' matches '*.orders'; 'semantic.orders_sm' and 'marts.orders.test_orders_math' do not.
    assert.deepEqual(one('shop.*.orders'), ids('orders', ...ORDERS_TESTS));
    // *orders* against each whole fqn: raw_orders, stg_orders, orders, three tests, the unit test, orders_sm.
    // Sources are never selected by fqn (app.events has no 'orders' anyway).
    assert.deepEqual(
      one('*orders*'),
      ids('raw_orders', 'stg_orders', 'orders', 'unique_orders_id', 'relationships_orders_customer', 'not_null_stg_orders_id', 'test_orders_math', 'orders_sm'),
    );
    // '?alendar' fails against 'utils.calendar' but matches the package-less fqn 'calendar'.
    assert.deepEqual(one('?alendar'), ids('calendar'));
    assert.deepEqual(one('[c]alenda[a-r]'), ids('calendar'));
  });

  it('fqn:* selects every member but sources', () => {
    // No test brings app.events back: tests are selected indirectly, sources are not.
    assert.deepEqual(one('fqn:*'), ids(...DEFAULT_LISTED.filter((n) => n !== 'events')));
  });
});

describe('graph: selector methods, versioned models', () => {
  /*
   * dim_customers v1..v3 (latest 2), fct v9..v11 (latest 10), lbl vbeta (latest gamma), and an unversioned stg.
   */
  const versioned = buildManifest([
    { id: 'model.pkg.stg' },
    { id: 'model.pkg.dim_customers.v1', deps: ['model.pkg.stg'], latestVersion: 2 },
    { id: 'model.pkg.dim_customers.v2', deps: ['model.pkg.stg'], latestVersion: 2 },
    { id: 'model.pkg.dim_customers.v3', deps: ['model.pkg.stg'], latestVersion: 2 },
    { id: 'model.pkg.fct.v9', latestVersion: 10 },
    { id: 'model.pkg.fct.v10', latestVersion: 10 },
    { id: 'model.pkg.fct.v11', latestVersion: 10 },
    { id: 'model.pkg.lbl.vbeta', latestVersion: 'gamma' },
    { id: 'test.pkg.unique_dim_customers_v2_id', deps: ['model.pkg.dim_customers.v2'], testName: 'unique' },
  ]);
  const run = (raw: string): string[] => selectNodes(versioned, { select: [raw] }).ids;
  const V2 = ['model.pkg.dim_customers.v2', 'test.pkg.unique_dim_customers_v2_id'];

  it('the model name selects every version', () => {
    // For a versioned model dbt compares the selector with fqn[-2], the model name.
    assert.deepEqual(run('dim_customers'), ['model.pkg.dim_customers.v1', ...V2, 'model.pkg.dim_customers.v3'].sort());
    assert.deepEqual(run('dim_customers.*'), run('dim_customers'));
  });

  it('name.v2, name_v2 and pkg.name.v2 select one version', () => {
    // The fqn's last two parts joined by '_' (dim_customers_v2) against the selector's last two joined by '_'.
    assert.deepEqual(run('dim_customers.v2'), V2);
    assert.deepEqual(run('dim_customers_v2'), V2);
    assert.deepEqual(run('pkg.dim_customers.v2'), V2);
    // dbt compares only the last two parts there, so another package prefix matches as well.
    assert.deepEqual(run('other_pkg.dim_customers.v2'), V2);
    // The version alone is neither the model name nor a prefix.
    assert.throws(() => run('v2'), SelectorError);
  });

  it('version: latest, old, prerelease, none; numeric versions compare as numbers', () => {
    assert.deepEqual(run('version:latest'), ['model.pkg.dim_customers.v2', 'model.pkg.fct.v10', 'test.pkg.unique_dim_customers_v2_id']);
    // 9 < 10 as numbers (as text '9' > '10'); 'beta' < 'gamma' as text, since they are not numbers.
    assert.deepEqual(run('version:old'), ['model.pkg.dim_customers.v1', 'model.pkg.fct.v9', 'model.pkg.lbl.vbeta']);
    assert.deepEqual(run('version:prerelease'), ['model.pkg.dim_customers.v3', 'model.pkg.fct.v11']);
    assert.deepEqual(run('version:none'), ['model.pkg.stg']);
    const err = selectorError({ select: ['version:lates'] }, versioned);
    assert.equal(err.token, 'lates');
    assert.equal(err.suggestion, 'latest');
  });

  it('file: matches the versioned file by its stem', () => {
    assert.deepEqual(run('file:dim_customers_v1'), ['model.pkg.dim_customers.v1']);
    assert.deepEqual(run('dim_customers_v1.sql'), ['model.pkg.dim_customers.v1']);
  });
});

describe('graph: selector methods, tag, group, access, package', () => {
  it('tag: exact or fnmatch, on every kind of member (sources too)', () => {
    const nightly = ids('orders', 'report', ...ORDERS_TESTS, 'assert_report_positive');
    assert.deepEqual(one('tag:nightly'), nightly);
    assert.deepEqual(one('tag:night*'), nightly);
    assert.deepEqual(one('tag:?ightly'), nightly);
    // The seed and the source; the source's test comes in eagerly.
    assert.deepEqual(one('tag:raw'), ids('raw_orders', 'events', 'source_not_null_app_events_id'));
  });

  it('group: and access:', () => {
    assert.deepEqual(one('group:finance'), ids('orders', ...ORDERS_TESTS));
    assert.deepEqual(one('group:fin*'), ids('orders', ...ORDERS_TESTS));
    assert.deepEqual(one('access:public'), ids('orders', ...ORDERS_TESTS));
    // customers and report are protected; relationships (on customers) and assert_report_positive join eagerly.
    assert.deepEqual(one('access:protected'), ids('customers', 'report', 'relationships_orders_customer', 'assert_report_positive'));
    assert.equal(selectorError({ select: ['access:private'] }).message, "Access level 'private' in --select 'access:private': no node matches it.");
    assert.equal(selectorError({ select: ['group:financ'] }).suggestion, 'finance');
  });

  it('package:, with `this` for the root project', () => {
    assert.deepEqual(one('package:utils'), ids('calendar'));
    assert.deepEqual(one('package:util*'), ids('calendar'));
    assert.deepEqual(one('package:this'), ids(...DEFAULT_LISTED.filter((n) => n !== 'calendar')));
    assert.equal(selectorError({ select: ['package:shp'] }).suggestion, 'shop');
  });

  it('package:this cannot be resolved without metadata.project_name (manifests before dbt 1.6)', () => {
    const err = selectorError({ select: ['package:this'] }, shopManifest(null));
    assert.match(err.message, /does not record the root project's name \(metadata\.project_name/);
  });
});

describe('graph: selector methods, source, exposure, metric, semantic_model, saved_query, unit_test', () => {
  it('source: source, source.table, package.source.table, with wildcards', () => {
    const events = ids('events', 'source_not_null_app_events_id');
    for (const raw of ['source:app', 'source:app.events', 'source:shop.app.events', 'source:*.ev*', 'source:a*']) {
      assert.deepEqual(one(raw), events, raw);
    }
    // Downstream of the source: stg_events, customers, report and their tests, the exposure.
    assert.deepEqual(
      one('source:app+'),
      ids('events', 'source_not_null_app_events_id', 'stg_events', 'customers', 'report', 'relationships_orders_customer', 'assert_report_positive', 'weekly_dashboard'),
    );
    assert.match(selectorError({ select: ['source:a.b.c.d'] }).message, /^Invalid source selector value 'a\.b\.c\.d'/);
    assert.equal(selectorError({ select: ['source:ap'] }).suggestion, 'app');
    assert.equal(selectorError({ select: ['source:app.evnts'] }).suggestion, 'app.events');
  });

  it('exposure:, metric:, semantic_model:, saved_query:, unit_test: by name or package.name', () => {
    assert.deepEqual(one('exposure:weekly_dashboard'), ids('weekly_dashboard'));
    assert.deepEqual(one('exposure:shop.weekly*'), ids('weekly_dashboard'));
    assert.deepEqual(one('metric:order_count'), ids('order_count'));
    assert.deepEqual(one('metric:shop.order_count'), ids('order_count'));
    assert.deepEqual(one('semantic_model:orders_sm'), ids('orders_sm'));
    assert.deepEqual(one('saved_query:*query'), ids('order_query'));
    assert.deepEqual(one('unit_test:test_orders_math'), ids('test_orders_math'));
    assert.deepEqual(one('unit_test:shop.test_orders_math'), ids('test_orders_math'));
    assert.match(selectorError({ select: ['exposure:a.b.c'] }).message, /^Invalid exposure selector value 'a\.b\.c'/);
    assert.equal(selectorError({ select: ['metric:order_cnt'] }).suggestion, 'order_count');
  });

  it('with + they select what feeds them', () => {
    // Upstream of the exposure: report and everything before it, with all those members' tests.
    assert.deepEqual(
      one('+exposure:weekly_dashboard'),
      ids('weekly_dashboard', 'report', 'orders', 'customers', 'stg_orders', 'stg_events', 'raw_orders', 'events', 'assert_report_positive', ...ORDERS_TESTS, 'not_null_stg_orders_id', 'source_not_null_app_events_id'),
    );
    // metric <- orders_sm <- orders <- stg_orders <- raw_orders.
    assert.deepEqual(one('+metric:order_count'), ids('order_count', 'orders_sm', 'orders', 'stg_orders', 'raw_orders', ...ORDERS_TESTS, 'not_null_stg_orders_id'));
    // The unit test's only parent is orders.
    assert.deepEqual(
      one('+unit_test:test_orders_math'),
      ids('test_orders_math', 'orders', 'stg_orders', 'raw_orders', 'unique_orders_id', 'relationships_orders_customer', 'not_null_stg_orders_id'),
    );
  });
});

describe('graph: selector methods, path and file', () => {
  const staging = ids('stg_orders', 'stg_events', 'events', 'not_null_stg_orders_id', 'source_not_null_app_events_id');

  it('path: a folder selects every member defined under it, sources and YAML-defined tests included', () => {
    assert.deepEqual(one('path:models/staging'), staging);
    assert.deepEqual(one('models/staging'), staging, 'a value with a / is a path');
    assert.deepEqual(one('models/staging/'), staging);
    assert.deepEqual(one('path:tests'), ids('assert_report_positive'));
    // Under models/ is everything but the seed, the singular test, the analysis and the hook; the singular test
    // on report comes back eagerly.
    assert.deepEqual(one('path:models'), ids(...DEFAULT_LISTED.filter((n) => n !== 'raw_orders')));
  });

  it('path: a file selects what it defines, and the models it documents (patch path)', () => {
    // ofp models/marts/schema.yml: two tests and the unit test; patch path: orders and customers.
    assert.deepEqual(one('path:models/marts/schema.yml'), ids('orders', 'customers', ...ORDERS_TESTS));
  });

  it('path: globs, one folder per segment and ** for any depth', () => {
    assert.deepEqual(one('path:models/*/stg_*.sql'), ids('stg_orders', 'stg_events', 'not_null_stg_orders_id'));
    assert.deepEqual(one('models/**/report.sql'), ids('report', 'assert_report_positive'));
    assert.deepEqual(one('path:models/*/report.sql'), ids('report', 'assert_report_positive'));
    // `*` does not cross a folder: models/*.sql is only the file directly in models/.
    assert.deepEqual(one('path:models/*.sql'), ids('calendar'));
  });

  it('path: refuses absolute paths and suggests the closest existing path', () => {
    assert.match(selectorError({ select: ['path:/models/staging'] }).message, /relative to the project root/);
    const err = selectorError({ select: ['models/stagng'] });
    assert.equal(err.message, "Unknown path 'models/stagng' in --select: no node matches it. Did you mean 'models/staging'?");
  });

  it('file: the file name, or its stem (dbt 1.8+)', () => {
    assert.deepEqual(one('file:orders.sql'), ids('orders', ...ORDERS_TESTS));
    assert.deepEqual(one('orders.sql'), ids('orders', ...ORDERS_TESTS), 'a value ending in .sql is a file');
    // The stem 'orders' also names models/semantic/orders.yml, which defines the semantic layer nodes.
    assert.deepEqual(one('file:orders'), ids('orders', ...ORDERS_TESTS, 'orders_sm', 'order_count', 'order_query'));
    // Two schema.yml files: orders' tests and unit test, and stg_orders' test.
    assert.deepEqual(one('file:schema.yml'), ids(...ORDERS_TESTS, 'not_null_stg_orders_id'));
    assert.deepEqual(one('file:*.csv'), ids('raw_orders'));
    // Case-sensitive, as on Linux.
    assert.equal(selectorError({ select: ['report.SQL'] }).suggestion, 'report.sql');
    assert.equal(selectorError({ select: ['file:ordrs.sql'] }).suggestion, 'orders.sql');
  });
});

describe('graph: selector methods, config', () => {
  it('config.<key>: compares text values', () => {
    assert.deepEqual(one('config.materialized:incremental'), ids('orders', ...ORDERS_TESTS));
    assert.deepEqual(one('config.materialized:view'), ids('stg_orders', 'stg_events', 'not_null_stg_orders_id'));
    assert.deepEqual(one('config.materialized:table'), ids('customers', 'report', 'calendar', 'relationships_orders_customer', 'assert_report_positive'));
  });

  it('nested keys, list membership and booleans (true/false in any case)', () => {
    assert.deepEqual(one('config.meta.owner:finance'), ids('orders', ...ORDERS_TESTS));
    for (const t of ['true', 'TRUE', 'True']) assert.deepEqual(one(`config.meta.contains_pii:${t}`), ids('orders', ...ORDERS_TESTS), t);
    assert.deepEqual(one('config.meta.contains_pii:false'), ids('customers', 'relationships_orders_customer'));
    // config.tags is a list: membership.
    assert.deepEqual(one('config.tags:nightly'), ids('orders', 'report', ...ORDERS_TESTS, 'assert_report_positive'));
    // A dict key, then a list: grants.select holds ['reporter', 'analyst'].
    assert.deepEqual(one('config.grants.select:reporter'), ids('report', 'assert_report_positive'));
  });

  it('config.severity compares case-insensitively', () => {
    assert.deepEqual(one('config.severity:WARN'), ids('unique_orders_id'));
    assert.deepEqual(one('config.severity:error'), ids('relationships_orders_customer'));
  });

  it('searches nodes and sources only; other members come in only as tests, indirectly', () => {
    // enabled is true on every node and source. Exposures, metrics, semantic models and saved queries are not
    // searched; the unit test is not searched either but joins as a test on orders.
    assert.deepEqual(
      one('config.enabled:true'),
      ids('raw_orders', 'events', 'stg_orders', 'stg_events', 'orders', 'customers', 'report', 'calendar', 'unique_orders_id', 'relationships_orders_customer', 'not_null_stg_orders_id', 'source_not_null_app_events_id', 'assert_report_positive', 'test_orders_math'),
    );
  });

  it('numbers never match (dbt compares the text selector with the value), and the error says so', () => {
    const err = selectorError({ select: ['config.lookback:3'] });
    assert.match(err.message, /^config\.lookback value '3' in --select 'config\.lookback:3': no node matches it\. config\.lookback holds the number 3 here, but dbt compares config values as text/);
  });

  it('an unknown key or value, with suggestions', () => {
    const key = selectorError({ select: ['config.materilized:view'] });
    assert.equal(key.message, "Config key 'config.materilized' in --select 'config.materilized:view': no node has it. Did you mean 'config.materialized'?");
    assert.equal(key.token, 'config.materilized');
    assert.equal(key.suggestion, 'config.materialized');
    assert.equal(selectorError({ select: ['config.meta.ownr:crm'] }).suggestion, 'config.meta.owner');
    const value = selectorError({ select: ['config.materialized:incremantal'] });
    assert.equal(value.token, 'incremantal');
    assert.equal(value.suggestion, 'incremental');
    assert.match(selectorError({ select: ['config:view'] }).message, /the config method needs a key/);
  });
});

describe('graph: selector methods, resource_type, test_name, test_type', () => {
  it('resource_type:', () => {
    assert.deepEqual(one('resource_type:seed'), ids('raw_orders'));
    assert.deepEqual(one('resource_type:source'), ids('events', 'source_not_null_app_events_id'));
    assert.deepEqual(one('resource_type:unit_test'), ids('test_orders_math'));
    // All models, and the tests on models (not the source's test).
    assert.deepEqual(
      one('resource_type:model'),
      ids('stg_orders', 'stg_events', 'orders', 'customers', 'report', 'calendar', ...ORDERS_TESTS, 'not_null_stg_orders_id', 'assert_report_positive'),
    );
    assert.equal(
      selectorError({ select: ['resource_type:snapshot'] }).message,
      "Resource type 'snapshot' in --select 'resource_type:snapshot': no node matches it. The manifest has no enabled snapshot nodes.",
    );
    const bad = selectorError({ select: ['resource_type:modle'] });
    assert.equal(bad.suggestion, 'model');
    assert.match(bad.message, /^'modle' is not a resource type/);
  });

  it('test_name: the generic test\'s name, or a unit test\'s name', () => {
    assert.deepEqual(one('test_name:unique'), ids('unique_orders_id'));
    assert.deepEqual(one('test_name:not_null'), ids('not_null_stg_orders_id', 'source_not_null_app_events_id'));
    assert.deepEqual(one('test_name:rel*'), ids('relationships_orders_customer'));
    assert.deepEqual(one('test_name:test_orders_math'), ids('test_orders_math'));
    assert.equal(selectorError({ select: ['test_name:uniqe'] }).suggestion, 'unique');
  });

  it('test_type: generic (schema), singular, data (both), unit', () => {
    const generic = ids('unique_orders_id', 'relationships_orders_customer', 'not_null_stg_orders_id', 'source_not_null_app_events_id');
    assert.deepEqual(one('test_type:generic'), generic);
    assert.deepEqual(one('test_type:schema'), generic);
    assert.deepEqual(one('test_type:singular'), ids('assert_report_positive'));
    assert.deepEqual(one('test_type:data'), [...generic, SHOP.assert_report_positive!].sort());
    assert.deepEqual(one('test_type:unit'), ids('test_orders_math'));
    // dbt tests `selector in ("data")`, a substring test on the word: 'dat' is accepted as data.
    assert.deepEqual(one('test_type:dat'), one('test_type:data'));
    const bad = selectorError({ select: ['test_type:singualr'] });
    assert.equal(bad.suggestion, 'singular');
    assert.match(bad.message, /^Invalid test type selector 'singualr'/);
  });
});
