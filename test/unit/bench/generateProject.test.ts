import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateProject, type GenerateSummary } from '../../../bench/generateProject';
import { loadManifest } from '../../../src/core/manifest';

interface RawNode {
  unique_id: string;
  resource_type: string;
  name: string;
  original_file_path: string;
  tags?: string[];
  config?: Record<string, unknown>;
  raw_code?: string;
  checksum?: { name: string; checksum: string };
  refs?: Array<{ name: string; package: string | null; version: string | null }>;
  sources?: string[][];
  depends_on?: { nodes?: string[]; macros?: string[] };
  attached_node?: string | null;
  test_metadata?: { name: string; kwargs: Record<string, unknown> };
}

interface RawManifest {
  metadata: { dbt_schema_version: string; adapter_type: string; project_name: string };
  nodes: Record<string, RawNode>;
  sources: Record<string, RawNode>;
  macros: Record<string, { unique_id: string; depends_on: { macros: string[] } }>;
  exposures: Record<string, RawNode>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function sqlConfigTags(sql: string): string[] {
  const config = /^\{\{\s*config\(([\s\S]*?)\)\s*\}\}/.exec(sql);
  assert.ok(config, 'model SQL starts with a config block');
  const tags = /tags=\[([^\]]*)\]/.exec(config[1]!);
  assert.ok(tags, 'config block has tags=[...]');
  return tags[1]!.split(',').map((t) => t.trim().replace(/^'|'$/g, '')).filter((t) => t !== '');
}

