// The editor layers of `npm test` (scripts/test.mjs): the in-editor mocha suite in a real VS Code, then UI checks of
// the workbench in headless Chromium with screenshots in test-results/e2e/. Both run on a temp copy of
// examples/price-gap, so tests may rewrite its files.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './codeServer.mjs';
import { amounts, devBuildEnv, makeDevBuildWorkspace, PROD_ORDERS, RAW_ORDERS } from './devBuildWorkspace.mjs';
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
    title: 'a model\'s context menu runs "Refill after Price Gap…": the month of a model keyed on prices is dropped first when asked, the plan view shows every step, and approving it runs (here: reports the missing ClickHouse)',
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
      // The server's code lenses shift the lines when they arrive, which closes an open context menu: wait for them.
      await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Refill after price gap…' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await lines.click({ button: 'right' });
      const item = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Refill after Price Gap…' }).first();
      await item.waitFor({ state: 'visible' });
      await screenshot(page, 'refill-context-menu');
      // Hover (which focuses the item) and Enter: a click now and then only focuses it without running the command.
      await item.hover();
      await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: 'Refill after Price Gap…' }).waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');

      // The gap date, asked with yesterday as the default.
      const widget = page.locator('.quick-input-widget');
      await widget.filter({ hasText: 'The first day the prices were missing' }).waitFor({ state: 'visible' });
      await widget.locator('.quick-input-box input').fill('2026-04-17');
      await page.keyboard.press('Enter');

      // The balance cohorts' key is computed from prices: asked whether their month is dropped first. Yes.
      const cohorts = 'int_execution_tokens_balance_cohorts_daily';
      const ask = widget.filter({ hasText: 'keys computed from prices' });
      await ask.waitFor({ state: 'visible', timeout: 30_000 });
      const row = ask.locator('.quick-input-list .monaco-list-row', { hasText: cohorts }).first();
      await row.waitFor({ state: 'visible' });
      await row.click();
      await ask.locator(`.quick-input-list .monaco-list-row[aria-checked="true"]`, { hasText: cohorts }).waitFor({ state: 'visible' });
      await screenshot(page, 'refill-clear-month');
      await page.keyboard.press('Enter');

      const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await view.locator('h1', { hasText: 'Refill after price gap from 2026-04-17' }).waitFor({ state: 'visible', timeout: 30_000 });
      const steps = await view.locator('li.step').count();
      if (steps < 20) throw new Error(`the plan view shows ${steps} steps`);
      await view.locator('pre.code', { hasText: "OPTIMIZE TABLE `dbt`.`int_execution_tokens_balances_daily` PARTITION '2026-04-01' FINAL DEDUPLICATE" }).first().waitFor({ state: 'visible' });
      await view.locator('pre.code', { hasText: '--exclude tag:refill_append' }).first().waitFor({ state: 'visible' });
      await view.locator('pre.code', { hasText: `ALTER TABLE \`dbt\`.\`${cohorts}\` DROP PARTITION '2026-04-01'` }).first().waitFor({ state: 'visible' });
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

/**
 * What the seed implies for a full-refresh dev build of fct_orders (amount = qty * price over every raw order)
 * compared with the stale production table on order_id, worked out from the seed rows themselves.
 */
function expectedComparison() {
  const dev = new Map(RAW_ORDERS.map(([id, day, qty, price]) => [id, { day, amount: qty * price }]));
  const prod = new Map(PROD_ORDERS.map(([id, day, amount]) => [id, { day, amount }]));
  const matched = [...dev.keys()].filter((k) => prod.has(k));
  const changed = matched.filter((k) => dev.get(k).day !== prod.get(k).day || dev.get(k).amount !== prod.get(k).amount);
  const outliers = changed
    .filter((k) => dev.get(k).amount !== prod.get(k).amount)
    .map((k) => ({ key: String(k), prod: prod.get(k).amount, dev: dev.get(k).amount, rel: (dev.get(k).amount - prod.get(k).amount) / prod.get(k).amount }));
  return {
    rowsDev: dev.size,
    rowsProd: prod.size,
    onlyInDev: [...dev.keys()].filter((k) => !prod.has(k)).length,
    onlyInProd: [...prod.keys()].filter((k) => !dev.has(k)).length,
    changed: changed.length,
    outliers,
    devAmounts: Object.fromEntries([...dev].map(([k, v]) => [k, v.amount])),
  };
}

