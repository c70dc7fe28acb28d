// Bundles the extension, the language server, the CLI and the in-editor test suite with esbuild.
// Type-checking is separate (`npm run typecheck`): esbuild only strips types.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Drivers with native binaries (DuckDB) or a large dependency tree loaded only for their targets (Snowflake), and
// the test-only embedded ClickHouse: loaded from node_modules at run time, never bundled.
const driverExternals = ['@duckdb/node-api', 'snowflake-sdk', 'chdb'];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', ...driverExternals] },
  { ...node, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', external: driverExternals },
  { ...node, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: driverExternals },
  // Webview panels: browser code, one IIFE each.
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root, entryPoints: ['webview/planView.ts'], outfile: 'dist/webview/planView.js' },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root, entryPoints: ['webview/diffView.ts'], outfile: 'dist/webview/diffView.js' },
  // The suite that runs inside the real VS Code's extension host (test/vscode/); never shipped.
  { ...node, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'dist-test/vscode/suite/index.js', external: ['vscode', 'mocha', ...driverExternals] },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}
