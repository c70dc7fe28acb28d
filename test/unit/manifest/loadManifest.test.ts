import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  findProjects,
  loadManifest,
  loadManifestAsync,
  ManifestError,
  ManifestStore,
  projectRootOf,
  readProject,
} from '../../../src/core/manifest';
import { fixture } from '../fixtures';

const V12 = readFileSync(fixture('yu-iskw__dbt-artifacts-parser__v12.json'), 'utf8');

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-test-'));
}

function expectManifestError(fn: () => unknown, file: string, ...patterns: RegExp[]): ManifestError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.ok(err.message.startsWith(file), `message names the file: ${err.message}`);
    for (const p of patterns) assert.match(err.message, p);
    return err;
  }
  assert.fail('expected an error');
}

describe('manifest: reading files', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('explains a truncated (half-written) manifest and says what to do', () => {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, V12.slice(0, Math.floor(V12.length / 2)));
    expectManifestError(() => loadManifest(file), file, /not complete JSON/, /half-written/, /dbt parse/);
  });

  it('explains an empty manifest', () => {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, '');
    expectManifestError(() => loadManifest(file), file, /is empty/, /dbt parse/);
  });

  it('explains a missing manifest', () => {
    const file = path.join(dir, 'nope.json');
    expectManifestError(() => loadManifest(file), file, /does not exist/, /dbt parse/);
  });

  it('refuses JSON that is not a manifest', () => {
    const file = path.join(dir, 'run_results.json');
    writeFileSync(file, JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json' }, results: [] }));
    expectManifestError(() => loadManifest(file), file, /dbt_schema_version/);
    writeFileSync(file, '[1,2,3]');
    expectManifestError(() => loadManifest(file), file, /not a JSON object/);
  });

  it('refuses manifests older than dbt 1.0 (schema v3)', () => {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v3.json' }, nodes: {} }));
    expectManifestError(() => loadManifest(file), file, /schema v3/, /dbt 1\.0 or later/);
  });

  it('reads asynchronously with the same errors', async () => {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, V12);
    const m = await loadManifestAsync(file);
    assert.equal(m.metadata.schemaVersion, 12);
    writeFileSync(file, '{"metadata": {');
    await assert.rejects(loadManifestAsync(file), (err: unknown) => err instanceof ManifestError && /not complete JSON/.test(err.message));
  });
});

describe('manifest: projects', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads name, profile, model-paths and target-path from dbt_project.yml', () => {
    writeFileSync(path.join(dir, 'dbt_project.yml'), "name: 'shop'\nprofile: warehouse\nmodel-paths: ['models', 'more_models']\ntarget-path: build\n");
    const p = readProject(dir, { env: {} });
    assert.equal(p.name, 'shop');
    assert.equal(p.profile, 'warehouse');
    assert.deepEqual(p.modelPaths, ['models', 'more_models']);
    assert.equal(p.targetPath, path.join(dir, 'build'));
    assert.equal(p.manifestPath, path.join(dir, 'build', 'manifest.json'));
  });

  it('defaults to models/ and target/, honours DBT_TARGET_PATH and a given manifest path', () => {
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: shop\n');
    assert.equal(readProject(dir, { env: {} }).manifestPath, path.join(dir, 'target', 'manifest.json'));
    assert.deepEqual(readProject(dir, { env: {} }).modelPaths, ['models']);
    assert.equal(readProject(dir, { env: { DBT_TARGET_PATH: '/tmp/elsewhere' } }).manifestPath, '/tmp/elsewhere/manifest.json');
    assert.equal(readProject(dir, { env: {}, manifestPath: 'prod/manifest.json' }).manifestPath, path.join(dir, 'prod', 'manifest.json'));
  });

  it('reads dbt < 1.0 source-paths as model paths', () => {
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: old\nsource-paths: ["src"]\n');
    assert.deepEqual(readProject(dir, { env: {} }).modelPaths, ['src']);
  });

  it('explains a missing or malformed dbt_project.yml', () => {
    const file = path.join(dir, 'dbt_project.yml');
    expectManifestError(() => readProject(dir), file, /does not exist/, /--project-dir/);
    writeFileSync(file, 'name: [unclosed\n');
    expectManifestError(() => readProject(dir), file, /not valid YAML/);
    writeFileSync(file, 'profile: x\n');
    expectManifestError(() => readProject(dir), file, /has no `name:`/);
  });

  it('finds every project of a monorepo, skipping installed packages and build output', async () => {
    for (const p of ['a', 'b/nested', 'a/dbt_packages/dbt_utils', 'node_modules/x', 'b/target/y']) {
      mkdirSync(path.join(dir, p), { recursive: true });
      writeFileSync(path.join(dir, p, 'dbt_project.yml'), `name: ${path.basename(p)}\n`);
    }
    assert.deepEqual(await findProjects(dir), [path.join(dir, 'a'), path.join(dir, 'b', 'nested')]);
    assert.equal(projectRootOf(path.join(dir, 'b', 'nested', 'models', 'x.sql')), path.join(dir, 'b', 'nested'));
    assert.equal(projectRootOf(path.join(dir, 'c.sql')), null);
  });
});

