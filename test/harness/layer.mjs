// The editor layers of `npm test` (scripts/test.mjs): the in-editor mocha suite in a real VS Code, then UI checks of
// the workbench in headless Chromium with screenshots in test-results/e2e/. Both run on a temp copy of
// examples/price-gap, so tests may rewrite its files.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWorkbench, runCommand, screenshot, statusBarText } from './e2e.mjs';
import { DEFAULT_TESTS_PATH, runVsCodeTests } from './runVsCodeTests.mjs';
import { setup } from './setup.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE = path.join(repoRoot, 'examples', 'price-gap');

/** A fresh copy of the example project (without run artifacts) under `dir`. */
export function copyExample(dir) {
  const ws = path.join(dir, 'price-gap');
  mkdirSync(dir, { recursive: true });
  cpSync(EXAMPLE, ws, { recursive: true, preserveTimestamps: true, filter: (src) => !/[/\\](logs|dbt-recovery)([/\\]|$)/.test(src) });
  return ws;
}

/** What `dbt-recovery ls` prints for the workspace: the UI must agree with the CLI. */
function cliNames(ws, ...argv) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'ls', '--project-dir', ws, '--output', 'name', ...argv], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** UI checks, each counted as one test. They share one workbench, opened once. */
const uiChecks = [
  {
    title: 'the status bar shows the example project\'s model count',
    async run(page, ws) {
      const models = cliNames(ws, '--resource-type', 'model').length;
      const text = await statusBarText(page, new RegExp(`dbt: ${models} models`), { timeoutMs: 60_000 });
      await screenshot(page, 'status-bar');
      if (!text.includes(`dbt: ${models} models`)) throw new Error(`status bar reads "${text}"`);
    },
  },
  {
    title: '"dbt Recovery: Select Nodes…" from the palette lists what the CLI selects',
    async run(page, ws) {
      const selector = 'tag:refill_append';
      const expected = cliNames(ws, '--select', selector);
      await runCommand(page, 'dbt Recovery: Select Nodes…');
      // The palette closes and the command's input box opens in the same widget: wait for the box's own prompt.
      const widget = page.locator('.quick-input-widget');
      await widget.filter({ hasText: 'A dbt selector' }).waitFor({ state: 'visible' });
      const input = widget.locator('.quick-input-box input');
      await input.fill(selector);
      await page.keyboard.press('Enter');
      const title = page.locator('.quick-input-widget .quick-input-title');
      await title.filter({ hasText: `${expected.length} nodes selected by ${selector}` }).waitFor({ state: 'visible', timeout: 30_000 });
      const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
      await first.waitFor({ state: 'visible' });
      await screenshot(page, 'select-nodes');
      await page.keyboard.press('Escape');
    },
  },
  {
    title: 'a model\'s context menu runs "Refill after Price Gap…": the plan view shows every step, and approving it runs (here: reports the missing ClickHouse)',
    async run(page) {
      // Open the canary model with Quick Open, then right-click in its editor.
      await page.keyboard.press('Control+P');
      const quick = page.locator('.quick-input-widget .quick-input-box input');
      await quick.waitFor({ state: 'visible' });
      await quick.fill('int_execution_tokens_supply_holders_daily.sql');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const lines = page.locator('.monaco-editor .view-lines').first();
      await lines.waitFor({ state: 'visible' });
      await lines.click({ button: 'right' });
      const item = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Refill after Price Gap…' }).first();
      await item.waitFor({ state: 'visible' });
      await screenshot(page, 'refill-context-menu');
      await item.click();

      // The gap date, asked with yesterday as the default.
      const widget = page.locator('.quick-input-widget');
      await widget.filter({ hasText: 'The first day the prices were missing' }).waitFor({ state: 'visible' });
      await widget.locator('.quick-input-box input').fill('2026-04-17');
      await page.keyboard.press('Enter');

      const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await view.locator('h1', { hasText: 'Refill after price gap from 2026-04-17' }).waitFor({ state: 'visible', timeout: 30_000 });
      const steps = await view.locator('li.step').count();
      if (steps < 20) throw new Error(`the plan view shows ${steps} steps`);
      await view.locator('pre.code', { hasText: "OPTIMIZE TABLE `dbt`.`int_execution_tokens_balances_daily` PARTITION '2026-04-01' FINAL DEDUPLICATE" }).first().waitFor({ state: 'visible' });
      await view.locator('pre.code', { hasText: '--exclude tag:refill_append' }).first().waitFor({ state: 'visible' });
      await screenshot(page, 'refill-plan-view');

      // Approve and run: nothing listens on the example's ClickHouse port, so the run must say so plainly.
      await view.locator('#approve-and-run').click();
      const message = view.locator('.run-message.run-failed');
      await message.waitFor({ state: 'visible', timeout: 60_000 });
      const text = await message.innerText();
      if (!/127\.0\.0\.1:8123|ECONNREFUSED|connect/i.test(text)) throw new Error(`the failed run says: ${text}`);
      // A stopped run can be resumed from the view, where it stopped.
      await view.locator('#resume-run:not([disabled])').waitFor({ state: 'visible' });
      await screenshot(page, 'refill-run-failed');
    },
  },
];

async function runUiChecks(ws, log) {
  const counts = { passed: 0, failed: 0, pending: 0, failures: [] };
  let wb;
  try {
    wb = await openWorkbench({ folder: ws, timeoutMs: 60_000 });
  } catch (err) {
    counts.failed = uiChecks.length;
    counts.failures.push({ title: 'e2e: opening the workbench', error: String(err?.stack ?? err) });
    return counts;
  }
  try {
    for (const check of uiChecks) {
      try {
        await check.run(wb.page, ws);
        counts.passed++;
        log(`  ✔ ${check.title}`);
      } catch (err) {
        counts.failed++;
        counts.failures.push({ title: `e2e: ${check.title}`, error: String(err?.stack ?? err) });
        log(`  ✗ ${check.title}: ${String(err?.message ?? err).split('\n')[0]}`);
        await screenshot(wb.page, `failed-${check.title}`).catch(() => {});
      }
    }
  } finally {
    await wb.close();
  }
  return counts;
}

/**
 * Installs the harness if needed, runs the in-editor suite and the UI checks, and returns their summed counts.
 * Throws (so the caller counts a failure with the message) only when the harness cannot be installed.
 */
export async function runVsCodeLayer({ tmp, log = (l) => console.log(l) }) {
  await setup({ log });
  const suiteWs = copyExample(path.join(tmp, 'vscode-suite'));
  const { results } = await runVsCodeTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: DEFAULT_TESTS_PATH,
    workspace: suiteWs,
    timeoutMs: 10 * 60_000,
    log,
  });
  log('\n--- e2e: the workbench in headless Chromium (screenshots in test-results/e2e/) ---');
  const ui = await runUiChecks(copyExample(path.join(tmp, 'e2e')), log);
  return {
    passed: results.passed + ui.passed,
    failed: results.failed + ui.failed,
    pending: results.pending + ui.pending,
    failures: [...results.failures, ...ui.failures],
  };
}
