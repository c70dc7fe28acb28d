#!/usr/bin/env node
// `npm start`: the extension in a real VS Code (code-server) on the bundled example project, served on loopback.
// Sets up what it needs (npm packages, Debian packages, Node 24 and code-server in a cache outside the repo),
// builds, starts the server, checks in headless Chromium that the extension came up (status bar), and keeps
// serving until Ctrl-C.
//
//   npm start                         serve examples/price-gap; open the printed URL
//   npm start -- --port 8080          a fixed loopback port (default: a free one)
//   npm start -- --folder DIR         another dbt project
//   npm start -- --check              set up, start, check, stop: exit 0 when the extension came up
//   npm start -- --demo dev-build     a generated dbt-duckdb project (in a temp folder) to try "Plan Dev Build…" and
//                                     the diff view without a warehouse; dbt there is the tests' stand-in
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, ensureNodeModules, repoRoot } from './ensureNodeModules.mjs';

const args = process.argv.slice(2);
const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const check = args.includes('--check');
const port = Number(arg('--port') ?? process.env.DBT_RECOVERY_PORT ?? 0);
const demo = arg('--demo');
let folder = path.resolve(arg('--folder') ?? path.join(repoRoot, 'examples', 'price-gap'));

async function main() {
  if (!(await ensureNodeModules())) return 1;
  console.log('\n=== build (esbuild) ===');
  if (!(await build())) return 1;

  const harness = (f) => import(pathToFileURL(path.join(repoRoot, 'test', 'harness', f)).href);
  const { setup } = await harness('setup.mjs');
  const { startCodeServer } = await harness('codeServer.mjs');
  const { launchBrowser } = await harness('browser.mjs');
  const { statusBarText, screenshot } = await harness('e2e.mjs');

  let env = {};
  let demoDir = null;
  if (demo !== undefined) {
    if (demo !== 'dev-build') {
      console.error(`--demo ${demo}: the one demo is dev-build.`);
      return 2;
    }
    // dbt cannot be installed here (no PyPI): the demo's dbt is the tests' stand-in, which builds the model in the
    // DuckDB file as dbt-duckdb would. With your own dbt, open your project with --folder instead.
    const { makeDevBuildWorkspace, devBuildEnv } = await harness('devBuildWorkspace.mjs');
    demoDir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-demo-'));
    const world = await makeDevBuildWorkspace(demoDir);
    folder = world.dir;
    env = devBuildEnv();
    console.log(`\ndemo: a dbt-duckdb project in ${folder}; production's fct_orders has a stale amount (+30% on order 5).`);
    console.log('  Open models/fct_orders.sql, right-click, "Plan Dev Build…", Full refresh, then Approve and run.');
  }

  console.log('\n=== set-up: a real VS Code (code-server) and Chromium ===');
  await setup({ log: (l) => console.log(l) });
  const server = await startCodeServer({ linkExtensions: [repoRoot], port, env });
  const url = server.workbenchUrl(folder);
  const stop = async () => {
    await server.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));

  console.log(`\nVS Code with dbt Recovery is serving ${folder}`);
  console.log(`  open: ${url}`);

  // See it come up, as a user would: the workbench in a browser, the extension's status bar item.
  let ok = false;
  const context = await launchBrowser({ userDataDir: path.join(server.tempDir, 'chromium') });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(90_000);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    const text = await statusBarText(page, /dbt: /, { timeoutMs: 90_000 });
    const shot = await screenshot(page, demo ? `demo-${demo}` : 'workbench', { dir: path.join(repoRoot, 'test-results', 'start') });
    ok = /dbt: \d+ models/.test(text);
    console.log(`  checked in headless Chromium: the status bar reads "${text.replace(/\s+/g, ' ')}" (screenshot: ${path.relative(repoRoot, shot)})`);
    if (!ok) console.error('  the extension came up but the manifest did not load: see "dbt Recovery: Show Log" in the workbench.');
  } catch (err) {
    console.error(`  the workbench or the extension did not come up: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await context.close().catch(() => {});
  }

  if (check) {
    await stop();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
    return ok ? 0 : 1;
  }
  if (demoDir) console.log(`(the demo project stays in ${demoDir})`);
  console.log('\nServing until Ctrl-C.');
  await server.exited;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
