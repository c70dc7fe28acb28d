// The dev-vs-prod comparison (compareRelations, src/core/compare) of two 10-million-row DuckDB tables that differ in
// 0.1% of their rows, timed against a baseline measured in the same process on the same tables: one full scan of
// each, `SELECT count(*), sum(hash(<every column>))`. Issue 5's target: the comparison in at most 3x that.
//
//   node bench/compare10m.mjs [--rows N] [--pairs K] [--first baseline|candidate] [--regenerate] [--statements]
//
// The database (bench/out/compare10m.duckdb) is generated with SQL on the first run and reused while its parameters
// and the generator below are unchanged; generation is not timed. Each run scans both tables once untimed (the
// tables are then in DuckDB's buffer pool, as for the timed runs after it), then times K pairs of baseline and
// candidate (alternating, starting with --first). Every comparison's result is checked against the counts the
// generator recorded: a wrong number exits 1, as a fast wrong answer is worthless. Prints {"samplesMs": [...],
// "baselineSamplesMs": [...]} as its last line, for scripts/bench.mjs; --statements also prints the time of each
// statement of the last comparison.
//
// The engine is TypeScript: bundled once with esbuild into bench/out/ and rebuilt when one of its sources is newer
// than the bundle (the bench's untimed first run does that).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'bench', 'out');
const BUNDLE = path.join(OUT, 'compare10m.bundle.cjs');
const INPUTS = path.join(OUT, 'compare10m.inputs.json');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ROWS = Number(opt('--rows', '10000000'));
const PAIRS = Number(opt('--pairs', '5'));
const FIRST = opt('--first', 'baseline');
const DB = path.join(OUT, ROWS === 10_000_000 ? 'compare10m.duckdb' : `compare${ROWS}.duckdb`);

/** Rows per account: the key is (account_id, day), 1,000 consecutive days per account. */
const DAYS = 1000;
/** Keys only in dev (new accounts). */
const ADDED = 200;
/** Bumped whenever the generator's SQL changes: a database made by another version is regenerated. */
const GENERATOR_VERSION = 1;

const ENTRY = `
export { compareRelations } from './src/core/compare';
export { DuckDbWarehouse } from './src/core/warehouse/duckdbWarehouse';
`;

function stale() {
  if (!existsSync(BUNDLE) || !existsSync(INPUTS)) return true;
  const built = statSync(BUNDLE).mtimeMs;
  return JSON.parse(readFileSync(INPUTS, 'utf8')).some((f) => !existsSync(path.join(root, f)) || statSync(path.join(root, f)).mtimeMs > built);
}

async function engine() {
  if (stale()) {
    const esbuild = await import('esbuild');
    mkdirSync(OUT, { recursive: true });
    const r = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'compare10mEntry.ts' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: BUNDLE,
      external: ['@duckdb/node-api'],
      metafile: true,
      logLevel: 'warning',
      absWorkingDir: root,
    });
    writeFileSync(INPUTS, JSON.stringify(Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('<'))));
  }
  return require(BUNDLE);
}

// ---- data --------------------------------------------------------------------------------------------------
// Row i of prod: account i / 1000, day i % 1000 from 2023-01-01, a token, and four numbers (price NULL in 2%).
// A row is in the 0.1% when hash(i, 'sel') % 1000 = 0; its `kind` (hash(i, 'kind') % 100) says what dev does
// with it: < 2 removes it; else kind % 5 picks the column that changes (balance * 1.5 + 1, amount + 0.0001,
// tx_count + 1, token || '_x', price NULL <-> 1.0). ADDED rows of new accounts are only in dev.
const COLUMNS = ['account_id', 'day', 'token', 'tx_count', 'amount', 'balance', 'price'];
const SEL = "hash(i, 'sel') % 1000 = 0";
const KIND = "CAST(hash(i, 'kind') % 100 AS INTEGER)";
const VALUE_COLUMNS = ['balance', 'amount', 'tx_count', 'token', 'price']; // by kind % 5
const prodRow = [
  `CAST(i // ${DAYS} AS BIGINT) AS account_id`,
  `DATE '2023-01-01' + CAST(i % ${DAYS} AS INTEGER) AS day`,
  "'TOKEN_' || CAST(hash(i, 'token') % 500 AS VARCHAR) AS token",
  "CAST(hash(i, 'tx') % 1000 AS INTEGER) AS tx_count",
  "CAST((hash(i, 'amt') % 10000000000) / 10000.0 AS DECIMAL(18,4)) AS amount",
  "(hash(i, 'bal') % 1000000000) / 1000.0 + 1 AS balance",
  "CASE WHEN hash(i, 'px') % 50 = 0 THEN NULL ELSE (hash(i, 'px') % 100000) / 100.0 + 0.01 END AS price",
].join(', ');

function params() {
  return { version: GENERATOR_VERSION, rows: ROWS, days: DAYS, added: ADDED, prodRow, sel: SEL, kind: KIND };
}

