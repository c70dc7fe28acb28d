import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS } from '../../../src/core/lint/types';

// src/extension imports `vscode`, which only exists inside an editor, so these checks read the sources as text.
// The in-editor suite (test/vscode) checks the same commands are really registered.
const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  displayName: string;
  main: string;
  icon: string;
  bin: Record<string, string>;
  engines: { vscode: string; node: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; restrictedConfigurations?: string[] } };
  contributes: { commands: Array<{ command: string; title: string }>; configuration: { properties: Record<string, unknown> } };
  devDependencies: Record<string, string | undefined>;
};
const source = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

describe('package.json: the extension manifest', () => {
  it('is the dbt-recovery extension, with its CLI and icon', () => {
    assert.equal(pkg.name, 'dbt-recovery');
    assert.equal(pkg.displayName, 'dbt Recovery');
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(pkg.bin, { 'dbt-recovery': 'dist/cli.js' });
    assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
    assert.ok(existsSync(path.join(ROOT, pkg.icon)), `${pkg.icon} exists`);
  });

  it('activates on workspaces that contain a dbt project', () => {
    assert.deepEqual(pkg.activationEvents, ['workspaceContains:**/dbt_project.yml']);
  });

  it('declares limited support for untrusted workspaces, restricting settings that point at files', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['dbtRecovery.manifestPath', 'dbtRecovery.dbtCommand']);
  });

  it('@types/vscode is not newer than engines.vscode (vsce refuses to package otherwise)', () => {
    const engine = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const types = (pkg.devDependencies['@types/vscode'] ?? '').replace(/^[~^]/, '').split('.').map(Number);
    assert.ok(types[0]! < engine[0]! || (types[0] === engine[0] && types[1]! <= engine[1]!), `${pkg.devDependencies['@types/vscode']} vs ${pkg.engines.vscode}`);
  });

  it('contributes exactly the commands of the one command table', () => {
    // Keys are literal ids, or `[COMMANDS.x]` from src/protocol/commands.ts (ids the server also uses).
    const ids = new Map([...source('src/protocol/commands.ts').matchAll(/^ {2}(\w+): '(dbtRecovery\.[A-Za-z]+)',/gm)].map((m) => [m[1]!, m[2]!]));
    const table = [...source('src/extension/commands.ts').matchAll(/^ {2}(?:'(dbtRecovery\.[A-Za-z]+)'|\[COMMANDS\.(\w+)\]):/gm)].map((m) => m[1] ?? ids.get(m[2]!));
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.ok(table.length >= 4, `found the table's ids: ${table.join(', ')}`);
    assert.deepEqual([...contributed].sort(), [...table].sort());
    for (const c of pkg.contributes.commands) assert.match(c.command, /^dbtRecovery\.[a-z]+[A-Z][A-Za-z]*$/, 'ids are dbtRecovery.<verb><Noun>');
  });

  it('every contributed setting is read through the typed Config class or the server settings', () => {
    const config = source('src/extension/config.ts');
    const serverSettings = source('src/protocol/settings.ts');
    for (const key of Object.keys(pkg.contributes.configuration.properties)) {
      const short = key.replace(/^dbtRecovery\./, '');
      assert.ok(config.includes(`'${short}'`) || serverSettings.includes(`${short}:`), `${key} is read somewhere`);
    }
  });

});

describe('the packaged extension (vsce)', function () {
  this.timeout(60_000);
  it('holds the bundles, media and docs, and none of the tests, fixtures, examples or sources', () => {
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const out = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
    const files = out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
    // The rule pages ship because every diagnostic links to its rule's page in the installed extension.
    const ruleDocs = ['README', ...RULE_IDS].map((id) => `docs/rules/${id}.md`);
    assert.deepEqual(files, [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/extension.js',
      'dist/server.js',
      'dist/webview/diffView.js',
      'dist/webview/planView.js',
      'docs/recovery-profile.md',
      ...ruleDocs,
      'media/diffView.css',
      'media/icon.png',
      'media/icon.svg',
      'media/planView.css',
      'package.json',
    ].sort());
  });
});
