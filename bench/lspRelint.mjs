// The language server's re-lint of one edited model in a large project, as the editor sees it: the server runs as
// its own process (dist/server.js over stdio), has read the project's manifest, and each sample is the round trip of
// a `textDocument/diagnostic` pull right after an edit of the open model. Prints {"samplesMs": [...]} last, for
// scripts/bench.mjs (selfTimed).
//
//   node bench/lspRelint.mjs <project dir> [samples]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

const project = path.resolve(process.argv[2] ?? path.join(root, 'bench', 'out', 'project'));
const SAMPLES = Number(process.argv[3] ?? 40);

/** A refill-cohort model with the usual config: the rules that read lineage and run results all apply. */
function pickModel() {
  const stack = [path.join(project, 'models')];
  while (stack.length > 0) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.sql') && /'refill_append'/.test(readFileSync(p, 'utf8'))) return p;
    }
  }
  throw new Error(`no refill_append model under ${project}/models`);
}

const child = spawn(process.execPath, [path.join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
let loaded;
const isLoaded = new Promise((resolve) => (loaded = resolve));
conn.onNotification('dbtRecovery/projectStatus', (p) => {
  if (p.projects.some((x) => x.kind === 'loaded' || x.kind === 'stale')) loaded();
});
conn.onRequest(() => null);
conn.listen();

const file = pickModel();
const uri = pathToFileURL(file).toString();
const text = readFileSync(file, 'utf8');
await conn.sendRequest('initialize', {
  processId: process.pid,
  rootUri: null,
  capabilities: {},
  workspaceFolders: [{ uri: pathToFileURL(project).toString(), name: 'bench' }],
});
await conn.sendNotification('initialized', {});
await isLoaded;
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
// The first pull builds the project's linter (cohort, price lineage); the editor pays it once per manifest.
const first = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });

const samplesMs = [];
for (let i = 0; i < SAMPLES; i++) {
  const edited = `${text}\n-- edit ${i}\n`;
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ text: edited }] });
  const t0 = performance.now();
  await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  samplesMs.push(performance.now() - t0);
}
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
conn.dispose();
child.kill();
console.log(`${path.relative(project, file)}: ${first.items.length} diagnostics`);
console.log(JSON.stringify({ samplesMs }));
