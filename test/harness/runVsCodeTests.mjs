#!/usr/bin/env node
// Runs the in-editor mocha suite (test/vscode/suite) inside a real VS Code: a private code-server with the smoke-test
// driver, whose workbench headless Chromium opens with `?payload=` naming the extension under development and the
// suite. The workbench reports the extension host's log and the suite's exit code through two functions exposed on
// the page (codeAutomationLog, codeAutomationExit).
//
// Three ways in:
//   node test/harness/runVsCodeTests.mjs [--workspace DIR] [--grep REGEX] [--no-build] [--extension DIR]
//       builds, opens DIR (default: a temp jaffle_shop project, see workspace.mjs) and runs the suite through
//       @vscode/test-electron's runTests() with this file as the "VS Code executable" (see main() below);
//       prints "vscode: N passed, N failed, N skipped" last; exits 0 or 1.
//   node test/harness/runVsCodeTests.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]
//       the Electron-style command line that @vscode/test-electron and @vscode/test-cli spawn ("shim" mode).
//   import { runVsCodeTests } from './runVsCodeTests.mjs'   -> { exitCode, results }
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { delay, removeOnExit, startCodeServer } from './codeServer.mjs';
import { setup } from './setup.mjs';
import { makeDbtWorkspace } from './workspace.mjs';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), '../..');

/** The env var through which the suite (test/vscode/suite/index.ts) learns where to write its results. */
export const RESULTS_ENV = 'DBT_RECOVERY_TEST_RESULTS';
export const GREP_ENV = 'DBT_RECOVERY_TEST_GREP';
// Set by main() for its shim child, so that the summary is printed once, last (after test-electron's "Exit code:").
const PARENT_SUMMARY_ENV = 'DBT_RECOVERY_PARENT_SUMMARY';
export const DEFAULT_TESTS_PATH = path.join(repoRoot, 'dist-test/vscode/suite/index.js');

// Workbench chatter at info level, shown only with DBT_RECOVERY_HARNESS_VERBOSE=1.
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|Ignoring fetching additional builtin extensions|\[Service Worker\]|\[AgentHost:remote\]|\[AccountPolicyGate\])/;
const verbose = process.env.DBT_RECOVERY_HARNESS_VERBOSE === '1';

/**
 * @typedef {{ passed: number, failed: number, pending: number, failures: { title: string, error: string }[] }} SuiteResults
 */

/**
 * Runs an extension test suite in code-server + headless Chromium.
 * @param {{
 *   extensionDevelopmentPath: string,   // folder with the extension's package.json
 *   extensionTestsPath: string,         // compiled suite entry exporting run(): Promise<void>
 *   workspace?: string,                 // folder to open
 *   env?: Record<string, string>,       // extra env for the extension host (through the server's env)
 *   timeoutMs?: number,                 // for the whole run after the server is up; default 5 minutes
 *   log?: (line: string) => void,       // receives the extension host's log; default stdout
 *   logsDir?: string,                   // where to save VS Code's own logs when the suite fails
 * }} options
 * @returns {Promise<{ exitCode: number, results: SuiteResults }>}
 */