/** The view's own formats: en-US grouping, a signed percentage with two decimals. */
const shown = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 4 });
const shownPct = (r) => `${r >= 0 ? '+' : ''}${(r * 100).toFixed(2)}%`;

/** The frame (a webview's inner frame) in which `selector` matches, once one does; `stop()` may throw first. */
async function webviewFrame(page, selector, timeoutMs, stop = () => {}) {
  let found = null;
  const ok = await pollUntil(async () => {
    stop();
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) {
        found = f;
        return true;
      }
    }
    return false;
  }, timeoutMs);
  if (!ok) throw new Error(`no webview shows ${selector} after ${timeoutMs / 1000} s`);
  return found;
}

/** The journal's steps as `{ id: status }` and the run's status, of the one run in the workspace. */
function journalState(world) {
  const runs = world.journals();
  if (runs.length !== 1) return null;
  return { status: runs[0].status, steps: Object.fromEntries(runs[0].steps.map((s) => [s.id, s.status])), journal: runs[0] };
}

const PROMOTION = 'CREATE OR REPLACE TABLE "warehouse"."main"."fct_orders" AS SELECT * FROM "warehouse"."dev_ana"."fct_orders"';

/** UI checks on the DuckDB dev-build workspace (devBuildWorkspace.mjs); `world` is what made it. */
const devBuildChecks = [
  {
    title: '"Plan Dev Build…" on a DuckDB model: the plan shows the promotion statement; the run builds dev with dbt and compares; the diff view shows the comparison\'s numbers; production is untouched until the promotion is approved with a note for the +30% outlier, then holds the dev build',
    async run(page, ws, world) {
      const want = expectedComparison();
      // The hand-worked numbers, so that a wrong seed cannot make the check vacuous.
      if (want.rowsDev !== 7 || want.rowsProd !== 7 || want.onlyInDev !== 1 || want.onlyInProd !== 1 || want.changed !== 2) throw new Error(`the seed implies ${JSON.stringify(want)}`);
      const big = want.outliers.filter((o) => Math.abs(o.rel) > 0.05);
      if (big.length !== 1 || big[0].key !== '5' || big[0].prod !== 1000 || big[0].dev !== 1300) throw new Error(`the seed's outliers: ${JSON.stringify(want.outliers)}`);
      await statusBarText(page, 'dbt: 2 models', { timeoutMs: 60_000 });

      // Open the model, then its context menu.
      await page.keyboard.press('Control+P');
      const quick = page.locator('.quick-input-widget .quick-input-box input');
      await quick.waitFor({ state: 'visible' });
      await quick.fill('fct_orders.sql');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const lines = page.locator('.monaco-editor .view-lines').first();
      await lines.waitFor({ state: 'visible' });
      await page.locator('.monaco-editor .view-line', { hasText: /is_incremental/ }).first().waitFor({ state: 'visible' });
      // The server's code lenses shift the lines when they arrive, which closes an open context menu: wait for them.
      await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Plan dev build…' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await lines.click({ button: 'right' });
      const item = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Plan Dev Build…' }).first();
      await item.waitFor({ state: 'visible' });
      // Hover (which focuses the item) and Enter: a click now and then only focused it, the command not run.
      await item.hover();
      await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: 'Plan Dev Build…' }).waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');

      // Full refresh.
      const widget = page.locator('.quick-input-widget');
      await widget.filter({ hasText: 'Plan dev build' }).waitFor({ state: 'visible' });
      await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Full refresh' }).first().click();

      // The plan view: every step, and the exact promotion statement.
      const plan = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await plan.locator('h1', { hasText: 'Dev build: full-refresh' }).waitFor({ state: 'visible', timeout: 30_000 });
      const steps = await plan.locator('li.step').count();
      if (steps !== 8) throw new Error(`the plan view shows ${steps} steps, not 8`);
      await plan.locator('pre.code', { hasText: PROMOTION }).first().waitFor({ state: 'visible' });
      await screenshot(page, 'devbuild-plan-view');
      await plan.locator('#approve-and-run').click();

      // The run builds dev (dbt stand-in into DuckDB), compares, and the diff view opens on the comparison.
      const diff = await webviewFrame(page, '#rows-dev', 120_000, () => {
        const j = journalState(world);
        if (j && j.status !== 'running') throw new Error(`the run stopped before the diff view showed: ${j.status}: ${j.journal.message ?? JSON.stringify(j.steps)}`);
      });
      const text = async (sel) => (await diff.locator(sel).innerText()).trim();
      const cards = { '#rows-dev': want.rowsDev, '#rows-prod': want.rowsProd, '#only-in-dev': want.onlyInDev, '#only-in-prod': want.onlyInProd, '#changed-rows': want.changed, '#unexplained': big.length };
      await diff.locator('h1').scrollIntoViewIfNeeded();
      await screenshot(page, 'devbuild-diff-view');
      for (const [sel, n] of Object.entries(cards)) {
        const got = await text(sel);
        if (got !== shown(n)) throw new Error(`${sel} reads "${got}", the seed implies ${n}`);
      }
      const rows = diff.locator('table.outliers tr:has(td.key)');
      const table = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent.trim())));
      const expectedTable = [...want.outliers].sort((a, b) => Math.abs(b.rel) - Math.abs(a.rel)).map((o) => [o.key, 'amount', shown(o.prod), shown(o.dev), shownPct(o.rel)]);
      if (JSON.stringify(table) !== JSON.stringify(expectedTable)) throw new Error(`the outliers read ${JSON.stringify(table)}, the seed implies ${JSON.stringify(expectedTable)}`);
      if (JSON.stringify(table[0]) !== JSON.stringify(['5', 'amount', '1,000', '1,300', '+30.00%'])) throw new Error(`the +30% outlier reads ${JSON.stringify(table[0])}`);

      // The gate waits in the diff view: the statement shown, approval refused without a note, production untouched.
      const approve = diff.locator('#approve-promotion');
      await diff.locator('button#approve-promotion', { hasText: 'Approve promotion' }).waitFor({ state: 'visible', timeout: 30_000 });
      await diff.locator('pre.code', { hasText: PROMOTION }).waitFor({ state: 'visible' });
      if (!(await approve.isDisabled())) throw new Error('the promotion can be approved with the +30% outlier unexplained');
      await approve.click({ force: true });
      await screenshot(page, 'devbuild-diff-view-gate');
      const atGate = journalState(world);
      if (!atGate || atGate.status !== 'running' || atGate.steps.compare !== 'done' || atGate.steps.promote !== 'pending' || atGate.steps['verify-prod'] !== 'pending') {
        throw new Error(`at the gate the journal reads ${JSON.stringify(atGate && { status: atGate.status, steps: atGate.steps })}`);
      }
      if (atGate.journal.approvals.some((a) => a.stepId === 'approve-promotion')) throw new Error('the promotion gate was answered without a note');
      // Production as seeded: while the gate waits the run lets go of the DuckDB file (one writing process per
      // file), so it can be read here, as a person would from their own DuckDB shell.
      const seeded = Object.fromEntries(PROD_ORDERS.map(([id, , amount]) => [id, amount]));
      const prodAtGate = await amounts(world.db, 'main.fct_orders');
      if (JSON.stringify(prodAtGate) !== JSON.stringify(seeded)) throw new Error(`production changed before the approval: ${JSON.stringify(prodAtGate)}`);
      if (!(await approve.isDisabled()) || (await approve.innerText()).trim() !== 'Approve promotion') throw new Error('clicking the disabled approval changed the gate');

      // The note given, the promotion is approved and runs.
      const note = 'late price correction for 2026-04-09';
      const input = diff.locator('tr.needs-note input.note');
      await input.fill(note);
      await input.press('Tab'); // the note is taken on 'change'
      await diff.locator('button#approve-promotion:not([disabled])').waitFor({ state: 'visible', timeout: 10_000 });
      await approve.click();
      const finished = await pollUntil(() => ['done', 'failed', 'refused', 'cancelled'].includes(journalState(world)?.status), 60_000);
      const end = journalState(world);
      if (!finished || end.status !== 'done') throw new Error(`the run ended ${JSON.stringify(end && { status: end.status, steps: end.steps })}`);
      if (end.steps.promote !== 'done' || end.steps['verify-prod'] !== 'done') throw new Error(`after the run the journal reads ${JSON.stringify(end.steps)}`);
      const approval = end.journal.approvals.filter((a) => a.stepId === 'approve-promotion').at(-1);
      if (!approval?.approved || JSON.stringify(approval.explanations) !== JSON.stringify([{ key: ['5'], column: 'amount', note }])) throw new Error(`the promotion approval reads ${JSON.stringify(approval)}`);
      if (approval.by !== `${os.userInfo().username} (diff view)`) throw new Error(`the promotion approval is recorded as by ${JSON.stringify(approval.by)}`);
      // The plan view (behind the diff view in the same group) says the run succeeded.
      await page.locator('.tabs-container .tab', { hasText: 'Dev build: full-refresh' }).click();
      await webviewFrame(page, '.run-message.run-succeeded', 30_000);
      const dbt = end.journal.steps.find((st) => st.id === 'dbt-run-dev')?.dbt?.argv ?? [];
      if (!dbt.includes('--full-refresh') || dbt[dbt.indexOf('--target') + 1] !== 'dev') throw new Error(`dbt ran as ${JSON.stringify(dbt)}`);
      const devBuilt = await amounts(world.db, 'dev_ana.fct_orders');
      if (JSON.stringify(devBuilt) !== JSON.stringify(want.devAmounts)) throw new Error(`dev holds ${JSON.stringify(devBuilt)}, the seed implies ${JSON.stringify(want.devAmounts)}`);
      const prod = await amounts(world.db, 'main.fct_orders');
      if (JSON.stringify(prod) !== JSON.stringify(want.devAmounts)) throw new Error(`production holds ${JSON.stringify(prod)}, not the dev build ${JSON.stringify(want.devAmounts)}`);
      await screenshot(page, 'devbuild-promoted');
    },
  },
];