async function ensureData(DuckDbWarehouse) {
  mkdirSync(OUT, { recursive: true });
  const want = JSON.stringify(params());
  if (!args.includes('--regenerate') && existsSync(DB)) {
    const w = await DuckDbWarehouse.openPath(DB);
    try {
      const [m] = await w.query("SELECT params, expected FROM bench_meta WHERE name = 'compare10m'").catch(() => []);
      if (m && m.params === want) return JSON.parse(m.expected);
    } finally {
      await w.close();
    }
  }
  for (const f of [DB, `${DB}.wal`]) rmSync(f, { force: true });
  const t0 = performance.now();
  const w = await DuckDbWarehouse.openPath(DB);
  try {
    await w.exec(`CREATE TABLE prod AS SELECT ${prodRow} FROM range(${ROWS}) AS r(i)`);
    const kind = `(${KIND})`;
    const set = (col, expr) => `CASE WHEN ${SEL} AND ${kind} % 5 = ${VALUE_COLUMNS.indexOf(col)} THEN ${expr} ELSE ${col} END AS ${col}`;
    const devRow = [
      'account_id',
      'day',
      set('token', "token || '_x'"),
      set('tx_count', 'tx_count + 1'),
      set('amount', 'amount + 0.0001'),
      set('balance', 'balance * 1.5 + 1'),
      set('price', 'CASE WHEN price IS NULL THEN 1.0 ELSE NULL END'),
    ].join(', ');
    // Dev as a dbt build would write it: the same rows in the same order, 0.1% of them changed or gone, new ones last.
    await w.exec(
      `CREATE TABLE dev AS SELECT ${devRow} FROM (SELECT i, ${prodRow} FROM range(${ROWS}) AS r(i)) AS p WHERE NOT (${SEL} AND ${kind} < 2) ` +
        `UNION ALL SELECT CAST(${ROWS} // ${DAYS} + 1000000 + j AS BIGINT), DATE '2026-01-01', 'TOKEN_NEW', 1, 1.0, 1.0, 1.0 FROM range(${ADDED}) AS r(j)`,
    );
    // The expected result, from the generator's own predicates (not from comparing the tables).
    const [e] = await w.query(
      `SELECT count_if(${SEL} AND ${kind} < 2) AS removed, count_if(${SEL} AND ${kind} >= 2) AS changed, ` +
        VALUE_COLUMNS.map((c, k) => `count_if(${SEL} AND ${kind} >= 2 AND ${kind} % 5 = ${k}) AS "${c}"`).join(', ') +
        ` FROM range(${ROWS}) AS r(i)`,
    );
    const removed = Number(e.removed);
    const expected = {
      rows: { dev: ROWS - removed + ADDED, prod: ROWS },
      onlyInDev: ADDED,
      onlyInProd: removed,
      matched: ROWS - removed,
      changedRows: Number(e.changed),
      columnDiffs: Object.fromEntries(VALUE_COLUMNS.map((c) => [c, Number(e[c])])),
    };
    await w.exec('CREATE TABLE bench_meta (name VARCHAR, params VARCHAR, expected VARCHAR)');
    await w.exec(`INSERT INTO bench_meta VALUES ('compare10m', ${w.quoteLiteral(want)}, ${w.quoteLiteral(JSON.stringify(expected))})`);
    await w.exec('CHECKPOINT');
    console.log(`generated ${path.relative(root, DB)} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(expected)}`);
    return expected;
  } finally {
    await w.close();
  }
}

// ---- the two measured things ----------------------------------------------------------------------------------
const hashAll = `count(*) AS n, sum(hash(${COLUMNS.join(', ')})) AS h`;

async function baseline(w) {
  const [d] = await w.query(`SELECT ${hashAll} FROM main.dev`);
  const [p] = await w.query(`SELECT ${hashAll} FROM main.prod`);
  return { dev: d, prod: p };
}

const SPEC = {
  dev: { database: null, schema: 'main', name: 'dev' },
  prod: { database: null, schema: 'main', name: 'prod' },
  key: ['account_id', 'day'],
  scope: null,
  historyBefore: null,
  sanity: [],
  spotCheck: null,
  outliers: { top: 20, explainAbove: 0.05, columns: null },
  partitions: null,
};

