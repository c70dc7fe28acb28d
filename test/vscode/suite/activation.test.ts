import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'dbt-recovery.dbt-recovery';

interface PackageJson {
  contributes?: { commands?: { command: string }[] };
}

describe('activation', () => {
  it('activates and returns its test API', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const api: unknown = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api, 'object', 'activate() returns the test API');
  });

  it('registers every command contributed in package.json', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const contributed = ((ext.packageJSON as PackageJson).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  it('runs dbtRecovery.reloadManifest and gets a status for each dbt project back', async () => {
    const statuses: unknown = await vscode.commands.executeCommand('dbtRecovery.reloadManifest');
    assert.ok(Array.isArray(statuses), `expected an array of project statuses, got ${JSON.stringify(statuses)}`);
    const projects = await vscode.workspace.findFiles('**/dbt_project.yml', '**/node_modules/**');
    assert.equal(statuses.length, projects.length, JSON.stringify(statuses));
    for (const s of statuses as { kind?: unknown }[]) assert.equal(typeof s.kind, 'string', JSON.stringify(s));
  });
});
