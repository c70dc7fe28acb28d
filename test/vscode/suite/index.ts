// The mocha entry that VS Code's extension host loads as `extensionTestsPath` (test/harness/runVsCodeTests.mjs).
// esbuild bundles it, with every test file, into dist-test/vscode/suite/index.js; `mocha` stays external and resolves
// from the repo's node_modules at run time. Tests use mocha's BDD interface (describe/it), as the unit tests do.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Where to write the results JSON; the harness sets it in code-server's env, which the extension host inherits. */
export const RESULTS_ENV = 'DBT_RECOVERY_TEST_RESULTS';
/** Optional: only tests whose full title matches this regex. */
export const GREP_ENV = 'DBT_RECOVERY_TEST_GREP';

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 30_000 });
  const grep = process.env[GREP_ENV];
  if (grep) mocha.grep(new RegExp(grep));

  // Test files call describe/it at load time: define those globals first, as mocha.run() does for files it loads.
  mocha.suite.emit('pre-require', globalThis, 'dbt-recovery-vscode-suite', mocha);
  try {
    for (const name of testFileNames()) await loadTestFile(name);
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    writeResults({ passed: 0, failed: 1, pending: 0, failures: [{ title: 'loading the VS Code test suite', error }] });
    throw err;
  }

  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, failures: [] };
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', () => results.passed++);
    runner.on('pending', () => results.pending++);
    runner.on('fail', (test, err: unknown) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    });
  });
  writeResults(results);
  if (failures > 0) throw new Error(`${failures} of ${results.passed + results.failed} VS Code tests failed`);
  if (results.passed === 0) throw new Error(grep ? `no VS Code test matches ${GREP_ENV}=${grep}` : 'no VS Code test ran');
}

/**
 * The bundle cannot glob the disk for test files, so the test files come from two places that must agree: esbuild
 * turns the template import below into a glob (`./**\/*.test.ts`) and bundles every match, and the names to load are
 * read from the source folder at run time. A test file added after the last build fails loudly instead of being
 * skipped.
 */
function testFileNames(): string[] {
  // __dirname is dist-test/vscode/suite; the sources are test/vscode/suite.
  const sourceDir = path.resolve(__dirname, '../../../test/vscode/suite');
  return readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.test.ts'.length).split(path.sep).join('/'))
    .sort();
}

async function loadTestFile(name: string): Promise<void> {
  try {
    await import(`./${name}.test.ts`);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/not found in bundle/i.test(msg)) {
      throw new Error(`test/vscode/suite/${name}.test.ts is not in the bundle: rebuild (node scripts/build.mjs)`, { cause: err });
    }
    throw err;
  }
}

function writeResults(results: SuiteResults): void {
  const file = process.env[RESULTS_ENV];
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}
