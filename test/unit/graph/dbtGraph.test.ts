import { strict as assert } from 'node:assert';
import { DbtGraph } from '../../../src/core/graph';
import { loadManifest } from '../../../src/core/manifest';
import { fixture } from '../fixtures';
import { buildManifest } from './buildManifest';

/*
 *   seed.pkg.raw -> a -> b -> c
 *                   a ------------> d   (d also depends on c)
 *                        b -> test.pkg.t_b
 *   model.pkg.e stands alone
 */
const small = buildManifest([
  { id: 'seed.pkg.raw' },
  { id: 'model.pkg.a', deps: ['seed.pkg.raw'] },
  { id: 'model.pkg.b', deps: ['model.pkg.a'] },
  { id: 'model.pkg.c', deps: ['model.pkg.b'] },
  { id: 'model.pkg.d', deps: ['model.pkg.a', 'model.pkg.c'] },
  { id: 'model.pkg.e' },
  { id: 'test.pkg.t_b', deps: ['model.pkg.b'], testName: 'unique' },
]);
const g = new DbtGraph(small);
const sorted = (s: Iterable<string>): string[] => [...s].sort();

describe('graph: DbtGraph', () => {
  it('lists direct parents and children', () => {
    assert.deepEqual(sorted(g.parents('model.pkg.d')), ['model.pkg.a', 'model.pkg.c']);
    assert.deepEqual(sorted(g.children('model.pkg.b')), ['model.pkg.c', 'test.pkg.t_b']);
    assert.deepEqual(g.parents('model.pkg.e'), []);
    assert.equal(g.size, 7);
    assert.equal(g.node('model.pkg.a')?.name, 'a');
    assert.equal(g.has('model.pkg.nope'), false);
  });

  it('ancestors: unlimited, and depth-limited like networkx bfs with depth_limit', () => {
    // c's upstream: b (1 edge), a (2), raw (3).
    assert.deepEqual(sorted(g.ancestors('model.pkg.c')), ['model.pkg.a', 'model.pkg.b', 'seed.pkg.raw']);
    assert.deepEqual(sorted(g.ancestors('model.pkg.c', 1)), ['model.pkg.b']);
    assert.deepEqual(sorted(g.ancestors('model.pkg.c', 2)), ['model.pkg.a', 'model.pkg.b']);
    // networkx >= 3.2 yields no edge at depth_limit 0, so `0+c` adds nothing.
    assert.deepEqual(sorted(g.ancestors('model.pkg.c', 0)), []);
  });

  it('a start node is its own relative only when another start reaches it (dbt unions per-node searches)', () => {
    // From {b, c}: b is upstream of c, so it is in the result; c is upstream of neither.
    assert.deepEqual(sorted(g.ancestors(['model.pkg.b', 'model.pkg.c'])), ['model.pkg.a', 'model.pkg.b', 'seed.pkg.raw']);
    // From {a, b} at depth 1: raw is a's parent and a is b's parent.
    assert.deepEqual(sorted(g.ancestors(['model.pkg.a', 'model.pkg.b'], 1)), ['model.pkg.a', 'seed.pkg.raw']);
  });

  it('descendants, with the depth limit applied to start nodes as well', () => {
    assert.deepEqual(sorted(g.descendants('model.pkg.a')), ['model.pkg.b', 'model.pkg.c', 'model.pkg.d', 'test.pkg.t_b']);
    assert.deepEqual(sorted(g.descendants('model.pkg.a', 1)), ['model.pkg.b', 'model.pkg.d']);
    // d is a's child, so it is in a 1-deep search from {a, d}.
    assert.deepEqual(sorted(g.descendants(['model.pkg.a', 'model.pkg.d'], 1)), ['model.pkg.b', 'model.pkg.d']);
    // c is 2 edges below a: a 1-deep search from {a, c} has a's children and c's child d, but not c.
    assert.deepEqual(sorted(g.descendants(['model.pkg.a', 'model.pkg.c'], 1)), ['model.pkg.b', 'model.pkg.d']);
    assert.deepEqual(sorted(g.descendants('model.pkg.e')), []);
  });

  it('refuses ids that are not graph members', () => {
    assert.throws(() => g.ancestors('model.pkg.zzz'), /'model\.pkg\.zzz' is not a node/);
  });

  it('orders topologically, smallest id first among the nodes that are free to go', () => {
    // Free at the start: model.pkg.e and seed.pkg.raw ("model..." sorts first). After b, both c and t_b are free:
    // c goes first, which frees d, which still sorts before test.pkg.t_b.
    assert.deepEqual(g.topologicalOrder(), [
      'model.pkg.e',
      'seed.pkg.raw',
      'model.pkg.a',
      'model.pkg.b',
      'model.pkg.c',
      'model.pkg.d',
      'test.pkg.t_b',
    ]);
  });

  it('layers a set by its lineage inside the set, through nodes outside it by default', () => {
    // {a, c, d}: a has no in-set parent (layer 0); c depends on a through b, which is outside the set (layer 1);
    // d depends on a and c (layer 2).
    assert.deepEqual(g.layers(['model.pkg.d', 'model.pkg.c', 'model.pkg.a']), [['model.pkg.a'], ['model.pkg.c'], ['model.pkg.d']]);
    // Counting direct parents only, c has no in-set parent and d's in-set parents (a, c) are both in layer 0.
    assert.deepEqual(g.layers(['model.pkg.d', 'model.pkg.c', 'model.pkg.a'], { transitive: false }), [
      ['model.pkg.a', 'model.pkg.c'],
      ['model.pkg.d'],
    ]);
    // Unrelated nodes share layer 0, sorted.
    assert.deepEqual(g.layers(['seed.pkg.raw', 'model.pkg.e']), [['model.pkg.e', 'seed.pkg.raw']]);
    assert.deepEqual(g.layers([]), []);
  });

  it('reports a dependency cycle instead of looping', () => {
    const cyclic = new DbtGraph(
      buildManifest([
        { id: 'model.pkg.x', deps: ['model.pkg.y'] },
        { id: 'model.pkg.y', deps: ['model.pkg.x'] },
        { id: 'model.pkg.z' },
      ]),
    );
    assert.throws(() => cyclic.topologicalOrder(), /cycle through model\.pkg\.x, model\.pkg\.y/);
    assert.throws(() => cyclic.layers(['model.pkg.x']), /cycle/);
  });

  it('walks a 30,000-node chain without recursion', () => {
    const members = Array.from({ length: 30_000 }, (_, i) => ({ id: `model.pkg.m${i}`, deps: i === 0 ? [] : [`model.pkg.m${i - 1}`] }));
    const chain = new DbtGraph(buildManifest(members));
    assert.equal(chain.descendants('model.pkg.m0').size, 29_999);
    assert.equal(chain.ancestors('model.pkg.m29999', 10).size, 10);
    const layers = chain.layers(['model.pkg.m0', 'model.pkg.m15000', 'model.pkg.m29999']);
    assert.deepEqual(layers, [['model.pkg.m0'], ['model.pkg.m15000'], ['model.pkg.m29999']]);
    assert.equal(chain.topologicalOrder()[29_999], 'model.pkg.m29999');
  });

  it('on the Gnosis project: a topological order and layers that respect every edge', () => {
    const gnosis = loadManifest(fixture('gnosischain__dbt-cerebro__v12.json'));
    const graph = DbtGraph.of(gnosis);
    assert.equal(DbtGraph.of(gnosis), graph, 'one graph per manifest object');
    const order = graph.topologicalOrder();
    assert.equal(order.length, gnosis.nodes.size);
    const position = new Map(order.map((id, i) => [id, i]));
    for (const [id, parents] of gnosis.parentMap) {
      for (const p of parents) assert.ok(position.get(p)! < position.get(id)!, `${p} before ${id}`);
    }
    const models = [...gnosis.nodes.values()].filter((n) => n.resourceType === 'model').map((n) => n.uniqueId);
    const layers = graph.layers(models);
    assert.equal(layers.flat().length, models.length);
    const layerOf = new Map(layers.flatMap((layer, k) => layer.map((id) => [id, k] as const)));
    for (const id of models) {
      // Every model upstream of a model sits in a lower layer; a model in layer k > 0 has one in layer k - 1.
      const upstream = [...graph.ancestors(id)].filter((a) => layerOf.has(a));
      for (const a of upstream) assert.ok(layerOf.get(a)! < layerOf.get(id)!, `${a} below ${id}`);
      const k = layerOf.get(id)!;
      if (k > 0) assert.ok(upstream.some((a) => layerOf.get(a) === k - 1), `${id} has a parent in layer ${k - 1}`);
      else assert.equal(upstream.length, 0);
    }
  });
});