/** Every number the generator knows, or a list of what is wrong. */
function check(c, expected) {
  const problems = [];
  const eq = (what, got, want) => {
    if (got !== want) problems.push(`${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  eq('rowCounts.dev', c.rowCounts.dev, expected.rows.dev);
  eq('rowCounts.prod', c.rowCounts.prod, expected.rows.prod);
  eq('keys.onlyInDev', c.keys.onlyInDev, expected.onlyInDev);
  eq('keys.onlyInProd', c.keys.onlyInProd, expected.onlyInProd);
  eq('keys.matched', c.keys.matched, expected.matched);
  eq('keys.duplicatedInDev', c.keys.duplicatedInDev, 0);
  eq('keys.duplicatedInProd', c.keys.duplicatedInProd, 0);
  eq('changedRows', c.changedRows, expected.changedRows);
  eq('schema', JSON.stringify(c.schema), JSON.stringify({ added: [], removed: [], retyped: [], types: [] }));
  eq('samples.onlyInDev', c.samples.onlyInDev.length, 5);
  eq('samples.onlyInProd', c.samples.onlyInProd.length, 5);
  eq('match rate columns', c.matchRates.map((m) => m.column).join(','), 'token,tx_count,amount,balance,price');
  for (const m of c.matchRates) {
    eq(`matchRates.${m.column}.total`, m.total, expected.matched);
    eq(`matchRates.${m.column}.matched`, m.matched, expected.matched - expected.columnDiffs[m.column]);
  }
  const numeric = ['tx_count', 'amount', 'balance', 'price'];
  eq('outlier columns', [...new Set(c.outliers.map((o) => o.column))].join(','), numeric.join(','));
  for (const col of numeric) {
    const os = c.outliers.filter((o) => o.column === col);
    eq(`outliers.${col}`, os.length, Math.min(SPEC.outliers.top, expected.columnDiffs[col]));
    // balance * 1.5 + 1: a relative change of 0.5 + 1/balance; price NULL <-> 1.0: undefined, so it needs a note.
    if (col === 'balance' && !os.every((o) => o.relDelta > 0.5 && o.needsExplanation)) problems.push('balance outliers: a relative change of 0.5 or less');
    if (col === 'price' && !os.every((o) => o.relDelta === null && o.needsExplanation)) problems.push('price outliers: a defined relative change');
  }
  return problems;
}

// ---- main ----------------------------------------------------------------------------------------------------
if (!Number.isInteger(ROWS) || ROWS < DAYS || !Number.isInteger(PAIRS) || PAIRS < 1 || !['baseline', 'candidate'].includes(FIRST)) {
  console.error('compare10m: --rows takes a whole number of at least 1000, --pairs a positive one, --first baseline|candidate');
  process.exit(2);
}
const { compareRelations, DuckDbWarehouse } = await engine();
const expected = await ensureData(DuckDbWarehouse);

const w = await DuckDbWarehouse.openPath(DB);
// Per-statement times of the comparison (the engine records its statements, not their times).
const timings = [];
const timed = (fn) =>
  async function (sql, ...rest) {
    const t0 = performance.now();
    try {
      return await fn.call(this, sql, ...rest);
    } finally {
      timings.push({ ms: performance.now() - t0, sql });
    }
  };
w.query = timed(w.query);
w.exec = timed(w.exec);

try {
  const [threads] = await w.query("SELECT current_setting('threads') AS t, version() AS v");
  // Untimed: a scan loads both tables into DuckDB's buffer pool, and a first comparison pays the process's first
  // allocations of a hash table's worth of memory (it takes up to twice as long as the ones after it). A CLI call pays
  // that once; the timed pairs measure the steady state, as the baseline's scans do. Its time is printed, not used.
  const warm = await baseline(w);
  const cold0 = performance.now();
  const coldProblems = check(await compareRelations(w, SPEC), expected);
  const coldMs = performance.now() - cold0;
  if (coldProblems.length > 0) {
    console.error(`compare10m: the comparison is wrong:\n  ${coldProblems.join('\n  ')}`);
    process.exit(1);
  }
  const samplesMs = [];
  const baselineSamplesMs = [];
  let last = null;
  for (let p = 0; p < PAIRS; p++) {
    for (const which of FIRST === 'baseline' ? ['baseline', 'candidate'] : ['candidate', 'baseline']) {
      timings.length = 0;
      const t0 = performance.now();
      if (which === 'baseline') {
        const b = await baseline(w);
        baselineSamplesMs.push(performance.now() - t0);
        if (b.dev.h !== warm.dev.h || b.prod.h !== warm.prod.h) throw new Error('the tables changed during the bench');
      } else {
        last = await compareRelations(w, SPEC);
        samplesMs.push(performance.now() - t0);
        const problems = check(last, expected);
        if (problems.length > 0) {
          console.error(`compare10m: the comparison is wrong:\n  ${problems.join('\n  ')}`);
          process.exitCode = 1;
          break;
        }
        last.timings = [...timings];
      }
    }
    if (process.exitCode) break;
  }
  if (!process.exitCode) {
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `DuckDB ${threads.v}, ${threads.t} threads; prod ${expected.rows.prod} rows, dev ${expected.rows.dev}; ` +
        `changed ${last.changedRows}, only in dev ${last.keys.onlyInDev}, only in prod ${last.keys.onlyInProd}: as generated`,
    );
    console.log(`first (untimed) compareRelations of this process: ${coldMs.toFixed(0)} ms`);
    console.log(`baseline (count + sum(hash(*)) of each table) ${baselineSamplesMs.map((x) => x.toFixed(0)).join(' ')} ms; compareRelations ${samplesMs.map((x) => x.toFixed(0)).join(' ')} ms; ratio of medians ${(med(samplesMs) / med(baselineSamplesMs)).toFixed(2)}`);
    if (args.includes('--statements')) {
      for (const t of last.timings) console.log(`  ${t.ms.toFixed(0).padStart(7)} ms  ${t.sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    console.log(JSON.stringify({ samplesMs, baselineSamplesMs }));
  }
} finally {
  await w.close();
}
