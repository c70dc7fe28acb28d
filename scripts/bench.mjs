#!/usr/bin/env node
// `npm run bench`: builds, generates (or reuses) a synthetic 10,000-model ClickHouse dbt project in bench/out/, then
// times whole CLI calls against a baseline measured in the same run (a fresh `node` that only reads and JSON.parses
// the manifest). Runs are interleaved so machine noise hits baseline and candidates alike; medians are reported.
// Benchmarks report, they do not gate: the exit code is 0 even when a target is missed (non-zero when the harness
// itself cannot run, or a benchmark's command fails, e.g. compare10m finding a wrong result).
//
//   npm run bench
//   npm run bench -- --reps 11 --only ls --profile
//
// Options: --reps N (default 7) --models N (default 10000) --seed S (default 42) --only SUBSTRING
//          --regenerate (ignore the cached project) --no-build --profile (node --cpu-prof each candidate once,
//          print where its time goes)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'bench', 'out');
const PROJECT = path.join(OUT, 'project');
const MANIFEST = path.join(PROJECT, 'target', 'manifest.json');
const CLI = path.join(root, 'dist', 'cli.js');
const NODE = process.execPath;

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const REPS = Number(opt('--reps', '7'));
const GEN = { models: Number(opt('--models', '10000')), seed: opt('--seed', '42') };
const ONLY = opt('--only', null);

/** A candidate's baseline: a fresh process doing the unavoidable part of the job. */
const BASELINES = {
  'json-parse': {
    label: 'node: read + JSON.parse manifest',
    argv: [NODE, '-e', "JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))", MANIFEST],
  },
};

const cli = (...a) => [NODE, CLI, ...a];
const REFILL_DOWNSTREAM = ['--select', 'tag:refill_append+', '--exclude', 'tag:refill_append'];

/**
 * The benchmarks. Each entry: `name`, `argv` (a full command line), then either `baseline` (a BASELINES key) with
 * `target` (the highest acceptable median ratio to it), or `targetMs` (an absolute median). `exitCodes` lists the
 * codes that mean the command ran (default [0]). `selfTimed: true` means the command measures itself and prints
 * `{"samplesMs": [...]}` as its last stdout line (for things a process start would swamp, like a language-server
 * re-lint); its samples are used instead of the process wall time. `selfBaseline: true` (with `selfTimed` and
 * `target`): the command also times its own baseline, alternating with the candidate, and prints its samples as
 * `"baselineSamplesMs"` on the same line; the ratio is of the two medians (for work whose baseline is not a process
 * of its own, like a full scan inside DuckDB). `repArgs(rep)` adds arguments per repetition; `project: false` means
 * the command does not use the synthetic dbt project (it is not generated when only such benchmarks run).
 *
 * Next to plug in:
 *   { name: 'lint', argv: cli('lint', '--project-dir', PROJECT), baseline: 'json-parse', target: 2, exitCodes: [0, 1] },
 *   { name: 'lsp: re-lint one file', argv: [NODE, 'bench/lspRelint.mjs', PROJECT], selfTimed: true, targetMs: 20 },
 */
const BENCHMARKS = [
  { name: 'ls tag:refill_append+ --exclude tag:refill_append', argv: cli('ls', '--project-dir', PROJECT, ...REFILL_DOWNSTREAM), baseline: 'json-parse', target: 1.5 },
  { name: 'ls tag:refill_append+ --exclude tag:refill_append --output json', argv: cli('ls', '--project-dir', PROJECT, ...REFILL_DOWNSTREAM, '--output', 'json'), baseline: 'json-parse', target: 1.5 },
  // The project has deliberately non-compliant models: lint exits 1 on its error-severity findings.
  { name: 'lint (10,000 models, .sql files, run_results)', argv: cli('lint', '--project-dir', PROJECT, '--format', 'json'), baseline: 'json-parse', target: 2, exitCodes: [0, 1] },
  { name: 'language server: re-lint one edited model (pull round trip)', argv: [NODE, path.join(root, 'bench', 'lspRelint.mjs'), PROJECT, '30'], selfTimed: true, targetMs: 20 },
  // Plans the runbook's worked example (from 2026-04-17, today 2026-04-27); its output ends with the dbt process starts
  // of the plan against the runbook script's (bench/out/plan-price-gap-bench-planpricegap-mjs-*.out).
  { name: 'plan price-gap (bench/planPriceGap.mjs: project, manifest, dbt-recovery.yml, plan, text)', argv: [NODE, path.join(root, 'bench', 'planPriceGap.mjs'), PROJECT], baseline: 'json-parse', target: 1.5 },
  { name: 'plan price-gap --from-date 2026-04-17 (the CLI: also lints the cohort, names the connection)', argv: cli('plan', 'price-gap', '--project-dir', PROJECT, '--from-date', '2026-04-17', '--today', '2026-04-27'), baseline: 'json-parse', target: 1.5 },
  // Issue 5: compareRelations on two 10M-row DuckDB tables with 0.1% of rows changed, against one full scan of both
  // (count(*) + sum(hash(every column)) of each) in the same process; one pair per repetition, the order alternating.
  // The database is generated in bench/out/ by the untimed first run (about 30 s) and reused; a wrong result exits 1.
  {
    name: 'compare 10M-row DuckDB tables, 0.1% changed (bench/compare10m.mjs: compareRelations / count + sum(hash) scan of both)',
    argv: [NODE, path.join(root, 'bench', 'compare10m.mjs'), '--pairs', '1'],
    repArgs: (rep) => ['--first', rep % 2 === 0 ? 'baseline' : 'candidate'],
    selfTimed: true,
    selfBaseline: true,
    baselineLabel: 'DuckDB: count(*) + sum(hash(all 7 columns)) of dev, then of prod',
    target: 3,
    project: false,
  },
];

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const slug = (name) => name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// ---- build -------------------------------------------------------------------------------------------------
function build() {
  if (args.includes('--no-build')) return;
  const r = spawnSync(NODE, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`bench: the build failed${existsSync(CLI) ? '; timing the dist/cli.js left by an earlier build' : ''}:\n${(r.stderr || r.stdout).trim().split('\n').slice(0, 12).join('\n')}`);
  }
}