export async function runVsCodeTests({
  extensionDevelopmentPath,
  extensionTestsPath,
  workspace,
  env = {},
  timeoutMs = 5 * 60_000,
  log = (line) => process.stdout.write(`${line}\n`),
  logsDir,
}) {
  if (!extensionDevelopmentPath || !extensionTestsPath) throw new Error('runVsCodeTests: extensionDevelopmentPath and extensionTestsPath are required');
  // A caller (e.g. test-electron's extensionTestsEnv) may name the results file; otherwise it is ours and temporary.
  const givenResults = env[RESULTS_ENV] ?? process.env[RESULTS_ENV];
  const resultsDir = givenResults ? undefined : mkdtempSync(path.join(tmpdir(), 'dbt-recovery-results-'));
  const removeResultsDir = resultsDir ? removeOnExit(resultsDir) : () => {};
  const resultsFile = givenResults ?? path.join(resultsDir, 'results.json');
  rmSync(resultsFile, { force: true }); // never report a previous run's results

  const server = await startCodeServer({ smokeTestDriver: true, env: { ...env, [RESULTS_ENV]: resultsFile } });
  let context;
  try {
    context = await launchBrowser({ userDataDir: path.join(server.tempDir, 'chromium') });
    const page = context.pages()[0] ?? (await context.newPage());

    const recent = [];
    let onExit;
    const exit = new Promise((resolve) => (onExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = Array.isArray(args) ? format(...args) : String(args);
      recent.push(line);
      if (recent.length > 50) recent.shift();
      if (!verbose && type === 'info' && WORKBENCH_NOISE.test(line)) return;
      log(type === 'info' || type === 'trace' || type === 'debug' ? line : `[${type}] ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => onExit({ code: Number(code), logs }));
    const broken = new Promise((resolve) => {
      page.once('crash', () => resolve('the browser tab crashed'));
      page.once('close', () => resolve('the browser tab closed'));
      void server.exited.then((e) => resolve(`code-server exited (${e.code ?? e.signal})`));
    });

    const url = server.workbenchUrl(workspace, [
      ['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)],
      ['extensionTestsPath', server.remoteUri(extensionTestsPath)],
    ]);
    await page.goto(url, { waitUntil: 'domcontentloaded' });

    const outcome = await Promise.race([exit, broken, delay(timeoutMs, 'timeout')]);
    if (typeof outcome === 'string') {
      const why = outcome === 'timeout' ? `the suite did not finish within ${Math.round(timeoutMs / 1000)} s` : outcome;
      throw new Error(
        `VS Code tests: ${why}.\n--- last extension host log lines ---\n${recent.join('\n') || '(none)'}\n` +
          `--- code-server output ---\n${server.output().split('\n').slice(-30).join('\n')}`,
      );
    }
    const results = readResults(resultsFile, outcome.code);
    if ((outcome.code !== 0 || results.failed > 0) && logsDir) saveLogs(logsDir, outcome.logs, log);
    return { exitCode: outcome.code, results };
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    removeResultsDir();
  }
}

/** @returns {SuiteResults} */
function readResults(file, exitCode) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    // The suite writes results even when it fails to load; no file means the extension host died or never ran it.
    const error = `the suite wrote no results to ${file} (${err.code ?? err.message}); VS Code exit code ${exitCode}`;
    return { passed: 0, failed: 1, pending: 0, failures: [{ title: '(VS Code test run)', error }] };
  }
}

function saveLogs(dir, logs, log) {
  if (!Array.isArray(logs) || logs.length === 0) return;
  for (const { relativePath, contents } of logs) {
    const file = path.join(dir, relativePath);
    if (!file.startsWith(path.resolve(dir) + path.sep)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  log(`VS Code's logs: ${dir}`);
}

/** Prints the summary line the CI reads ("vscode: N passed, N failed, N pending") and each failure. */
export function printSummary(results, out = (line) => process.stdout.write(`${line}\n`)) {
  for (const f of results.failures) out(`\nFAILED ${f.title}\n${f.error}`);
  out(`\nvscode: ${results.passed} passed, ${results.failed} failed, ${results.pending} skipped`);
}

/** "VS Code executable" mode: what test-electron / test-cli spawn. */
async function shim(argv) {
  const opt = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const devPaths = argv.filter((a) => a.startsWith('--extensionDevelopmentPath=')).map((a) => a.slice('--extensionDevelopmentPath='.length));
  const extensionTestsPath = opt('extensionTestsPath');
  // Electron flags (--no-sandbox, --user-data-dir=..., ...) are meaningless here: code-server gets its own dirs.
  const folder = argv.find((a) => !a.startsWith('-'));
  if (devPaths.length !== 1 || !extensionTestsPath) {
    throw new Error(`usage: runVsCodeTests.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER] (got ${argv.join(' ')})`);
  }
  const { exitCode, results } = await runVsCodeTests({
    extensionDevelopmentPath: path.resolve(devPaths[0]),
    extensionTestsPath: path.resolve(extensionTestsPath),
    workspace: folder && path.resolve(folder),
    logsDir: path.join(repoRoot, 'test-results/vscode-logs'),
  });
  if (process.env[PARENT_SUMMARY_ENV] !== '1') printSummary(results);
  return exitCode !== 0 || results.failed > 0 ? 1 : 0;
}

/**
 * Developer / CI entry. It goes through @vscode/test-electron's runTests() on purpose, with Node + this file as the
 * "VS Code executable" (launchArgs come first on its command line): every run then proves the path the standard
 * tooling takes, including how it passes extensionTestsEnv. test-electron downloads nothing when given
 * vscodeExecutablePath, and reuseMachineInstall keeps it from adding .vscode-test/ profile flags (ignored anyway).
 */
async function main(argv) {
  const value = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!argv.includes('--no-build')) {
    const { status } = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (status !== 0) return 1;
  }
  await setup(); // install progress shows here, before the child starts
  const { runTests, TestRunFailedError } = await import('@vscode/test-electron');
  const grep = value('grep');
  // Default: a fresh jaffle_shop project (13 models) per run, so tests may write into it.
  const temp = value('workspace') ? undefined : makeDbtWorkspace();
  const removeWorkspace = temp ? removeOnExit(temp.dir) : () => {};
  const workspace = path.resolve(value('workspace') ?? temp.dir);
  const resultsDir = mkdtempSync(path.join(tmpdir(), 'dbt-recovery-results-'));
  const removeResultsDir = removeOnExit(resultsDir);
  const resultsFile = path.join(resultsDir, 'results.json');
  try {
    let exitCode;
    try {
      exitCode = await runTests({
        vscodeExecutablePath: process.execPath,
        launchArgs: [thisFile, workspace],
        extensionDevelopmentPath: path.resolve(value('extension') ?? repoRoot),
        extensionTestsPath: DEFAULT_TESTS_PATH,
        extensionTestsEnv: { [RESULTS_ENV]: resultsFile, [PARENT_SUMMARY_ENV]: '1', ...(grep ? { [GREP_ENV]: grep } : {}) },
        reuseMachineInstall: true,
      });
    } catch (err) {
      if (!(err instanceof TestRunFailedError)) throw err;
      exitCode = err.code || 1;
    }
    const results = readResults(resultsFile, exitCode);
    printSummary(results);
    return exitCode !== 0 || results.failed > 0 ? 1 : 0;
  } finally {
    removeResultsDir();
    removeWorkspace();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  const argv = process.argv.slice(2);
  const isShim = argv.some((a) => a.startsWith('--extensionTestsPath='));
  (isShim ? shim(argv) : main(argv)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