function sqlRefs(sql: string): string[] {
  return [...sql.matchAll(/\{\{\s*ref\(\s*'([^']+)'\s*\)\s*\}\}/g)].map((m) => m[1]!);
}

describe('bench: generateProject (200 models)', function () {
  this.timeout(60000);
  let tmp: string;
  let summary: GenerateSummary;
  let m: RawManifest;
  let models: RawNode[];

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-gen-'));
    summary = generateProject({ dir: path.join(tmp, 'project'), models: 200, seed: 7 });
    m = JSON.parse(readFileSync(summary.manifestPath, 'utf8')) as RawManifest;
    models = Object.values(m.nodes).filter((n) => n.resource_type === 'model');
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the requested models plus tests, sources, seeds, snapshots and exposures', () => {
    assert.equal(models.length, 200);
    assert.equal(summary.counts.models, 200);
    const count = (t: string): number => Object.values(m.nodes).filter((n) => n.resource_type === t).length;
    assert.equal(count('test'), summary.counts.tests);
    assert.ok(summary.counts.tests > 200, `expected more tests than models, got ${summary.counts.tests}`);
    assert.equal(count('seed'), summary.counts.seeds);
    assert.ok(count('snapshot') >= 2);
    assert.equal(Object.keys(m.sources).length, summary.counts.sources);
    assert.ok(Object.keys(m.exposures).length >= 3);
    assert.equal(m.metadata.dbt_schema_version, 'https://schemas.getdbt.com/dbt/manifest/v12.json');
    assert.equal(m.metadata.adapter_type, 'clickhouse');
    for (const kind of ['stg_', 'int_', 'fct_', 'api_']) assert.ok(models.some((n) => n.name.startsWith(kind)), `has ${kind}* models`);
  });

  it('resolves every depends_on id (nodes and macros)', () => {
    const members = new Set([...Object.keys(m.nodes), ...Object.keys(m.sources), ...Object.keys(m.exposures)]);
    const macros = new Set(Object.keys(m.macros));
    for (const n of [...Object.values(m.nodes), ...Object.values(m.exposures)]) {
      for (const id of n.depends_on?.nodes ?? []) assert.ok(members.has(id), `${n.unique_id} depends on missing ${id}`);
      for (const id of n.depends_on?.macros ?? []) assert.ok(macros.has(id), `${n.unique_id} depends on missing macro ${id}`);
      if (n.attached_node) assert.ok(members.has(n.attached_node), `${n.unique_id} attached to missing ${n.attached_node}`);
    }
    for (const mac of Object.values(m.macros)) {
      for (const id of mac.depends_on.macros) assert.ok(macros.has(id), `${mac.unique_id} depends on missing macro ${id}`);
    }
  });

  it('has parent_map and child_map as exact inverses over every graph member, matching depends_on', () => {
    const members = [...Object.keys(m.nodes), ...Object.keys(m.sources), ...Object.keys(m.exposures)].sort();
    assert.deepEqual(Object.keys(m.parent_map).sort(), members);
    assert.deepEqual(Object.keys(m.child_map).sort(), members);
    const edges = (map: Record<string, string[]>, flip: boolean): string[] =>
      Object.entries(map).flatMap(([k, vs]) => vs.map((v) => (flip ? `${v} -> ${k}` : `${k} -> ${v}`))).sort();
    assert.deepEqual(edges(m.parent_map, false), edges(m.child_map, true));
    for (const n of [...Object.values(m.nodes), ...Object.values(m.exposures)]) {
      assert.deepEqual(m.parent_map[n.unique_id], [...new Set(n.depends_on?.nodes ?? [])].sort(), n.unique_id);
    }
  });

  it('has no cycles and a lineage 5 to 15 models deep', () => {
    const indegree = new Map<string, number>();
    for (const [id, parents] of Object.entries(m.parent_map)) indegree.set(id, parents.length);
    const depth = new Map<string, number>();
    const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
    let visited = 0;
    while (queue.length > 0) {
      const id = queue.pop()!;
      visited++;
      const here = depth.get(id) ?? 0;
      for (const c of m.child_map[id] ?? []) {
        const step = c.startsWith('model.') ? 1 : 0;
        depth.set(c, Math.max(depth.get(c) ?? 0, here + step));
        const left = indegree.get(c)! - 1;
        indegree.set(c, left);
        if (left === 0) queue.push(c);
      }
    }
    assert.equal(visited, indegree.size, 'every member is reached by a topological sort, so there is no cycle');
    const maxModelDepth = Math.max(...models.map((n) => depth.get(n.unique_id) ?? 0));
    assert.ok(maxModelDepth >= 5 && maxModelDepth <= 15, `lineage depth ${maxModelDepth}`);
    assert.equal(maxModelDepth, summary.maxDepth);
  });

  it('writes each model, seed and snapshot file at original_file_path with the checksummed content', () => {
    for (const n of Object.values(m.nodes)) {
      if (n.resource_type === 'test') continue;
      const file = path.join(summary.dir, n.original_file_path);
      assert.ok(existsSync(file), `${n.unique_id}: ${n.original_file_path} exists`);
      assert.equal(n.checksum?.checksum, sha256(readFileSync(file, 'utf8')), `${n.unique_id} checksum`);
      if (n.resource_type === 'model') assert.equal(readFileSync(file, 'utf8'), n.raw_code, `${n.unique_id} raw_code is the file`);
    }
    for (const t of Object.values(m.nodes).filter((n) => n.resource_type === 'test')) {
      assert.ok(existsSync(path.join(summary.dir, t.original_file_path)), `${t.unique_id}: ${t.original_file_path} exists`);
      const column = t.test_metadata?.kwargs.column_name;
      const mention = typeof column === 'string' ? `name: ${column}` : 'combination_of_columns';
      assert.ok(readFileSync(path.join(summary.dir, t.original_file_path), 'utf8').includes(mention), `${t.unique_id} is declared in ${t.original_file_path}`);
    }
  });

  it('has refs in each model SQL equal to its refs and to depends_on.nodes', () => {
    for (const n of models) {
      const sql = readFileSync(path.join(summary.dir, n.original_file_path), 'utf8');
      const inSql = sqlRefs(sql);
      assert.equal(new Set(inSql).size, inSql.length, `${n.name} refs each parent once`);
      assert.deepEqual(inSql, (n.refs ?? []).map((r) => r.name), `${n.name} refs`);
      const fromRefs = (n.refs ?? []).map((r) => `${r.name.startsWith('snap_') ? 'snapshot' : m.nodes[`seed.bench_project.${r.name}`] ? 'seed' : 'model'}.bench_project.${r.name}`);
      const fromSources = (n.sources ?? []).map(([s, t]) => `source.bench_project.${s!}.${t!}`);
      assert.deepEqual(n.depends_on?.nodes, [...fromRefs, ...fromSources], `${n.name} depends_on`);
      const sourceCalls = [...sql.matchAll(/\{\{\s*source\('([^']+)', '([^']+)'\)\s*\}\}/g)].map((x) => [x[1], x[2]]);
      assert.deepEqual(sourceCalls, n.sources ?? [], `${n.name} sources`);
    }
  });

  it('has the tags of each model SQL config as its node tags', () => {
    for (const n of models) {
      const sql = readFileSync(path.join(summary.dir, n.original_file_path), 'utf8');
      assert.deepEqual(sqlConfigTags(sql), n.tags, n.name);
    }
  });

  it('writes property files that parse as YAML and document each documented model with its columns', () => {
    interface Props { models?: Array<{ name: string; columns?: Array<{ name: string }> }> }
    const byFile = new Map<string, Props>();
    let documented = 0;
    for (const n of models) {
      const patch = (n as RawNode & { patch_path: string | null }).patch_path;
      if (!patch) continue;
      documented++;
      const rel = patch.replace(/^bench_project:\/\//, '');
      if (!byFile.has(rel)) byFile.set(rel, parseYaml(readFileSync(path.join(summary.dir, rel), 'utf8')) as Props);
      const entry = byFile.get(rel)!.models?.find((x) => x.name === n.name);
      assert.ok(entry, `${rel} documents ${n.name}`);
      const columns = Object.keys((n as RawNode & { columns: Record<string, unknown> }).columns);
      assert.deepEqual((entry.columns ?? []).map((c) => c.name), columns, `${n.name} columns`);
    }
    assert.ok(documented > models.length * 0.8, `${documented} of ${models.length} models documented`);
    for (const rel of ['models/exposures.yml', 'seeds/seeds.yml', 'macros/macros.yml', 'dbt_project.yml', 'profiles.yml', 'packages.yml']) {
      assert.equal(typeof parseYaml(readFileSync(path.join(summary.dir, rel), 'utf8')), 'object', rel);
    }
  });

  it('builds the refill_append cohort of the runbook, compliant and not', () => {
    const refill = models.filter((n) => n.tags?.includes('refill_append'));
    assert.equal(refill.length, summary.refillAppend);
    for (const name of ['int_execution_tokens_balances_daily', 'int_execution_tokens_supply_holders_daily', 'int_revenue_gpay_fees_daily']) {
      const n = m.nodes[`model.bench_project.${name}`];
      assert.ok(n, `${name} exists`);
      assert.ok(n.tags?.includes('refill_append'), `${name} is tagged refill_append`);
      assert.match(n.raw_code!, /pre_hook=refill_safe_pre_hook\(\)/);
      assert.match(n.raw_code!, /\{% if start_month and end_month %\}/);
      assert.match(n.raw_code!, /incremental_strategy=\('append' if \(var\('start_month', none\) or var\('incremental_end_date', none\)\) else 'delete\+insert'\)/);
      assert.equal((n.config?.['pre-hook'] as unknown[]).length, 4);
    }
    const root = m.nodes['model.bench_project.int_execution_token_prices_daily'];
    assert.ok(root, 'the price root exists');
    assert.ok(m.child_map[root.unique_id]!.length >= 5, 'the price root has a wide fan-out');
  });

  it('loads with loadManifest into the same graph', () => {
    const loaded = loadManifest(summary.manifestPath);
    assert.equal(loaded.metadata.schemaVersion, 12);
    assert.equal(loaded.metadata.projectName, 'bench_project');
    assert.equal([...loaded.nodes.values()].filter((n) => n.resourceType === 'model').length, 200);
    assert.equal([...loaded.nodes.values()].filter((n) => n.resourceType === 'test').length, summary.counts.tests);
    const balances = loaded.nodes.get('model.bench_project.int_execution_tokens_balances_daily')!;
    assert.equal(balances.config.incrementalStrategy, 'delete+insert');
    assert.equal(balances.config.preHook[0]!.sql, 'SET max_memory_usage = 8589934592');
    assert.deepEqual(loaded.parentMap.get(balances.uniqueId), m.parent_map[balances.uniqueId]);
    assert.deepEqual([...(loaded.childMap.get(balances.uniqueId) ?? [])].sort(), m.child_map[balances.uniqueId]);
    assert.deepEqual(loaded.warnings, []);
  });

  it('writes run_results.json for every model with two Code: 241 failures', () => {
    const rr = JSON.parse(readFileSync(summary.runResultsPath, 'utf8')) as { results: Array<{ unique_id: string; status: string; message: string | null }> };
    assert.deepEqual(rr.results.map((r) => r.unique_id).sort(), models.map((n) => n.unique_id).sort());
    const errors = rr.results.filter((r) => r.status === 'error');
    assert.equal(errors.length, 2);
    for (const e of errors) assert.match(e.message!, /Code: 241\..*MEMORY_LIMIT_EXCEEDED/);
    assert.deepEqual(errors.map((e) => e.unique_id.split('.').pop()).sort(), [...summary.failedInRun].sort());
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateProject({ dir: path.join(tmp, 'again'), models: 200, seed: 7 });
    assert.equal(sha256(readFileSync(again.manifestPath, 'utf8')), sha256(readFileSync(summary.manifestPath, 'utf8')));
    const other = generateProject({ dir: path.join(tmp, 'other'), models: 200, seed: 8 });
    assert.notEqual(sha256(readFileSync(other.manifestPath, 'utf8')), sha256(readFileSync(summary.manifestPath, 'utf8')));
  });

  it('refuses to overwrite a folder it did not write', () => {
    const foreign = path.join(tmp, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
    assert.throws(() => generateProject({ dir: foreign, models: 200, seed: 7 }), /refusing to overwrite/);
    assert.equal(readFileSync(path.join(foreign, 'keep.txt'), 'utf8'), 'mine');
  });
});
