import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProjectStatusParams, SelectNodesResult } from '../../src/protocol/projectStatus';
import { fixture } from '../unit/fixtures';
import { LspTestClient } from '../support/lspClient';

const STATUS = 'dbtRecovery/projectStatus';
const V12 = readFileSync(fixture('yu-iskw__dbt-artifacts-parser__v12.json'), 'utf8');
const GNOSIS = readFileSync(fixture('gnosischain__dbt-cerebro__v12.json'), 'utf8');

describe('language server: project status', function () {
  this.timeout(30_000);
  let ws: string;
  let client: LspTestClient;

  beforeEach(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-lsp-'));
    client = new LspTestClient();
  });
  afterEach(async () => {
    await client.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  function project(dir: string, name: string, manifest: string | null): string {
    const root = path.join(ws, dir);
    mkdirSync(path.join(root, 'target'), { recursive: true });
    mkdirSync(path.join(root, 'models'), { recursive: true });
    writeFileSync(path.join(root, 'dbt_project.yml'), `name: ${name}\n`);
    if (manifest !== null) writeFileSync(path.join(root, 'target', 'manifest.json'), manifest);
    return root;
  }

  it('reports each project of a monorepo with its model count, or what is missing', async () => {
    const jaffle = project('jaffle', 'jaffle_shop', V12);
    const gnosis = project('analytics/gnosis', 'gnosis_dbt', GNOSIS);
    const bare = project('bare', 'bare', null);
    await client.initialize([ws]);
    const s = await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects.every((x) => x.kind !== 'loading'));
    const byRoot = new Map(s.projects.map((p) => [p.root, p]));
    assert.deepEqual([...byRoot.keys()].sort(), [gnosis, bare, jaffle].sort());
    assert.equal(byRoot.get(jaffle)!.kind, 'loaded');
    assert.equal(byRoot.get(jaffle)!.models, 13);
    assert.equal(byRoot.get(jaffle)!.schemaVersion, 12);
    assert.equal(byRoot.get(gnosis)!.models, 241);
    assert.equal(byRoot.get(gnosis)!.name, 'gnosis_dbt');
    assert.equal(byRoot.get(bare)!.kind, 'missing');
    assert.match(byRoot.get(bare)!.message, /dbt parse/);
  });

  it('keeps the last good index when dbt half-writes the manifest, and recovers', async () => {
    const root = project('jaffle', 'jaffle_shop', V12);
    const manifest = path.join(root, 'target', 'manifest.json');
    await client.initialize([ws]);
    await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'loaded');

    writeFileSync(manifest, V12.slice(0, 20_000));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(manifest).toString(), type: 2 }] });
    const broken = await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'broken');
    assert.equal(broken.projects[0]!.models, 13, 'still serving the last good index');
    assert.match(broken.projects[0]!.message, /not complete JSON.*last good manifest/s);

    // The last good index still answers selections while the file is broken.
    const during = await client.connection.sendRequest<SelectNodesResult>('dbtRecovery/selectNodes', { select: ['stg_locations'], resourceTypes: ['model'] });
    assert.ok(during.ok);
    assert.deepEqual(during.ok && during.nodes.map((n) => n.uniqueId), ['model.jaffle_shop.stg_locations']);

    writeFileSync(manifest, V12);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(manifest).toString(), type: 2 }] });
    await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'loaded');
  });

  it('calls the manifest stale when a model changes after it, and honours the manifestPath setting', async () => {
    const root = project('jaffle', 'jaffle_shop', V12);
    await client.initialize([ws]);
    await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'loaded');

    const model = path.join(root, 'models', 'new_model.sql');
    writeFileSync(model, 'select 1 as id');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(model).toString(), type: 1 }] });
    const stale = await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'stale');
    assert.match(stale.projects[0]!.message, /models\/new_model\.sql changed after the manifest was written/);

    mkdirSync(path.join(root, 'prod'));
    writeFileSync(path.join(root, 'prod', 'manifest.json'), GNOSIS);
    client.configuration = { manifestPath: 'prod/manifest.json' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const moved = await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.models === 241);
    assert.equal(moved.projects[0]!.manifestPath, path.join(root, 'prod', 'manifest.json'));
  });

  it('answers selections with the nodes and their files, and selector errors as messages', async () => {
    const root = project('jaffle', 'jaffle_shop', V12);
    await client.initialize([ws]);
    await client.waitFor<ProjectStatusParams>(STATUS, (p) => p.projects[0]?.kind === 'loaded');
    const ok = await client.connection.sendRequest<SelectNodesResult>('dbtRecovery/selectNodes', { select: ['+locations'], resourceTypes: ['model', 'source'] });
    assert.ok(ok.ok);
    if (!ok.ok) return;
    // +locations: locations, its parent stg_locations, and that model's source ecom.raw_stores.
    assert.deepEqual(ok.nodes.map((n) => n.uniqueId), ['model.jaffle_shop.locations', 'model.jaffle_shop.stg_locations', 'source.jaffle_shop.ecom.raw_stores']);
    assert.equal(ok.nodes[0]!.file, path.join(root, 'models', 'marts', 'locations.sql'));
    assert.equal(ok.nodes[2]!.file, null, 'a source has no file of its own to open');
    const bad = await client.connection.sendRequest<SelectNodesResult>('dbtRecovery/selectNodes', { select: ['locatoins'] });
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /locatoins/);
  });
});