/** Runs `checks` on one workbench opened on `ws` (with `env` for the server), each counted as one test. */
async function runUiChecks(checks, ws, log, { env, context } = {}) {
  const counts = { passed: 0, failed: 0, pending: 0, failures: [] };
  let wb;
  try {
    wb = await openWorkbench({ folder: ws, env, timeoutMs: 60_000 });
  } catch (err) {
    counts.failed = checks.length;
    counts.failures.push({ title: `e2e: opening the workbench on ${path.basename(ws)}`, error: String(err?.stack ?? err) });
    return counts;
  }
  try {
    for (const check of checks) {
      const started = Date.now();
      try {
        await check.run(wb.page, ws, context);
        counts.passed++;
        log(`  ✔ ${check.title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        counts.failed++;
        counts.failures.push({ title: `e2e: ${check.title}`, error: String(err?.stack ?? err) });
        log(`  ✗ ${check.title}: ${String(err?.message ?? err).split('\n')[0]}`);
        await screenshot(wb.page, `failed-${check.title}`.slice(0, 100)).catch(() => {});
      }
    }
  } finally {
    await wb.close();
  }
  return counts;
}

/** The dev-build UI checks alone, on a fresh DuckDB workspace under `tmp` (a second workbench); needs a build. */
export async function runDevBuildChecks({ tmp, log = (l) => console.log(l) }) {
  log('\n--- e2e: a dev build on a DuckDB project (a second workbench) ---');
  const world = await makeDevBuildWorkspace(path.join(tmp, 'e2e-devbuild'));
  return runUiChecks(devBuildChecks, world.dir, log, { env: devBuildEnv(), context: world });
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
  const ui = await runUiChecks(uiChecks, copyExample(path.join(tmp, 'e2e')), log);
  const dev = await runDevBuildChecks({ tmp, log });
  const all = [results, ui, dev];
  return {
    passed: all.reduce((n, c) => n + c.passed, 0),
    failed: all.reduce((n, c) => n + c.failed, 0),
    pending: all.reduce((n, c) => n + c.pending, 0),
    failures: all.flatMap((c) => c.failures),
  };
}
