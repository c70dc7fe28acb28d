import { strict as assert } from 'node:assert';
import { formatLsLine, loadManifest, normalizeManifest, pythonJsonDumps, searchName, selectorOf } from '../../../src/core/manifest';
import { fixture } from '../fixtures';

describe('manifest: dbt ls output formats', () => {
  it('writes JSON as Python\'s json.dumps does (separators, ensure_ascii), strings untouched', () => {
    // Python: json.dumps({"a": "x, y: z", "b": [1, 2.5, None, True], "c": {}, "d": []}) and "é" as \u00e9.
    assert.equal(
      pythonJsonDumps({ a: 'x, y: z', b: [1, 2.5, null, true], c: {}, d: [] }),
      '{"a": "x, y: z", "b": [1, 2.5, null, true], "c": {}, "d": []}',
    );
    assert.equal(pythonJsonDumps({ q: 'say "hi", then: go\\' }), '{"q": "say \\"hi\\", then: go\\\\"}');
    assert.equal(pythonJsonDumps({ name: 'café ☕', emoji: '😀' }), '{"name": "caf\\u00e9 \\u2615", "emoji": "\\ud83d\\ude00"}');
    assert.equal(pythonJsonDumps('\u007f'), '"\u007f"', 'DEL is ASCII: Python leaves it');
    assert.equal(pythonJsonDumps({ 'k:1': ['a,b'] }), '{"k:1": ["a,b"]}');
  });

  it('names nodes as dbt\'s search_name and selectors do', () => {
    const m = loadManifest(fixture('yu-iskw__dbt-artifacts-parser__v12.json'));
    const src = m.nodes.get('source.jaffle_shop.ecom.raw_stores')!;
    assert.equal(searchName(src), 'ecom.raw_stores');
    assert.equal(selectorOf(src), 'source:jaffle_shop.ecom.raw_stores');
    const metric = m.nodes.get('metric.jaffle_shop.revenue')!;
    assert.equal(selectorOf(metric), 'metric:jaffle_shop.revenue');
    const sm = [...m.nodes.values()].find((n) => n.resourceType === 'semantic_model')!;
    assert.equal(selectorOf(sm), `semantic_model:jaffle_shop.${sm.name}`);
    const sq = [...m.nodes.values()].find((n) => n.resourceType === 'saved_query')!;
    assert.equal(selectorOf(sq), `saved_query:jaffle_shop.${sq.name}`);
    const model = m.nodes.get('model.jaffle_shop.stg_locations')!;
    assert.equal(selectorOf(model), 'jaffle_shop.staging.stg_locations');
    assert.equal(formatLsLine(model, 'path'), 'models/staging/stg_locations.sql');
  });

  it('names versioned models name.vN and their unit tests name_vN', () => {
    const m = normalizeManifest(
      {
        metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' },
        nodes: {
          'model.shop.dim.v2': { unique_id: 'model.shop.dim.v2', resource_type: 'model', name: 'dim', package_name: 'shop', fqn: ['shop', 'dim', 'v2'], version: 2 },
        },
        unit_tests: {
          'unit_test.shop.dim.t_v2': { unique_id: 'unit_test.shop.dim.t_v2', resource_type: 'unit_test', name: 't', package_name: 'shop', fqn: ['shop', 'dim', 't'], version: 2, depends_on: { nodes: ['model.shop.dim.v2'] } },
        },
      },
      'm.json',
    );
    assert.equal(searchName(m.nodes.get('model.shop.dim.v2')!), 'dim.v2');
    assert.equal(selectorOf(m.nodes.get('model.shop.dim.v2')!), 'shop.dim.v2');
    assert.equal(selectorOf(m.nodes.get('unit_test.shop.dim.t_v2')!), 'unit_test:shop.t_v2');
  });
});
