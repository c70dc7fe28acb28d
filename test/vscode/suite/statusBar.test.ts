import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DbtRecoveryApi } from '../../../src/extension/extension';
import type { ProjectStatus, SelectNodesResult } from '../../../src/protocol/projectStatus';

// The workspace is a temp copy of examples/price-gap (test/harness/layer.mjs): this suite rewrites its manifest on
// disk, as dbt does while it runs, and watches the status bar follow through the real file watcher.

async function api(): Promise<DbtRecoveryApi> {
  const ext = vscode.extensions.getExtension<DbtRecoveryApi>('dbt-recovery.dbt-recovery');
  assert.ok(ext);
  return ext.activate();
}

/** Resolves when the extension reports a status satisfying `pred` (now or later); fails after `timeoutMs`. */
async function statusWhere(a: DbtRecoveryApi, pred: (s: ProjectStatus) => boolean, timeoutMs = 20_000): Promise<ProjectStatus> {
  const now = a.projects().find(pred);
  if (now) return now;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no status matched within ${timeoutMs} ms; last: ${JSON.stringify(a.projects())}`));
    }, timeoutMs);
    const sub = a.onDidChangeStatus((projects) => {
      const hit = projects.find(pred);
      if (hit) {
        clearTimeout(timer);
        sub.dispose();
        resolve(hit);
      }
    });
  });
}

function manifestOf(): { file: string; text: string; models: number } {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  const file = path.join(folder.uri.fsPath, 'target', 'manifest.json');
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text) as { nodes: Record<string, { resource_type: string }> };
  const models = Object.values(json.nodes).filter((n) => n.resource_type === 'model').length;
  return { file, text, models };
}

describe('status bar and manifest on disk', function () {
  this.timeout(60_000);
  const original = manifestOf();

  after(() => writeFileSync(original.file, original.text));

  it('shows the project\'s model count once the manifest is read', async () => {
    const a = await api();
    const s = await statusWhere(a, (p) => p.kind === 'loaded');
    assert.equal(s.models, original.models);
    assert.equal(a.statusBarText(), `dbt: ${original.models} models`);
  });

  it('keeps the last good index while dbt rewrites the file, then shows the new one', async () => {
    const a = await api();
    await statusWhere(a, (p) => p.kind === 'loaded');
    writeFileSync(original.file, original.text.slice(0, Math.floor(original.text.length / 3)));
    const broken = await statusWhere(a, (p) => p.kind === 'broken');
    assert.equal(broken.models, original.models);
    assert.equal(a.statusBarText(), `dbt: manifest broken (using ${original.models} models)`);
    assert.match(broken.message, /not complete JSON/);

    // A new manifest with one model fewer: the status bar follows the file.
    const json = JSON.parse(original.text) as { nodes: Record<string, { resource_type: string }> };
    const victim = Object.keys(json.nodes).find((id) => id.startsWith('model.'))!;
    delete json.nodes[victim];
    writeFileSync(original.file, JSON.stringify(json));
    await statusWhere(a, (p) => p.kind === 'loaded' && p.models === original.models - 1);
    assert.equal(a.statusBarText(), `dbt: ${original.models - 1} models`);
  });

  it('says when there is no manifest, and reloads on command', async () => {
    const a = await api();
    rmSync(original.file);
    await statusWhere(a, (p) => p.kind === 'missing');
    assert.equal(a.statusBarText(), 'dbt: no manifest');
    writeFileSync(original.file, original.text);
    const statuses = await vscode.commands.executeCommand<ProjectStatus[]>('dbtRecovery.reloadManifest');
    assert.equal(statuses[0]?.kind, 'loaded');
    assert.equal(statuses[0]?.models, original.models);
  });

  it('"Select Nodes" evaluates a selector on the manifest and reports a bad one', async () => {
    await api();
    const ok = await vscode.commands.executeCommand<SelectNodesResult>('dbtRecovery.selectNodes', 'int_execution_token_prices_daily');
    assert.ok(ok.ok, JSON.stringify(ok));
    if (!ok.ok) return;
    const model = ok.nodes.find((n) => n.resourceType === 'model');
    assert.equal(model?.uniqueId, 'model.gnosis_recovery_example.int_execution_token_prices_daily');
    assert.ok(model?.file?.endsWith(path.join('models', 'execution', 'prices', 'int_execution_token_prices_daily.sql')), model?.file ?? '');
    const bad = await vscode.commands.executeCommand<SelectNodesResult>('dbtRecovery.selectNodes', 'int_execution_token_price_daily');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.message, /Did you mean 'int_execution_token_prices_daily'/);
  });
});
