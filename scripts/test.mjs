#!/usr/bin/env node
// `npm test`: sets up what the suite needs (npm packages, Debian packages, a real VS Code), then runs every layer
// and ends with ONE summary line: `N passed, N failed[, N skipped]`. Nothing is skipped silently: a layer that
// cannot run says why and counts as failed.
//
//   npm test                      every layer
//   npm test -- --only unit       one or more layers (comma-separated): static, unit, vscode, start
//
// Only Node built-ins are imported at the top: this file must run on a fresh clone before any npm install.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, ensureNodeModules, repoRoot as root, run } from './ensureNodeModules.mjs';

const args = process.argv.slice(2);
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : process.env.DBT_RECOVERY_TEST_ONLY;
const only = onlyArg ? new Set(onlyArg.split(',')) : null;

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-test-run-'));

function heading(text) {
  console.log(`\n=== ${text} ===`);
}

function record(name, ok, why) {
  if (ok) totals.passed++;
  else {
    totals.failed++;
    problems.push(`${name}: ${why}`);
  }
}

function addCounts(layer, file, exitCode) {
  if (!existsSync(file)) {
    record(layer, false, `no results were written (exit code ${exitCode}); see the output above`);
    return;
  }
  const c = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.pending ?? 0;
  for (const f of c.failures ?? []) problems.push(`${layer}: ${f.title}: ${f.error.split('\n')[0]}`);
  if (c.failed === 0 && exitCode !== 0) record(layer, false, `exited with ${exitCode} although no test failed`);
  if ((c.pending ?? 0) > 0) console.log(`${layer}: ${c.pending} pending test(s), counted as skipped.`);
}

const layers = [
  {
    name: 'static',
    async run() {
      const npx = (bin, argv) => run(path.join(root, 'node_modules', '.bin', bin), argv, { timeoutMs: 10 * 60_000 });
      heading('static: type-check (strict; the core without the vscode types)');
      record('tsc -p tsconfig.json', (await npx('tsc', ['--noEmit', '-p', 'tsconfig.json'])) === 0, 'type errors above');
      record('tsc -p src/core/tsconfig.json', (await npx('tsc', ['--noEmit', '-p', 'src/core/tsconfig.json'])) === 0, 'type errors above (the core must not use vscode)');
      record('tsc -p webview/tsconfig.json', (await npx('tsc', ['--noEmit', '-p', 'webview/tsconfig.json'])) === 0, 'type errors above (webview code runs in the browser: no Node, no vscode)');
      heading('static: eslint');
      record('eslint', (await npx('eslint', ['.', '--max-warnings', '0'])) === 0, 'lint errors above');
    },
  },
  {
    name: 'unit',
    async run() {
      // The real engines the warehouse tests start (test/warehouse/): a test whose engine is missing fails saying so.
      const { installEngines } = await import(pathToFileURL(path.join(root, 'test', 'support', 'installEngines.mjs')).href);
      installEngines();
      heading('unit: core, CLI, language server and warehouse tests (mocha)');
      const counts = path.join(tmp, 'unit.json');
      const code = await run(
        process.execPath,
        [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', path.join(root, 'test', 'support', 'countingReporter.cjs')],
        { env: { DBT_RECOVERY_COUNTS: counts }, timeoutMs: 15 * 60_000 },
      );
      addCounts('unit', counts, code);
    },
  },
  {
    name: 'vscode',
    async run() {
      heading('vscode: the extension in a real VS Code (code-server + headless Chromium)');
      const { runVsCodeLayer } = await import(pathToFileURL(path.join(root, 'test', 'harness', 'layer.mjs')).href);
      const c = await runVsCodeLayer({ tmp });
      totals.passed += c.passed;
      totals.failed += c.failed;
      totals.skipped += c.pending ?? 0;
      for (const f of c.failures ?? []) problems.push(`vscode: ${f.title}: ${String(f.error).split('\n')[0]}`);
    },
  },
  {
    name: 'start',
    async run() {
      heading('start: the README\'s main command (`npm start -- --check`) brings the extension up on the example');
      const code = await run(process.execPath, [path.join(root, 'scripts', 'start.mjs'), '--check'], { timeoutMs: 10 * 60_000 });
      record('npm start -- --check', code === 0, `exited with ${code}: see above`);
      heading('start: the dev-build demo (`npm start -- --demo dev-build --check`) comes up on its generated DuckDB project');
      const demo = await run(process.execPath, [path.join(root, 'scripts', 'start.mjs'), '--demo', 'dev-build', '--check'], { timeoutMs: 10 * 60_000 });
      record('npm start -- --demo dev-build --check', demo === 0, `exited with ${demo}: see above`);
    },
  },
];

async function main() {
  const started = Date.now();
  if (!(await ensureNodeModules())) {
    record('setup', false, '`npm install` failed: see its output above (the npm registry must be reachable)');
  } else {
    heading('build (esbuild)');
    const built = await build();
    record('build', built, 'esbuild failed: see above');
    for (const layer of layers) {
      if (only && !only.has(layer.name)) {
        console.log(`\n(${layer.name}: not run, --only ${[...only].join(',')})`);
        continue;
      }
      if (!built && layer.name !== 'static') {
        record(layer.name, false, 'not run because the build failed');
        continue;
      }
      try {
        await layer.run();
      } catch (err) {
        record(layer.name, false, err instanceof Error ? err.message : String(err));
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  if (problems.length > 0) {
    console.log('\nFailures:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  console.log(`\nTook ${Math.round((Date.now() - started) / 1000)} s.`);
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
  console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

void main();
