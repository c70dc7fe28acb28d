import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { manifestLoaded } from './manifestLoaded';

const SUPPLY = 'models/execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql';

interface PackageJson {
  contributes: { menus: Record<string, Array<{ command: string; when?: string }>> };
}


describe('Refill after price gap in the editor', function () {
  this.timeout(60_000);
  before(manifestLoaded);

  it('is on the explorer and editor context menus of .sql files', () => {
    const pkg = vscode.extensions.getExtension('dbt-recovery.dbt-recovery')!.packageJSON as PackageJson;
    for (const menu of ['explorer/context', 'editor/context']) {
      const entry = pkg.contributes.menus[menu]?.find((m) => m.command === 'dbtRecovery.refillAfterPriceGap');
      assert.equal(entry?.when, 'resourceExtname == .sql', menu);
    }
  });

  it('plans the runbook\'s worked example for a model and opens the plan view with every step', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const uri = vscode.Uri.file(path.join(folder, SUPPLY));
    const opened = await vscode.commands.executeCommand<{ title: string; steps: string[]; lookbackDays: number; months: string[] }>(
      'dbtRecovery.refillAfterPriceGap',
      uri,
      { fromDate: '2026-04-17', today: '2026-04-27' },
    );
    assert.equal(opened.lookbackDays, 12);
    assert.deepEqual(opened.months, ['2026-04-01']);
    // Preflight first, then the cohort's three layers (run, then each table's OPTIMIZE), canary, phases 2 and 3.
    const order = ['preflight-mutations', 'phase1-approve', 'p1-2026-04-01-layer1-run', 'p1-2026-04-01-layer2-run', 'p1-2026-04-01-layer3-run', 'canary', 'phase2-approve', 'phase2-run', 'phase3-approve', 'phase3-run'];
    const positions = order.map((id) => opened.steps.indexOf(id));
    assert.ok(positions.every((p) => p >= 0), `missing: ${order.filter((_, i) => positions[i]! < 0).join(', ')}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'in this order');
    assert.ok(opened.steps.some((s) => s.startsWith('p1-2026-04-01-layer1-optimize-')));
    // The view is a webview panel titled for the gap (the tab list follows the workbench a moment later).
    const isView = (t: vscode.Tab): boolean => t.label === 'Refill after price gap from 2026-04-17' && t.input instanceof vscode.TabInputWebview;
    const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    if (!tabs().some(isView)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no plan view tab among ${tabs().map((t) => t.label).join(', ')}`)), 10_000);
        const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
          if (tabs().some(isView)) {
            clearTimeout(timer);
            sub.dispose();
            resolve();
          }
        });
      });
    }
  });

  it('drops the month of a model keyed on prices before its layer when clearMonthFor names it, and only then', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const uri = vscode.Uri.file(path.join(folder, SUPPLY));
    const cohorts = 'int_execution_tokens_balance_cohorts_daily';
    const open = (extra: Record<string, unknown>) =>
      vscode.commands.executeCommand<{ steps: string[] }>('dbtRecovery.refillAfterPriceGap', uri, { fromDate: '2026-04-17', today: '2026-04-27', ...extra });
    const cleared = await open({ clearMonthFor: [cohorts] });
    const clears = cleared.steps.filter((s) => s.includes('-clear-'));
    assert.equal(clears.length, 1, clears.join(' '));
    assert.match(clears[0]!, new RegExp(`^p1-2026-04-01-layer\\d-clear-${cohorts}$`));
    // Right before its layer's run.
    const layerRun = clears[0]!.replace(`-clear-${cohorts}`, '-run');
    assert.equal(cleared.steps.indexOf(layerRun), cleared.steps.indexOf(clears[0]!) + 1, cleared.steps.join(' '));
    const asPlanned = await open({});
    assert.deepEqual(asPlanned.steps.filter((s) => s.includes('-clear-')), [], 'a caller that fixes the date and no clearMonthFor clears nothing');
  });

  it('refuses a gap date in the future with a clear message, and opens nothing', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const before = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    const opened = await vscode.commands.executeCommand('dbtRecovery.refillAfterPriceGap', vscode.Uri.file(path.join(folder, SUPPLY)), { fromDate: '2026-05-02', today: '2026-04-27' });
    assert.equal(opened, undefined);
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, before);
  });
});
