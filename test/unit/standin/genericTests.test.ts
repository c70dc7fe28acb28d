import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { genericTestHash, genericTestNames, pythonRepr } from '../../dbt-standin/genericTests';
import { fixture } from '../fixtures';

interface TestNode {
  unique_id: string;
  resource_type: string;
  package_name: string;
  alias: string;
  file_key_name: string;
  sources: string[][];
  test_metadata?: { name: string; namespace: string | null; kwargs: Record<string, unknown> };
}

describe('dbt stand-in: generic test names and ids', () => {
  for (const file of ['gnosischain__dbt-cerebro__v12.json', 'yu-iskw__dbt-artifacts-parser__v12-dbt1.9.json']) {
    it(`reproduces every generic test id and alias that dbt wrote in ${file}`, () => {
      const m = JSON.parse(readFileSync(fixture(file), 'utf8')) as { nodes: Record<string, TestNode> };
      const tests = Object.values(m.nodes).filter((n) => n.resource_type === 'test' && n.test_metadata);
      assert.ok(tests.length >= 20, `${tests.length} tests`);
      for (const n of tests) {
        const tm = n.test_metadata;
        assert.ok(tm);
        const isSource = n.file_key_name.startsWith('sources.');
        const target = isSource ? `${n.sources[0]?.[0]}_${n.sources[0]?.[1]}` : (n.file_key_name.split('.')[1] ?? '');
        const type = `${isSource ? 'source_' : ''}${tm.namespace ? `${tm.namespace}_` : ''}${tm.name}`;
        const [short, full] = genericTestNames(type, target, tm.kwargs);
        assert.equal(`test.${n.package_name}.${full}.${genericTestHash(full, tm)}`, n.unique_id);
        assert.equal(short, n.alias);
      }
    });
  }

  it("writes Python's repr, quotes included", () => {
    assert.equal(pythonRepr({ a: ["it's", 'x"y', 'a\\b'], b: 'None' }), `{'a': ["it's", 'x"y', 'a\\\\b'], 'b': 'None'}`);
  });
});
