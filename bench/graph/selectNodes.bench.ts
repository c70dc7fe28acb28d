/**
 * Micro-benchmark of the graph and the selector on a synthetic 10,000-model project (about 32,000 graph members).
 * Not part of the test suite; run with `npx tsx bench/graph/selectNodes.bench.ts [models]`.
 */
import { performance } from 'node:perf_hooks';
import { DbtGraph, selectNodes, type SelectOptions } from '../../src/core/graph';
import { normalizeManifest } from '../../src/core/manifest';

const MODELS = Number(process.argv[2] ?? 10_000);
const LAYERS = 25;
const SOURCES = 200;

/** A deterministic PRNG (mulberry32), so every run builds the same project. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticManifest(): unknown {
  const random = rng(42);
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const node = (id: string, type: string, name: string, fqn: string[], path: string, deps: string[], extra: Record<string, unknown> = {}): void => {
    nodes[id] = {
      unique_id: id, resource_type: type, name, package_name: 'big', fqn, original_file_path: path, path,
      depends_on: { nodes: deps, macros: [] }, tags: extra.tags ?? [], config: { enabled: true, ...extra },
      ...(extra.test_metadata ? { test_metadata: extra.test_metadata } : {}),
    };
  };
  for (let s = 0; s < SOURCES; s++) {
    const id = `source.big.src_${s % 20}.table_${s}`;
    sources[id] = { unique_id: id, resource_type: 'source', name: `table_${s}`, source_name: `src_${s % 20}`, package_name: 'big', fqn: ['big', `src_${s % 20}`, `table_${s}`], original_file_path: 'models/sources.yml', config: { enabled: true }, tags: [] };
  }
  const byLayer: string[][] = Array.from({ length: LAYERS }, () => []);
  for (let i = 0; i < MODELS; i++) {
    const layer = Math.min(LAYERS - 1, Math.floor((i / MODELS) * LAYERS));
    const pool = layer === 0 ? Object.keys(sources) : byLayer.slice(Math.max(0, layer - 3), layer).flat();
    const deps = new Set<string>();
    const k = 1 + Math.floor(random() * 3);
    for (let j = 0; j < k; j++) deps.add(pool[Math.floor(random() * pool.length)]!);
    const name = `model_${i}`;
    const id = `model.big.${name}`;
    const tags = [`t${i % 50}`, ...(random() < 0.6 ? ['production'] : [])];
    node(id, 'model', name, ['big', `layer_${layer}`, name], `models/layer_${layer}/${name}.sql`, [...deps], {
      tags, materialized: random() < 0.3 ? 'incremental' : 'view', meta: { owner: `team_${i % 7}` },
    });
    byLayer[layer]!.push(id);
    for (const t of ['not_null', 'unique']) {
      node(`test.big.${t}_${name}_id.${i}`, 'test', `${t}_${name}_id`, ['big', `layer_${layer}`, `${t}_${name}_id`], `models/layer_${layer}/schema.yml`, [id], { test_metadata: { name: t, kwargs: {} } });
    }
    if (i % 10 === 0 && deps.size > 0) {
      const other = [...deps][0]!;
      node(`test.big.relationships_${name}.${i}`, 'test', `relationships_${name}`, ['big', `layer_${layer}`, `relationships_${name}`], `models/layer_${layer}/schema.yml`, [id, other], { test_metadata: { name: 'relationships', kwargs: {} } });
    }
  }
  return { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: 'big' }, nodes, sources };
}

function time<T>(label: string, fn: () => T, runs = 5): T {
  let result!: T;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const size = Array.isArray(result) ? ` -> ${result.length}` : '';
  console.log(`${label.padEnd(58)} median ${samples[Math.floor(runs / 2)]!.toFixed(1).padStart(8)} ms  (first ${samples[0]!.toFixed(1)} .. ${samples[runs - 1]!.toFixed(1)})${size}`);
  return result;
}

const json = time('build synthetic manifest JSON', syntheticManifest, 1);
const manifest = time('normalizeManifest', () => normalizeManifest(json, 'synthetic.json'), 1);
console.log(`graph members: ${manifest.nodes.size}`);
const graph = time('new DbtGraph', () => new DbtGraph(manifest), 5);
const modelIds = [...manifest.nodes.values()].filter((n) => n.resourceType === 'model').map((n) => n.uniqueId);
time('topologicalOrder (first call sorts)', () => new DbtGraph(manifest).topologicalOrder(), 3);
time('layers(all models)', () => graph.layers(modelIds));
time('descendants(model_0)', () => [...graph.descendants('model.big.model_0')]);

const cases: Array<[string, SelectOptions]> = [
  ['tag:t1+ --exclude tag:t1', { select: ['tag:t1+'], exclude: ['tag:t1'] }],
  ['tag:production+ --exclude tag:production', { select: ['tag:production+'], exclude: ['tag:production'] }],
  ['(default: everything)', {}],
  ['+model_9999', { select: [`+model_${MODELS - 1}`] }],
  ['@model_5000', { select: [`@model_${Math.floor(MODELS / 2)}`] }],
  ['config.materialized:incremental', { select: ['config.materialized:incremental'] }],
  ['config.meta.owner:team_3,tag:production', { select: ['config.meta.owner:team_3,tag:production'] }],
  ['path:models/layer_3', { select: ['path:models/layer_3'] }],
  ['*model_99*', { select: ['*model_99*'] }],
  ['model_123 model_456 model_789 (names)', { select: ['model_123 model_456 model_789'] }],
  ['tag:t2+ cautious', { select: ['tag:t2+'], indirectSelection: 'cautious' }],
  ['tag:t2+ buildable', { select: ['tag:t2+'], indirectSelection: 'buildable' }],
];
for (const [label, options] of cases) time(`selectNodes ${label}`, () => selectNodes(manifest, options, graph).ids);
time('typo error with suggestion (model_12345x)', () => {
  try {
    selectNodes(manifest, { select: ['modle_1234'] }, graph);
  } catch (err) {
    return [(err as Error).message];
  }
  return [];
}, 3);
