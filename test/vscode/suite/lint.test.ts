import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { manifestLoaded } from './manifestLoaded';

// The workspace is a temp copy of examples/price-gap: this suite edits a model through a quick fix.
const BY_SECTOR = 'models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql';
const SUPPLY = 'models/execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql';

function fileUri(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.file(path.join(folder.uri.fsPath, rel));
}


/** Resolves with the document's diagnostics once `pred` holds for them (now or after a change event). */
function diagnosticsWhere(uri: vscode.Uri, pred: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  const now = vscode.languages.getDiagnostics(uri);
  if (pred(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`diagnostics never matched; last: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.code, d.message]))}`));
    }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const ds = vscode.languages.getDiagnostics(uri);
      if (pred(ds)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(ds);
      }
    });
  });
}

const ruleOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);

describe('recovery-readiness lint in the editor', function () {
  this.timeout(90_000);
  before(manifestLoaded);

  it('shows the missing-hooks diagnostic on a cohort model, and its quick fix makes it go', async () => {
    const uri = fileUri(BY_SECTOR);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ds = await diagnosticsWhere(uri, (all) => all.some((d) => ruleOf(d) === 'refill-append-hooks'));
    const hooks = ds.find((d) => ruleOf(d) === 'refill-append-hooks')!;
    assert.equal(hooks.source, 'dbt Recovery');
    assert.match(hooks.message, /Code: 241/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, hooks.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /refill_safe_pre_hook/.test(a.title));
    assert.ok(fix?.edit, `a quick fix with an edit among ${JSON.stringify(actions.map((a) => [a.title, !!a.edit]))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(doc.getText(), /pre_hook=refill_safe_pre_hook\(\)/);

    await diagnosticsWhere(uri, (all) => !all.some((d) => ruleOf(d) === 'refill-append-hooks'));
    // Leave the file on disk as it was (the later suites expect a manifest that matches the sources).
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('shows a cohort model\'s recovery role on hover, and the refill lens runs its command', async () => {
    const uri = fileUri(SUPPLY);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(doc.getText().indexOf('config(') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /refill cohort/);
    assert.match(text, /Upstream: \d+ models? · downstream: \d+ models?/);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => l.command?.title);
    assert.deepEqual(titles, ['Refill after price gap…', 'Plan dev build…']);
    // The lens runs the refill command on this model; the gap date it would ask for is given here.
    const refill = lenses[0]!.command!;
    const lensArgs: unknown[] = refill.arguments ?? [];
    const args: unknown[] = [...lensArgs, { fromDate: '2026-04-17', today: '2026-04-27' }];
    const opened = await vscode.commands.executeCommand<{ title: string; steps: string[]; lookbackDays: number }>(refill.command, ...args);
    assert.equal(opened.title, 'Refill after price gap from 2026-04-17');
    assert.equal(opened.lookbackDays, 12);
    assert.ok(opened.steps.includes('phase2-run'), opened.steps.join(' '));
  });
});
