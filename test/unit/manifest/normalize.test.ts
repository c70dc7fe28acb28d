import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { loadManifest, normalizeManifest, schemaVersionOf, type Manifest } from '../../../src/core/manifest';
import { fixture } from '../fixtures';


function countByType(m: Manifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of m.nodes.values()) counts[n.resourceType] = (counts[n.resourceType] ?? 0) + 1;
  return counts;
}

/**
 * Enabled graph members per fixture: SOURCES.md's counts, less the tests disabled by config that dbt leaves in
 * `nodes` with enabled=false (2 in v4, 122 in Gnosis), which dbt never selects.
 */
const EXPECTED: Array<{ file: string; schema: number; dbt: string; counts: Record<string, number> }> = [
  { file: 'yu-iskw__dbt-artifacts-parser__v4.json', schema: 4, dbt: '1.0.0', counts: { model: 5, seed: 3, test: 18 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v5.json', schema: 5, dbt: '1.1.0', counts: { model: 25, seed: 3, test: 20, operation: 1, source: 6 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v6.json', schema: 6, dbt: '1.2.1', counts: { model: 5, seed: 3, test: 20 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v7.json', schema: 7, dbt: '1.3.0', counts: { model: 5, seed: 3, test: 20 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v8.json', schema: 8, dbt: '1.4.1', counts: { model: 5, seed: 3, test: 20 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v9.json', schema: 9, dbt: '1.5.0rc1', counts: { model: 34, seed: 3, test: 21, operation: 2 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v10.json', schema: 10, dbt: '1.6.0', counts: { model: 6, seed: 3, test: 20 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v11.json', schema: 11, dbt: '1.7.0', counts: { model: 35, seed: 3, test: 20, operation: 2 } },
  { file: 'yu-iskw__dbt-artifacts-parser__v12-dbt1.9.json', schema: 12, dbt: '1.9.0', counts: { model: 36, seed: 3, test: 20, operation: 2 } },
  {
    file: 'yu-iskw__dbt-artifacts-parser__v12.json',
    schema: 12,
    dbt: '1.11.7',
    counts: { model: 13, seed: 7, test: 27, source: 6, metric: 19, semantic_model: 6, saved_query: 3, unit_test: 3 },
  },
  { file: 'gnosischain__dbt-cerebro__v12.json', schema: 12, dbt: '1.9.4', counts: { model: 241, seed: 4, test: 19, source: 70 } },
];

describe('manifest: normalize every schema version', () => {
  for (const e of EXPECTED) {
    describe(`v${e.schema} ${e.file}`, () => {
      const m = loadManifest(fixture(e.file));
      const raw = JSON.parse(readFileSync(fixture(e.file), 'utf8')) as {
        nodes: Record<string, { refs?: unknown[]; depends_on?: { nodes: string[] }; config: { enabled: boolean } }>;
        parent_map: Record<string, string[]>;
        child_map: Record<string, string[]>;
      };

      it('reads the schema and dbt versions', () => {
        assert.equal(m.metadata.schemaVersion, e.schema);
        assert.equal(m.metadata.dbtVersion, e.dbt);
        assert.deepEqual(m.warnings, []);
      });

      it('has every graph member, by resource type', () => {
        assert.deepEqual(countByType(m), e.counts);
      });

      it('normalizes refs to {name, package, version}', () => {
        for (const [id, node] of Object.entries(raw.nodes)) {
          if (!node.config.enabled) continue;
          const n = m.nodes.get(id)!;
          assert.equal(n.refs.length, (node.refs ?? []).length, id);
          for (const r of n.refs) {
            assert.equal(typeof r.name, 'string');
            assert.ok(r.name.length > 0);
            assert.ok(r.package === null || typeof r.package === 'string');
          }
        }
      });

      it('reads depends_on.nodes and the parent/child maps the manifest holds', () => {
        const live = (ids: string[]): string[] => [...new Set(ids)].filter((x) => m.nodes.has(x)).sort();
        for (const [id, node] of Object.entries(raw.nodes)) {
          if (!node.config.enabled) {
            assert.ok(!m.nodes.has(id), `${id} is disabled`);
            continue;
          }
          assert.deepEqual(m.nodes.get(id)!.dependsOn, node.depends_on?.nodes ?? [], id);
        }
        for (const [id, parents] of Object.entries(raw.parent_map)) {
          if (!m.nodes.has(id)) continue;
          assert.deepEqual([...m.parentMap.get(id)!].sort(), live(parents), `parents of ${id}`);
        }
        for (const [id, children] of Object.entries(raw.child_map)) {
          if (!m.nodes.has(id)) continue;
          assert.deepEqual([...m.childMap.get(id)!].sort(), live(children), `children of ${id}`);
        }
        // Every member has an entry in both maps, even with no edges.
        assert.equal(m.parentMap.size, m.nodes.size);
        assert.equal(m.childMap.size, m.nodes.size);
      });

      it('computes the same maps when the manifest has none (optional before v12)', () => {
        const json = JSON.parse(readFileSync(fixture(e.file), 'utf8')) as Record<string, unknown>;
        delete json.parent_map;
        delete json.child_map;
        const computed = normalizeManifest(json, e.file);
        for (const [id, parents] of m.parentMap) {
          assert.deepEqual([...computed.parentMap.get(id)!].sort(), [...parents].sort(), id);
        }
        for (const [id, children] of m.childMap) {
          assert.deepEqual([...computed.childMap.get(id)!].sort(), [...children].sort(), id);
        }
      });

      it('gives every model its code, file and relation', () => {
        for (const n of m.nodes.values()) {
          if (n.resourceType !== 'model') continue;
          assert.ok(n.rawCode && n.rawCode.length > 0, `${n.uniqueId} raw code`);
          assert.match(n.originalFilePath, /\.(sql|py)$/, n.uniqueId);
          assert.ok(n.fqn.length >= 2 && n.fqn[n.fqn.length - 1] === n.name, n.uniqueId);
          assert.ok(n.schema, n.uniqueId);
        }
      });
    });
  }
});

describe('manifest: fields', () => {
  it('reads old list-shaped refs, with and without a package (v4)', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v4.json'));
    assert.deepEqual(m.nodes.get('model.jaffle_shop.orders')!.refs, [
      { name: 'stg_orders', package: null, version: null },
      { name: 'stg_payments', package: null, version: null },
    ]);
    const json = {
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v5.json' },
      nodes: {
        'model.a.x': { unique_id: 'model.a.x', resource_type: 'model', name: 'x', refs: [['pkg', 'y'], ['z']], depends_on: { nodes: [] } },
      },
    };
    assert.deepEqual(normalizeManifest(json, 'm.json').nodes.get('model.a.x')!.refs, [
      { name: 'y', package: 'pkg', version: null },
      { name: 'z', package: null, version: null },
    ]);
  });

  it('reads raw_sql/compiled_sql (v4-v6) and raw_code/compiled_code (v7+) alike', () => {
    const v5 = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v5.json'));
    const v8 = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v8.json'));
    const a = [...v5.nodes.values()].find((n) => n.resourceType === 'model' && n.compiledCode)!;
    assert.match(a.rawCode!, /\{\{ *ref\(/);
    assert.doesNotMatch(a.compiledCode!, /\{\{ *ref\(/);
    const b = v8.nodes.get('model.jaffle_shop.customers')!;
    assert.match(b.rawCode!, /ref\('stg_customers'\)/);
    assert.equal(b.language, 'sql');
  });

  it('reads hooks as {sql, transaction, index} from the hyphenated keys', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v4.json'));
    const n = m.nodes.get('model.jaffle_shop.test_insert_overwrite')!;
    assert.deepEqual(n.config.preHook, []);
    assert.deepEqual(n.config.postHook, [
      { sql: 'ALTER TABLE IF EXISTS {{ this}} SET OPTIONS ( require_partition_filter = false)', transaction: true, index: null },
    ]);
    assert.equal(n.config.materialized, 'incremental');
  });

  it('reads ClickHouse adapter config and deduplicates tags (Gnosis, dbt 1.9)', () => {
    const m = loadManifest(fixture('gnosischain__dbt-cerebro__v12.json'));
    const n = m.nodes.get('model.gnosis_dbt.contracts_OmenAgentResultMapping_calls')!;
    // config.tags repeats each tag twice in this manifest; node-level tags are the deduplicated set.
    assert.deepEqual(n.tags, ['production', 'contracts', 'omenagentresultmapping', 'calls']);
    assert.equal(n.config.incrementalStrategy, 'delete+insert');
    assert.equal(n.config.uniqueKey, '(block_timestamp, transaction_hash)');
    assert.equal(n.config.engine, 'ReplacingMergeTree()');
    assert.equal(n.config.orderBy, '(block_timestamp, transaction_hash)');
    assert.equal(n.config.partitionBy, 'toStartOfMonth(block_timestamp)');
    assert.equal(n.config.lookback, 1);
    assert.equal(n.config.fullRefresh, null);
    assert.equal(n.config.access, 'public');
    assert.deepEqual(n.config.preHook, [{ sql: 'SET allow_experimental_json_type = 1', transaction: true, index: null }]);
    assert.deepEqual(n.dependsOn, ['source.gnosis_dbt.execution.transactions', 'seed.gnosis_dbt.function_signatures']);
    const incremental = [...m.nodes.values()].filter((x) => x.config.materialized === 'incremental');
    assert.equal(incremental.length, 78);
    assert.ok(incremental.every((x) => x.config.incrementalStrategy === 'delete+insert'));
    const hooked = [...m.nodes.values()].filter((x) => x.config.preHook.length + x.config.postHook.length > 0);
    assert.equal(hooked.length, 45);
  });

  it('reads sources, metrics, semantic models, saved queries and unit tests (dbt 1.11)', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v12.json'));
    const src = m.nodes.get('source.jaffle_shop.ecom.raw_customers')!;
    assert.equal(src.resourceType, 'source');
    assert.equal(src.sourceName, 'ecom');
    assert.equal(src.alias, 'raw_customers');
    const metric = m.nodes.get('metric.jaffle_shop.lifetime_spend_pretax')!;
    assert.equal(metric.resourceType, 'metric');
    assert.ok(metric.dependsOn.every((d) => m.nodes.has(d)));
    const unit = [...m.nodes.values()].find((n) => n.resourceType === 'unit_test')!;
    assert.deepEqual(unit.dependsOn, ['model.jaffle_shop.stg_locations']);
    assert.ok(m.childMap.get('model.jaffle_shop.stg_locations')!.includes(unit.uniqueId));
  });

  it('reads test metadata and the attached node', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v12-dbt1.9.json'));
    const t = [...m.nodes.values()].find((n) => n.testMetadata?.name === 'unique' && n.attachedNode === 'model.jaffle_shop.customers')!;
    assert.ok(t, 'a unique test on customers');
    assert.equal(t.testMetadata!.kwargs.column_name, 'customer_id');
  });

  it('keeps versioned models as their own nodes', () => {
    const json = {
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' },
      nodes: {
        'model.shop.dim_customers.v1': { unique_id: 'model.shop.dim_customers.v1', resource_type: 'model', name: 'dim_customers', package_name: 'shop', fqn: ['shop', 'dim_customers', 'v1'], version: 1, latest_version: 2, depends_on: { nodes: [] } },
        'model.shop.dim_customers.v2': { unique_id: 'model.shop.dim_customers.v2', resource_type: 'model', name: 'dim_customers', package_name: 'shop', fqn: ['shop', 'dim_customers', 'v2'], version: 2, latest_version: 2, depends_on: { nodes: [] } },
        'model.shop.orders': { unique_id: 'model.shop.orders', resource_type: 'model', name: 'orders', package_name: 'shop', fqn: ['shop', 'orders'], refs: [{ name: 'dim_customers', package: null, version: 1 }], depends_on: { nodes: ['model.shop.dim_customers.v1'] } },
      },
    };
    const m = normalizeManifest(json, 'm.json');
    assert.equal(m.nodes.get('model.shop.dim_customers.v1')!.version, 1);
    assert.equal(m.nodes.get('model.shop.dim_customers.v2')!.latestVersion, 2);
    assert.deepEqual(m.nodes.get('model.shop.orders')!.refs, [{ name: 'dim_customers', package: null, version: 1 }]);
    assert.deepEqual(m.childMap.get('model.shop.dim_customers.v1'), ['model.shop.orders']);
    assert.deepEqual(m.childMap.get('model.shop.dim_customers.v2'), []);
  });

  it('leaves disabled nodes out of the graph and counts them', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v4.json'));
    // customers is disabled (`config(enabled=false)`) and sits under `disabled`; its two tests stay in `nodes`
    // with enabled=false.
    assert.equal(m.disabledCount, 3);
    assert.ok(!m.nodes.has('model.jaffle_shop.customers'));
    assert.ok(!m.nodes.has('test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1'));
    assert.ok(m.nodes.has('model.jaffle_shop.orders'));
  });

  it('reads schema versions from the metadata URL', () => {
    assert.equal(schemaVersionOf('https://schemas.getdbt.com/dbt/manifest/v12.json'), 12);
    assert.equal(schemaVersionOf('https://schemas.getdbt.com/dbt/manifest/v4.json'), 4);
    assert.equal(schemaVersionOf('https://schemas.getdbt.com/dbt/manifest/v20.json'), 20);
    assert.equal(schemaVersionOf('https://schemas.getdbt.com/dbt/run-results/v6.json'), null);
    assert.equal(schemaVersionOf(undefined), null);
  });

  it('reads a Fusion "v20" manifest as v12-shaped, and warns on an unknown newer schema', () => {
    const json = JSON.parse(readFileSync(fixture('yu-iskw__dbt-artifacts-parser__v12.json'), 'utf8')) as {
      metadata: Record<string, unknown>;
    };
    json.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v20.json';
    const fusion = normalizeManifest(json, 'fusion.json');
    assert.equal(fusion.metadata.schemaVersion, 20);
    assert.deepEqual(fusion.warnings, []);
    assert.equal(countByType(fusion).model, 13);
    json.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json';
    const newer = normalizeManifest(json, 'newer.json');
    assert.equal(newer.warnings.length, 1);
    assert.match(newer.warnings[0]!, /v13, newer than v12/);
  });
});
