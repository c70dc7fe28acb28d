// UI end-to-end: the real workbench (code-server, no smoke-test driver, so notification toasts show) in headless
// Chromium, the extension symlinked into the extensions dir as an installed one. Helpers for UI tests, and a check:
//
//   node test/harness/e2e.mjs [--folder DIR] [--extension DIR] [--status REGEX] [--command LABEL] [--no-build]
//
// opens DIR (default: a temp jaffle_shop project), waits for the status bar entry matching REGEX
// (default "dbt: \d+ models"), runs LABEL (default "dbt Recovery: Show Log") from the command palette, and keeps
// screenshots in test-results/e2e/. Builds first (node scripts/build.mjs) unless --no-build.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { removeOnExit, startCodeServer } from './codeServer.mjs';
import { makeDbtWorkspace } from './workspace.mjs';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), '../..');
export const SCREENSHOTS_DIR = path.join(repoRoot, 'test-results', 'e2e');

/**
 * @typedef {object} Workbench
 * @property {import('playwright-core').Page} page
 * @property {import('playwright-core').BrowserContext} context
 * @property {import('./codeServer.mjs').CodeServer} server
 * @property {() => Promise<void>} close  closes the browser and stops the server
 */

/**
 * Starts code-server with the extension installed (symlinked) and opens the workbench on `folder`.
 * Resolves once `.monaco-workbench` and the status bar are visible.
 * @param {{
 *   folder: string,
 *   extensions?: string[],               // extension folders to install; default: this repo
 *   settings?: Record<string, unknown>,  // user settings
 *   env?: Record<string, string>,        // for the server and so the extension host
 *   timeoutMs?: number,
 *   viewport?: { width: number, height: number },
 * }} options
 * @returns {Promise<Workbench>}
 */
export async function openWorkbench({ folder, extensions = [repoRoot], settings, env, timeoutMs = 60_000, viewport }) {
  const server = await startCodeServer({ linkExtensions: extensions, settings, env });
  let context;
  try {
    context = await launchBrowser({ userDataDir: path.join(server.tempDir, 'chromium'), viewport });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    await page.goto(server.workbenchUrl(folder), { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await page.locator('.part.statusbar').waitFor({ state: 'visible' });
    const ctx = context;
    return {
      page,
      context: ctx,
      server,
      close: async () => {
        await ctx.close().catch(() => {});
        await server.stop();
      },
    };
  } catch (err) {
    await context?.close().catch(() => {});
    await server.stop();
    throw err;
  }
}

/**
 * Waits for a status bar entry whose text matches `pattern` and returns its text (codicons are not text).
 * @param {import('playwright-core').Page} page
 * @param {RegExp | string} pattern  a string matches as a case-insensitive substring
 * @param {{ timeoutMs?: number }} [options]
 */
export async function statusBarText(page, pattern, { timeoutMs } = {}) {
  const item = page.locator('.part.statusbar .statusbar-item').filter({ hasText: pattern }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await item.innerText()).trim();
}

/**
 * Runs a command from the command palette: F1, type the label, click the row whose label is exactly `label`
 * (pressing Enter while the list is still filtering can run the previous first entry).
 * @param {import('playwright-core').Page} page
 * @param {string} label  as shown in the palette, e.g. "dbt Recovery: Show Log"
 * @param {{ timeoutMs?: number }} [options]
 */
export async function runCommand(page, label, { timeoutMs } = {}) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${label}`);
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.click({ timeout: timeoutMs });
  // The palette is gone when the widget hides, or when the command opened its own input in the same widget
  // (the text then no longer starts with '>').
  await page.waitForFunction(
    () => {
      const w = document.querySelector('.quick-input-widget');
      const box = w?.querySelector('.quick-input-box input');
      const hidden = !w || getComputedStyle(w).display === 'none' || w.classList.contains('quick-input-widget-closing');
      return hidden || (box instanceof HTMLInputElement && !box.value.startsWith('>'));
    },
    undefined,
    { timeout: timeoutMs },
  );
}

/**
 * Saves a full-page PNG as `<dir>/<name>.png` and returns its path.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @param {{ dir?: string }} [options]
 */
export async function screenshot(page, name, { dir = SCREENSHOTS_DIR } = {}) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function main(argv) {
  const value = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!argv.includes('--no-build')) {
    const { status } = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (status !== 0) return 1;
  }
  const status = new RegExp(value('status') ?? 'dbt: \\d+ models');
  const command = value('command') ?? 'dbt Recovery: Show Log';
  const temp = value('folder') ? undefined : makeDbtWorkspace();
  const removeWorkspace = temp ? removeOnExit(temp.dir) : () => {};
  const folder = path.resolve(value('folder') ?? temp.dir);
  const extension = path.resolve(value('extension') ?? repoRoot);

  const checks = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true });
      console.log(`  ✔ ${name}${detail ? `: ${detail}` : ''}`);
    } catch (err) {
      checks.push({ name, ok: false });
      console.log(`  ✘ ${name}\n    ${String(err instanceof Error ? err.message : err).split('\n').join('\n    ')}`);
      if (wb) console.log(`    screenshot: ${await screenshot(wb.page, `FAILED-${name}`).catch((e) => e.message)}`);
    }
  };

  let wb;
  const started = Date.now();
  try {
    console.log(`e2e: workbench on ${folder} with ${extension}`);
    await check('workbench opens', async () => {
      wb = await openWorkbench({ folder, extensions: [extension] });
      return `${Date.now() - started} ms`;
    });
    if (wb) {
      const { page } = wb;
      await check(`status bar shows ${status}`, async () => {
        const text = await statusBarText(page, status);
        return `"${text}" (${await screenshot(page, 'status-bar')})`;
      });
      await check(`command palette runs "${command}"`, async () => {
        await runCommand(page, command);
        // Show Log opens the panel on the extension's output channel, with some log in it.
        if (command === 'dbt Recovery: Show Log') {
          await page.waitForFunction(() => {
            const select = document.querySelector('.part.panel select');
            return select instanceof HTMLSelectElement && select.options[select.selectedIndex]?.text === 'dbt Recovery';
          });
          await page.locator('.part.panel .monaco-editor .view-line').first().waitFor({ state: 'visible' });
        }
        return await screenshot(page, 'command');
      });
    }
  } finally {
    await wb?.close();
    removeWorkspace();
  }
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`\ne2e: ${checks.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