describe('manifest: long-lived store', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: jaffle_shop\n');
    mkdirSync(path.join(dir, 'models'));
    mkdirSync(path.join(dir, 'target'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const setMtime = (file: string, secondsAgo: number): void => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(file, t, t);
  };

  it('reports missing, then loaded, then keeps the last good index when the file breaks', async () => {
    const store = new ManifestStore(readProject(dir, { env: {} }));
    const manifest = path.join(dir, 'target', 'manifest.json');

    const missing = await store.refresh();
    assert.equal(missing.kind, 'missing');
    assert.match(missing.kind === 'missing' ? missing.message : '', /dbt parse/);

    writeFileSync(manifest, V12);
    const loaded = await store.refresh();
    assert.equal(loaded.kind, 'loaded');
    assert.equal(loaded.kind === 'loaded' ? loaded.models : -1, 13);
    assert.equal(loaded.kind === 'loaded' ? loaded.stale : undefined, null);

    writeFileSync(manifest, V12.slice(0, 5000));
    const broken = await store.refresh();
    assert.equal(broken.kind, 'broken');
    if (broken.kind !== 'broken') return;
    assert.match(broken.message, /not complete JSON/);
    assert.equal(broken.lastGood?.nodes.size, loaded.kind === 'loaded' ? loaded.manifest.nodes.size : -1);
    assert.equal(store.manifest, broken.lastGood, 'the store still serves the last good index');

    writeFileSync(manifest, V12);
    assert.equal((await store.refresh()).kind, 'loaded');
  });

  it('calls a manifest stale when a model file is added, edited or removed after it, by content not mtime', async () => {
    const manifestFile = path.join(dir, 'target', 'manifest.json');
    writeFileSync(manifestFile, V12);
    // The jaffle_shop project's own model files, with the contents dbt checksummed (raw_code is the file).
    const nodes = JSON.parse(V12) as { nodes: Record<string, { resource_type: string; original_file_path: string; raw_code: string }> };
    const models = Object.values(nodes.nodes).filter((n) => n.resource_type === 'model');
    for (const n of models) {
      mkdirSync(path.dirname(path.join(dir, n.original_file_path)), { recursive: true });
      writeFileSync(path.join(dir, n.original_file_path), n.raw_code);
    }
    setMtime(manifestFile, 60);
    setMtime(path.join(dir, 'dbt_project.yml'), 120);
    const store = new ManifestStore(readProject(dir, { env: {} }));
    const stale = async (): Promise<unknown> => {
      const s = await store.refresh();
      return s.kind === 'loaded' ? s.stale : `not loaded: ${s.kind}`;
    };

    // Every file is newer than the manifest (as after a checkout or a copy), but each matches its checksum.
    assert.equal(await stale(), null);

    const orders = path.join(dir, 'models', 'marts', 'orders.sql');
    const original = readFileSync(orders, 'utf8');
    writeFileSync(orders, original + '\n-- edited');
    assert.deepEqual(await stale(), { file: 'models/marts/orders.sql' });
    writeFileSync(orders, original);
    assert.equal(await stale(), null, 'saved back to what dbt read');

    writeFileSync(path.join(dir, 'models', 'new_model.sql'), 'select 1');
    assert.deepEqual(await stale(), { file: 'models/new_model.sql' });
    rmSync(path.join(dir, 'models', 'new_model.sql'));

    rmSync(orders);
    assert.deepEqual(await stale(), { file: 'models/marts/orders.sql' }, 'a model the manifest knows is gone');
    writeFileSync(orders, original);

    writeFileSync(path.join(dir, 'models', 'schema.yml'), 'version: 2\n');
    assert.deepEqual(await stale(), { file: 'models/schema.yml' }, 'property files have no checksum: a newer one is stale');
  });

  it('coalesces refreshes asked for while one is reading', async () => {
    let reads = 0;
    const project = readProject(dir, { env: {} });
    writeFileSync(project.manifestPath, V12);
    const store = new ManifestStore(project, async (file) => {
      reads++;
      return loadManifestAsync(file);
    });
    const results = await Promise.all([store.refresh(), store.refresh(), store.refresh(), store.refresh()]);
    assert.ok(results.every((r) => r.kind === 'loaded'));
    // The first read, plus one shared read for all the calls that arrived while it ran.
    assert.equal(reads, 2);
  });
});