// ---- project -----------------------------------------------------------------------------------------------
/** Hash of the generator's sources and inputs: the cached project is reused while it matches. */
function generatorKey() {
  const h = createHash('sha256');
  const files = [path.join(root, 'bench', 'generateProject.ts')];
  const gen = path.join(root, 'bench', 'generator');
  for (const f of readdirSync(gen).sort()) files.push(path.join(gen, f));
  for (const f of files) h.update(f.slice(root.length)).update(readFileSync(f));
  h.update(JSON.stringify(GEN));
  return h.digest('hex');
}

function ensureProject() {
  const keyFile = path.join(OUT, 'project.json');
  const key = generatorKey();
  if (!args.includes('--regenerate') && existsSync(keyFile) && existsSync(MANIFEST)) {
    const cached = JSON.parse(readFileSync(keyFile, 'utf8'));
    if (cached.key === key) {
      console.log(`project: reusing ${path.relative(root, PROJECT)} (${cached.summary.counts.models} models, manifest ${mb(cached.summary.manifestBytes)})`);
      return cached.summary;
    }
  }
  mkdirSync(OUT, { recursive: true });
  console.log(`project: generating ${GEN.models} models (seed ${GEN.seed}) into ${path.relative(root, PROJECT)} ...`);
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [path.join(root, 'bench', 'generateProject.ts'), '--dir', PROJECT, '--models', String(GEN.models), '--seed', String(GEN.seed), '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) fail(`generating the project failed:\n${r.stderr || r.stdout}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  writeFileSync(keyFile, JSON.stringify({ key, summary }, null, 2));
  console.log(
    `project: ${summary.counts.models} models (${summary.refillAppend} refill_append, depth ${summary.maxDepth}), ${summary.counts.tests} tests; ` +
      `manifest ${mb(summary.manifestBytes)}, run_results ${mb(summary.runResultsBytes)}; generated in ${(summary.ms / 1000).toFixed(1)} s`,
  );
  return summary;
}

// ---- running -----------------------------------------------------------------------------------------------
// GNU time reports the child's CPU time (user + sys), which other work on a shared machine disturbs far less than
// wall time; when it is installed the table shows it next to the wall-time median.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const CPU_FILE = path.join(OUT, '.cpu-time');

/** Runs argv once; returns wall ms (from spawn to exit), CPU ms if known, exit status, stdout bytes and stderr. */
function runOnce(argv, stdoutFile) {
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const full = GNU_TIME ? [GNU_TIME, '-f', '%U %S', '-o', CPU_FILE, ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(full[0], full.slice(1), { cwd: root, stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (typeof fd === 'number') closeSync(fd);
  let cpuMs = null;
  if (GNU_TIME && existsSync(CPU_FILE)) {
    const [user, sys] = readFileSync(CPU_FILE, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
    rmSync(CPU_FILE, { force: true });
  }
  return { ms, cpuMs, status: r.status, signal: r.signal, error: r.error, stderr: r.stderr ? r.stderr.toString() : '', bytes: stdoutFile ? statSync(stdoutFile).size : 0 };
}

function selfTimedSamples(stdoutFile) {
  const lines = readFileSync(stdoutFile, 'utf8').trim().split('\n');
  const parsed = JSON.parse(lines[lines.length - 1]);
  if (!Array.isArray(parsed.samplesMs)) throw new Error('no samplesMs in the last stdout line');
  return { samples: parsed.samplesMs, baseline: Array.isArray(parsed.baselineSamplesMs) ? parsed.baselineSamplesMs : [] };
}

function main() {
  if (!Number.isInteger(REPS) || REPS < 1) fail('--reps takes a positive integer');
  build();
  const selected = BENCHMARKS.filter((b) => !ONLY || b.name.includes(ONLY));
  if (selected.length === 0) fail(`no benchmark name contains "${ONLY}"`);
  const project = selected.some((b) => b.project !== false) ? ensureProject() : null;
  const runnable = [];
  const results = [];
  for (const b of selected) {
    if (b.argv[1] === CLI && !existsSync(CLI)) {
      results.push({ ...b, status: 'SKIP', note: 'dist/cli.js is not built' });
      continue;
    }
    // One checked run first: it must exit as expected and print something. It also warms the page cache.
    const outFile = path.join(OUT, `${slug(b.name)}.out`);
    const r = runOnce(b.repArgs ? [...b.argv, ...b.repArgs(0)] : b.argv, outFile);
    const ok = (b.exitCodes ?? [0]).includes(r.status);
    if (!ok || r.bytes === 0) {
      results.push({ ...b, status: 'ERROR', note: `exit ${r.status ?? r.signal ?? r.error?.message}, ${r.bytes} bytes of output: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` });
      continue;
    }
    runnable.push({ ...b, outFile, outputBytes: r.bytes, outputLines: readFileSync(outFile, 'utf8').split('\n').filter(Boolean).length, samples: [], baselineSamples: [], cpu: [] });
  }
  const baselineKeys = [...new Set(runnable.map((b) => b.baseline).filter(Boolean))];
  const baselines = Object.fromEntries(baselineKeys.map((k) => [k, { ...BASELINES[k], key: k, samples: [], cpu: [] }]));
  const startup = { label: 'node -e 0 (process start, for reference)', argv: [NODE, '-e', '0'], samples: [], cpu: [] };
  for (const base of Object.values(baselines)) runOnce(base.argv, null);

  // Interleave: every repetition runs every command once, in an order rotated per repetition.
  const jobs = [...Object.values(baselines), startup, ...runnable];
  const loadBefore = os.loadavg()[0];
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[(i + rep) % jobs.length];
      if (job.failed) continue;
      // Timed runs discard their output (/dev/null): the baseline writes none, and writing megabytes to this
      // disk is the file system's time, not the CLI's. The checked first run kept a copy in bench/out/.
      const r = runOnce(job.repArgs ? [...job.argv, ...job.repArgs(rep)] : job.argv, job.selfTimed ? job.outFile : null);
      if (job.selfTimed && !(job.exitCodes ?? [0]).includes(r.status)) {
        // A self-timed command checks its own results (compare10m: the comparison's counts): a failure is an error.
        job.failed = `repetition ${rep + 1}: exit ${r.status ?? r.signal ?? r.error?.message}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        continue;
      }
      if (job.selfTimed) {
        const s = selfTimedSamples(job.outFile);
        job.samples.push(...s.samples);
        job.baselineSamples.push(...s.baseline);
      } else job.samples.push(r.ms);
      if (r.cpuMs !== null && !job.selfTimed) job.cpu.push(r.cpuMs);
    }
    process.stdout.write(`\rrepetition ${rep + 1}/${REPS}`);
  }
  process.stdout.write('\n');
  const loadAfter = os.loadavg()[0];

  const cpuMedian = (job) => (job.cpu.length > 0 ? median(job.cpu) : null);
  for (const b of runnable) {
    if (b.failed) {
      results.push({ ...b, status: 'ERROR', note: b.failed });
      continue;
    }
    const med = median(b.samples);
    let ratio = null;
    let cpuRatio = null;
    let baselineMs = null;
    let status;
    if (b.selfBaseline) {
      if (b.baselineSamples.length === 0) {
        results.push({ ...b, status: 'ERROR', note: 'no baselineSamplesMs in its last stdout line' });
        continue;
      }
      baselineMs = median(b.baselineSamples);
      ratio = med / baselineMs;
      status = ratio <= b.target ? 'PASS' : 'OVER';
    } else if (b.baseline) {
      const base = baselines[b.baseline];
      ratio = med / median(base.samples);
      if (cpuMedian(b) !== null && cpuMedian(base) !== null) cpuRatio = cpuMedian(b) / cpuMedian(base);
      status = ratio <= b.target ? 'PASS' : 'OVER';
    } else {
      status = med <= b.targetMs ? 'PASS' : 'OVER';
    }
    results.push({ ...b, medianMs: med, minMs: Math.min(...b.samples), cpuMs: cpuMedian(b), ratio, cpuRatio, baselineMs, status });
  }

  // ---- report ------------------------------------------------------------------------------------------------
  const orDash = (v, f) => (v == null ? '-' : f(v));
  const rows = [['benchmark', 'median ms', 'min ms', 'ratio', 'target', 'status', 'cpu ms', 'cpu ratio']];
  for (const base of Object.values(baselines)) {
    rows.push([`[baseline] ${base.label}`, fmtMs(median(base.samples)), fmtMs(Math.min(...base.samples)), '1.00', '', '', orDash(cpuMedian(base), fmtMs), '1.00']);
  }
  rows.push([`[info] ${startup.label}`, fmtMs(median(startup.samples)), fmtMs(Math.min(...startup.samples)), '', '', '', orDash(cpuMedian(startup), fmtMs), '']);
  for (const r of results) {
    if (r.baselineMs != null) {
      rows.push([`[baseline, in the same process] ${r.baselineLabel ?? 'of the next row'}`, fmtMs(r.baselineMs), fmtMs(Math.min(...r.baselineSamples)), '1.00', '', '', '', '']);
    }
    rows.push([
      r.name,
      orDash(r.medianMs, fmtMs),
      orDash(r.minMs, fmtMs),
      orDash(r.ratio, (v) => v.toFixed(2)),
      r.target !== undefined ? `<= ${r.target}x` : r.targetMs !== undefined ? `<= ${r.targetMs} ms` : '',
      r.status,
      orDash(r.cpuMs, fmtMs),
      orDash(r.cpuRatio, (v) => v.toFixed(2)),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows.slice(1)) console.log(line(row));
  for (const r of results) if (r.note) console.log(`  ${r.name}: ${r.note}`);
  console.log(
    `\n${REPS} interleaved repetitions; ${project ? `manifest ${mb(project.manifestBytes)} (${project.counts.models} models, ${project.counts.tests} tests)` : 'no dbt project used'}; ` +
      `node ${process.version}, ${os.cpus().length} CPUs, load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
  );
  if (Math.max(loadBefore, loadAfter) > os.cpus().length) console.log('note: the machine was busy with other work during the run; compare ratios, not milliseconds.');
  const over = results.filter((r) => r.status !== 'PASS');
  console.log(over.length === 0 ? 'all benchmarks within target' : `${over.length} benchmark(s) not within target: ${over.map((r) => `${r.name} (${r.status})`).join('; ')}`);

  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || null;
  const json = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    load: [loadBefore, loadAfter],
    reps: REPS,
    project: project ? { models: project.counts.models, tests: project.counts.tests, manifestBytes: project.manifestBytes, generatorMs: project.ms } : null,
    baselines: Object.fromEntries(Object.values(baselines).map((b) => [b.key, { label: b.label, medianMs: median(b.samples), cpuMs: cpuMedian(b), samplesMs: b.samples, cpuSamplesMs: b.cpu }])),
    startup: { medianMs: median(startup.samples), cpuMs: cpuMedian(startup), samplesMs: startup.samples },
    benchmarks: results.map((r) => ({
      name: r.name,
      argv: r.argv.map((a) => (a === NODE ? 'node' : a.startsWith(root) ? path.relative(root, a) : a)),
      baseline: r.baseline ?? null,
      target: r.target ?? null,
      targetMs: r.targetMs ?? null,
      medianMs: r.medianMs ?? null,
      minMs: r.minMs ?? null,
      ratio: r.ratio ?? null,
      baselineMedianMs: r.baselineMs ?? null,
      baselineSamplesMs: r.baselineSamples ?? [],
      cpuMs: r.cpuMs ?? null,
      cpuRatio: r.cpuRatio ?? null,
      status: r.status,
      note: r.note ?? null,
      outputLines: r.outputLines ?? null,
      outputBytes: r.outputBytes ?? null,
      samplesMs: r.samples ?? [],
      cpuSamplesMs: r.cpu ?? [],
    })),
  };
  writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${path.relative(root, path.join(OUT, 'results.json'))}`);

  if (args.includes('--profile')) for (const r of runnable) profile(r);
  if (results.some((r) => r.status === 'ERROR')) process.exitCode = 1;
}

// ---- profiling ---------------------------------------------------------------------------------------------
/** Runs a candidate once under `node --cpu-prof` and prints the functions with the most self time. */
function profile(b) {
  if (b.argv[0] !== NODE) return;
  const dir = path.join(OUT, 'profiles', slug(b.name));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  runOnce([NODE, '--cpu-prof', '--cpu-prof-dir', dir, ...b.argv.slice(1)], null);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return;
  const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    const f = byId.get(id).callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  console.log(`\nprofile of "${b.name}" (${(total / 1000).toFixed(0)} ms sampled; ${path.relative(root, path.join(dir, file))}):`);
  for (const [k, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
    console.log(`  ${(us / 1000).toFixed(0).padStart(6)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
}

main();
