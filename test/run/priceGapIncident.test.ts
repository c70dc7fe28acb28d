/**
 * TEST CODE. The price-gap incident of the runbook (shared/seeds/clickhouse-price-gap-refill.md, "The two-pass
 * requirement"), reproduced on a real ClickHouse: embedded ClickHouse 26 (chdb), with the plan's read-only SQL also
 * run on the ClickHouse 18.16 server.
 *
 * The world (test/support/priceGapWorld.ts): the example project's sources with nine days of data around 2026-04-01,
 * its price lineage built by the dbt stand-in whose executor (test/dbt-standin/clickhouseExecutor.ts) renders each
 * model's own Jinja for the run and materializes it as dbt-clickhouse does, while Dune's prices skipped 2026-04-02;
 * then Dune's backfill of that day. Every MergeTree table keeps its parts apart (no background merge), as production's
 * lazy merges do at the worst moment; OPTIMIZE ... FINAL still collapses them.
 *
 * The truth, by hand from the data: GNO supply is 2000 on every day with 3 holders; at 120 USD a GNO (125 on the gap
 * day once backfilled) supply_usd is 240000 a day and 250000 on 2026-04-02.
 *
 * Every model runs as written, with no per-model settings: the example's SQL itself must be valid ClickHouse (models
 * that name an aggregate like the column it aggregates qualify that column, `sum(b.balance) AS balance ... WHERE
 * b.balance > 0`, since a bare name resolves to the alias: Code 184).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DbtGraph } from '../../src/core/graph/dbtGraph';
import { DEFAULT_PROFILE } from '../../src/core/lint/profile/recoveryProfile';
import { loadManifest, readProject } from '../../src/core/manifest';
import { dbtVars, evaluateCheck, planPriceGap, type CheckStep, type Plan, type SqlStep } from '../../src/core/plan';
import { approveAll, listRuns, processAlive, resumeRun, runPlan, type Journal, type RunEvent } from '../../src/core/run';
import { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';
import { openChdbWarehouse } from '../support/chdb';
import { ChdbRelay } from '../support/chdbRelay';
import { ClickHouseTestServer, serverTarget } from '../support/clickhouseServer';
import { pollUntil } from '../support/pollUntil';
import { DAYS, GAP_DAY, gnoBalance, GNO_PRICE, GNO_PRICE_GAP_DAY, HOLDER, MONTH, PAY_SAFE, PriceGapWorld, TODAY, TREASURY } from '../support/priceGapWorld';
import { copyExample, EventLog, REPO, selectedBy, standinCalls, STANDIN } from './runFixture';

const EXECUTOR = path.join(REPO, 'test', 'dbt-standin', 'clickhouseExecutor.ts');
const SUPPLY = 'int_execution_tokens_supply_holders_daily';
const COHORTS = 'int_execution_tokens_balance_cohorts_daily';

/** [day, rows, supply, supply_usd, holders] per day of the canary model's GNO series, by hand (see the header). */
const TRUTH: Array<[string, number, number, number, number]> = [
  ['2026-03-28', 1, 2000, 240000, 3],
  ['2026-03-29', 1, 2000, 240000, 3],
  ['2026-03-30', 1, 2000, 240000, 3],
  ['2026-03-31', 1, 2000, 240000, 3],
  ['2026-04-01', 1, 2000, 240000, 3],
  ['2026-04-02', 1, 2000, 250000, 3],
  ['2026-04-03', 1, 2000, 240000, 3],
  ['2026-04-04', 1, 2000, 240000, 3],
  ['2026-04-05', 1, 2000, 240000, 3],
];

const LAYERS = [
  ['int_execution_gpay_activity', 'int_execution_pools_fees_daily', 'int_execution_tokens_balances_daily'],
  ['int_execution_account_balance_history_daily', 'int_execution_tokens_balance_cohorts_daily', 'int_execution_tokens_balances_by_sector_daily', SUPPLY, 'int_revenue_gpay_fees_daily'],
  ['int_revenue_holdings_fees_daily'],
];

function readJournal(runDir: string): Journal {
  return JSON.parse(readFileSync(path.join(runDir, 'journal.json'), 'utf8')) as Journal;
}

function stepOf<K extends 'check' | 'sql'>(plan: Plan, id: string, kind: K): Extract<Plan['steps'][number], { kind: K }> {
  const s = plan.steps.find((x) => x.id === id);
  assert.ok(s && s.kind === kind, `${id} is a ${kind} step of the plan`);
  return s as Extract<Plan['steps'][number], { kind: K }>;
}

/** The process's command line, '' when it is gone. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

interface ExecutedModel {
  pid: number;
  model: string;
  materialized: string;
  strategy: string | null;
  statements: string[];
}

function executedModels(file: string): ExecutedModel[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ExecutedModel);
  } catch {
    return [];
  }
}

describe('run: the price-gap incident on a real ClickHouse (chdb 26; checks also on 18.16)', function () {
  this.timeout(120_000);
  let w: ClickHouseWarehouse;
  let relay: ChdbRelay;
  let server: ClickHouseTestServer;
  let w18: ClickHouseWarehouse;
  let project: ReturnType<typeof copyExample>;
  let world: PriceGapWorld;
  let plan: Plan;
  let argvLog: string;
  let execLog: string;
  /** Process groups a test started (leader pid, a word of its command line), stopped after it if still running. */
  const groups: Array<{ pid: number; command: string }> = [];

  before(async () => {
    w = await openChdbWarehouse();
    relay = await ChdbRelay.start(w);
    server = await ClickHouseTestServer.start();
    w18 = ClickHouseWarehouse.connect(serverTarget(server, { profile: 'gnosis_recovery_example' }));
  });
  after(async () => {
    await w18?.close();
    await server?.stop();
    await relay?.close();
    await w?.close();
  });

  beforeEach(async () => {
    project = copyExample();
    argvLog = path.join(project.dir, 'standin-argv.jsonl');
    execLog = path.join(project.dir, 'executed.jsonl');
    world = new PriceGapWorld(w, project.dir, STANDIN, {
      DBT_STANDIN_EXECUTOR: EXECUTOR,
      STANDIN_CLICKHOUSE_RELAY: relay.url,
      STANDIN_CLICKHOUSE_TABLE_SETTINGS: JSON.stringify({ max_bytes_to_merge_at_max_space_in_pool: 1 }),
      STANDIN_CLICKHOUSE_LOG: execLog,
      DBT_STANDIN_LOG: argvLog,
    });
    await world.createSources();
    await world.buildModels();
    // The incident: the gap day's USD is 0 in every materialized model; Dune's backfill shows in the view only.
    assert.deepEqual(await supplyByDay(), TRUTH.map(([d, r, s, usd, h]) => [d, r, s, d === GAP_DAY ? 0 : usd, h]));
    await world.backfillPrices();
    assert.deepEqual(await w.query(`SELECT toString(date) AS day, price FROM dbt.int_execution_token_prices_daily WHERE symbol = 'GNO' AND date = '${GAP_DAY}'`), [{ day: GAP_DAY, price: GNO_PRICE_GAP_DAY }]);
    plan = planPriceGap({
      project: readProject(project.dir),
      manifest: loadManifest(path.join(project.target, 'manifest.json')),
      profile: DEFAULT_PROFILE,
      fromDate: GAP_DAY,
      today: TODAY,
      dbtCommand: [process.execPath, STANDIN],
      connection: w.description,
    });
  });
  afterEach(async () => {
    // A test that failed half-way may leave a process it started (the runner's group, a held dbt's group). The
    // command line is checked first, so a pid reused since is left alone.
    for (const { pid, command } of [...groups.splice(0), ...standinCalls(argvLog).map((c) => ({ pid: c.pid, command: 'dbt.mjs' }))]) {
      if (processAlive(pid) && commandLine(pid).includes(command)) process.kill(-pid, 'SIGKILL');
    }
    await world.drop();
    await w18?.exec('DROP DATABASE IF EXISTS dbt');
    project.cleanup();
  });

  /** The canary model's GNO series: [day, rows, supply, supply_usd, holders]. */
  async function supplyByDay(): Promise<Array<[string, number, number, number, number]>> {
    const rows = await w.query<{ day: string; rows: number; supply: number; usd: number; holders: number }>(
      `SELECT toString(date) AS day, toUInt32(count()) AS rows, sum(supply) AS supply, sum(supply_usd) AS usd, toUInt32(sum(holders)) AS holders FROM dbt.${SUPPLY} WHERE symbol = 'GNO' GROUP BY day ORDER BY day`,
    );
    return rows.map((r) => [r.day, r.rows, r.supply, r.usd, r.holders]);
  }

  async function check(step: CheckStep, on: ClickHouseWarehouse = w) {
    const rows = await on.query(step.sql);
    return { rows, ...evaluateCheck(step.rule, rows) };
  }

  /** The plan's optimize-partition steps (every cohort table, its month partition). */
  const optimizeSteps = (): SqlStep[] => plan.steps.filter((s): s is SqlStep => s.kind === 'sql' && s.operation.op === 'optimize-partition');

  /**
   * Copies the cohort tables and the rows of the api_* relations the plan checks (their plain columns, every row as
   * it is, duplicates included) to the 18.16 server as tables, so the plan's read-only SQL runs there on the same rows.
   */
  async function mirrorCohortTo18(): Promise<void> {
    await w18.exec('DROP DATABASE IF EXISTS dbt');
    await w18.exec('CREATE DATABASE dbt');
    const api = plan.steps.filter((s) => s.id.startsWith('verify-gap-day-')).map((s) => (s.kind === 'check' ? /FROM `dbt`\.`([^`]+)`/.exec(s.sql)![1]! : ''));
    for (const table of [...optimizeSteps().map((s) => (s.operation.op === 'optimize-partition' ? s.operation.table : '')), ...api]) {
      const cols = (await w.query<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = {db} AND table = {t} ORDER BY position', { db: 'dbt', t: table }))
        .filter((c) => /^(Nullable\()?(Date|DateTime|String|Float64|U?Int(8|16|32|64))\)?$/.test(c.type));
      await w18.exec(`CREATE TABLE dbt.${table} (${cols.map((c) => `${c.name} ${c.type}`).join(', ')}) ENGINE = MergeTree() PARTITION BY toStartOfMonth(date) ORDER BY date`);
      // Plain columns only (see the filter above): JSON gives them as strings, numbers or null.
      const rows = await w.query<Record<string, string | number | null>>(`SELECT ${cols.map((c) => c.name).join(', ')} FROM dbt.${table}`);
      const literal = (v: string | number | null | undefined, type: string): string => (v === null || v === undefined ? 'NULL' : /Int|Float/.test(type) ? String(v) : w18.quoteLiteral(String(v)));
      if (rows.length > 0) await w18.exec(`INSERT INTO dbt.${table} VALUES ${rows.map((r) => `(${cols.map((c) => literal(r[c.name], c.type)).join(', ')})`).join(', ')}`);
    }
  }

  /** The plan's canary, duplicate, zero-USD and API checks on both engines: the same verdicts and the same rows. */
  async function checksAgreeOn18(): Promise<Map<string, string>> {
    await mirrorCohortTo18();
    const statuses = new Map<string, string>();
    const norm = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
    for (const s of plan.steps) {
      if (s.kind !== 'check' || !/^(canary|p1-.*-duplicates-|verify-usd-|verify-gap-day-)/.test(s.id)) continue;
      const [on26, on18] = [await check(s), await check(s, w18)];
      assert.equal(on18.status, on26.status, `${s.id}: the same verdict on 18.16`);
      assert.deepEqual(norm(on18.rows), norm(on26.rows), `${s.id}: the same rows on 18.16`);
      statuses.set(s.id, on26.status);
    }
    return statuses;
  }

  it("one dbt run of the whole cohort, then OPTIMIZE, bakes April's supply at 2x, and the plan's canary stops on 2026-04-01", async () => {
    // The runbook's first iteration: every cohort model in one `dbt run` (dbt's DAG order), then OPTIMIZE each table.
    const single = await world.dbt(['run', '--select', 'tag:refill_append', '--vars', dbtVars({ start_month: MONTH, end_month: MONTH })]);
    assert.equal(single.code, 0, single.output);
    const run = executedModels(execLog).filter((e) => e.strategy !== null);
    const at = (m: string): number => run.findIndex((e) => e.model === m);
    assert.deepEqual([...run.map((e) => e.model)].sort(), LAYERS.flat().sort(), 'the nine cohort models, each once');
    assert.ok(at('int_execution_tokens_balances_daily') < at(SUPPLY) && at('int_execution_tokens_balances_by_sector_daily') < at('int_revenue_holdings_fees_daily'), 'in DAG order');
    assert.equal(run.find((e) => e.model === SUPPLY)?.strategy, 'append', 'the strategy expression renders append with start_month');
    assert.match(run.find((e) => e.model === SUPPLY)!.statements.join('\n'), /INSERT INTO `dbt`\.`int_execution_tokens_supply_holders_daily` \(`date`, `token_address`, `symbol`, `supply`, `supply_usd`, `holders`\)\n[\s\S]*toStartOfMonth\(date\) >= toDate\('2026-04-01'\)/);
    for (const s of optimizeSteps()) {
      if (s.operation.op === 'optimize-partition') await w.optimizePartition(s.operation.database, s.operation.table, s.operation.partition);
    }

    // supply_holders summed balances_daily while it held April twice (old rows and the refill's, unmerged): every
    // April day baked at 2x, holders counted twice. OPTIMIZE kept the last insert, the inflated one. (The gap day's
    // USD looks right: its old rows were worth 0.)
    assert.deepEqual(await supplyByDay(), TRUTH.map(([d, r, s, usd, h]) => (d >= MONTH ? [d, r, 2 * s, d === GAP_DAY ? usd : 2 * usd, 2 * h] : [d, r, s, usd, h])));
    // The symptom: a clean row count (no key twice) ...
    const dups = await check(stepOf(plan, `p1-${MONTH}-duplicates-${SUPPLY}`, 'check'));
    assert.deepEqual([dups.status, dups.rows], ['pass', []]);
    // ... and a jump on the month's first day, which the canary stops on, exactly as the runner evaluates it.
    const canary = await check(stepOf(plan, 'canary', 'check'));
    assert.equal(canary.status, 'stop');
    assert.deepEqual(canary.offending, [{ day: MONTH, value: 4000, ratio: 2 }]);
    assert.match(canary.message, /The canary jumped on 2026-04-01 \(2\.00x the day before\)/);

    // The third layer read the second while it too held April twice (1x old, 2x new): 3x.
    const treasury = async (table: string) =>
      (await w.query<{ usd: number }>(`SELECT sum(balance_usd) AS usd FROM dbt.${table} WHERE sector = 'Treasury' AND date = '${MONTH}'`))[0]!.usd;
    const trueTreasuryUsd = gnoBalance(TREASURY, MONTH) * GNO_PRICE;
    assert.equal(await treasury('int_execution_tokens_balances_by_sector_daily'), 2 * trueTreasuryUsd);
    assert.equal(await treasury('int_revenue_holdings_fees_daily'), 3 * trueTreasuryUsd);

    // The plan's SQL gives the same verdicts on ClickHouse 18.16, on the same rows.
    const on18 = await checksAgreeOn18();
    assert.equal(on18.get('canary'), 'stop');
  });

  /**
   * What every plan run of this world must end with (the plan's promise), checked on the journal and the tables.
   * `cleared`: the plan cleared the balance cohorts' month first (clearMonthFor).
   */
  async function assertRefilled(journal: Journal, { cleared }: { cleared: boolean } = { cleared: false }): Promise<void> {
    assert.deepEqual(journal.steps.filter((s) => s.status !== 'done').map((s) => s.id), [], 'every step done');
    const checks = new Map(journal.steps.filter((s) => s.kind === 'check').map((s) => [s.id, s.check!]));

    // The canary model holds the truth, and the canary saw a flat series.
    assert.deepEqual(await supplyByDay(), TRUTH);
    const canary = checks.get('canary')!;
    assert.equal(canary.status, 'pass', canary.message);
    assert.deepEqual(canary.rows.map((r) => [r.day, r.value, r.ratio]), DAYS.slice(1).map((d) => [d, 2000, 1]));
    // OPTIMIZE left no key twice in any cohort table's month.
    const dupChecks = [...checks].filter(([id]) => id.startsWith(`p1-${MONTH}-duplicates-`));
    assert.equal(dupChecks.length, 9);
    for (const [id, c] of dupChecks) assert.deepEqual([id, c.status, c.rowCount], [id, 'pass', 0]);

    // The refilled balances: each holder's balance at the backfilled price on the gap day.
    const gap = await w.query<{ address: string; balance: number; usd: number }>(
      `SELECT address, balance, balance_usd AS usd FROM dbt.int_execution_tokens_balances_daily WHERE date = '${GAP_DAY}' ORDER BY address`,
    );
    assert.deepEqual(gap, [HOLDER, TREASURY, PAY_SAFE].sort().map((a) => ({ address: a, balance: gnoBalance(a, GAP_DAY), usd: gnoBalance(a, GAP_DAY) * GNO_PRICE_GAP_DAY })));
    // Phase 3 rebuilt the fct table under the API: the gap day's supply in USD reaches it.
    assert.deepEqual(
      (await w.query<{ day: string; value: number }>(`SELECT toString(date) AS day, value FROM dbt.api_execution_tokens_supply_daily WHERE label = 'GNO' ORDER BY date`)).map((r) => [r.day, r.value]),
      TRUTH.map(([d, , , usd]) => [d, usd]),
    );
    // The holdings fee stream, through int_revenue_holdings_fees_daily (a cohort model) and fct_revenue_fees_daily (a
    // window over a daily sum), both as written: 1% a year of the Treasury's and the Gnosis Pay safe's GNO in USD, and
    // its running 30-day sum (every day of the scenario is within 30).
    const fee = (d: string): number => ((gnoBalance(TREASURY, d) + gnoBalance(PAY_SAFE, d)) * (d === GAP_DAY ? GNO_PRICE_GAP_DAY : GNO_PRICE) * 0.01) / 365;
    const micro = (x: number): number => Math.round(x * 1e6) / 1e6;
    const fct = await w.query<{ day: string; fees: number; fees30: number }>(
      "SELECT toString(date) AS day, fees_usd AS fees, fees_usd_30d AS fees30 FROM dbt.fct_revenue_fees_daily WHERE stream = 'holdings' ORDER BY date",
    );
    assert.deepEqual(
      fct.map((r) => [r.day, micro(r.fees), micro(r.fees30)]),
      DAYS.map((d, k) => [d, micro(fee(d)), micro(DAYS.slice(0, k + 1).reduce((s, x) => s + fee(x), 0))]),
    );

    // Verification: no zero-USD day in the window but in two tables: one a limit of append + OPTIMIZE (unless the
    // plan cleared its month), one the example's deliberate non-compliance.
    const verify = [...checks].filter(([id]) => id.startsWith('verify-usd-')).map(([id, c]) => [id.slice('verify-usd-'.length), c.status, c.offending.map((r) => [r.day, Number(r.zero_usd)])]);
    assert.deepEqual(verify, [
      ['int_execution_gpay_activity', 'pass', []],
      ['int_execution_pools_fees_daily', 'pass', []],
      ['int_execution_tokens_balances_daily', 'pass', []],
      ['int_execution_account_balance_history_daily', 'pass', []],
      // A value-derived key: on the gap day every holder was in the '0-10' USD cohort. The refill writes the right
      // cohorts, but no new row has the key (gap day, GNO, '0-10'), so OPTIMIZE has nothing to replace it with; the
      // plan warned so, and clearMonthFor drops the month before the rewrite.
      [COHORTS, cleared ? 'pass' : 'warn', cleared ? [] : [[GAP_DAY, 1]]],
      ['int_execution_tokens_balances_by_sector_daily', 'pass', []],
      ['int_execution_tokens_supply_holders_daily', 'pass', []],
      // NON-COMPLIANT (refill-append-month-filter): no start_month branch, so the "month rewrite" re-read 1 day.
      ['int_revenue_gpay_fees_daily', 'warn', [[GAP_DAY, 1]]],
      ['int_revenue_holdings_fees_daily', 'pass', []],
    ]);
    const gapCohorts = await w.query<{ cohort: string; holders: string; balance: number; usd: number }>(
      `SELECT cohort, holders, balance, balance_usd AS usd FROM dbt.int_execution_tokens_balance_cohorts_daily WHERE date = '${GAP_DAY}' ORDER BY cohort`,
    );
    assert.deepEqual(gapCohorts.map((r) => [r.cohort, Number(r.holders), r.balance, r.usd]), [
      ...(cleared ? [] : [['0-10', 3, 2000, 0]]),
      ['100k-1M', 1, 950, 950 * GNO_PRICE_GAP_DAY],
      ['1k-100k', 2, 625 + 425, (625 + 425) * GNO_PRICE_GAP_DAY],
    ]);

    // The API on the gap day: rows, none worth 0. Two are not, and the check says so (rows alone would pass both):
    // the Gnosis Pay volume API, because int_execution_gpay_payments_by_token_daily (NON-COMPLIANT,
    // price-lookback-ignored) re-derives only its last day, and the fees API's gpay stream, because
    // int_revenue_gpay_fees_daily (NON-COMPLIANT, refill-append-month-filter) re-read 1 day of the month.
    const api = [...checks].filter(([id]) => id.startsWith('verify-gap-day-')).filter(([, c]) => c.status !== 'pass');
    assert.deepEqual(
      api.map(([id, c]) => [id, c.status, c.offending.map((r) => [r.day, Number(r.rows), Number(r.zero_values)])]),
      [
        ['verify-gap-day-api_execution_gpay_volume_payments_by_token_daily', 'warn', [[GAP_DAY, 1, 1]]],
        ['verify-gap-day-api_revenue_fees_daily', 'warn', [[GAP_DAY, 3, 1]]],
      ],
    );
    assert.deepEqual(await w.query(`SELECT label, value FROM dbt.api_execution_gpay_volume_payments_by_token_daily WHERE date = '${GAP_DAY}'`), [{ label: 'EURe', value: 0 }]);
    assert.deepEqual(
      (await w.query<{ label: string; value: number }>(`SELECT label, value FROM dbt.api_revenue_fees_daily WHERE date = '${GAP_DAY}' ORDER BY label`)).map((r) => [r.label, r.value > 0]),
      [['gpay', false], ['holdings', true], ['pools', true]],
    );
    // The monthly API's date is a month start: its check looks at the gap day's month, which has its row.
    const monthly = checks.get('verify-gap-day-api_execution_tokens_active_holders_monthly')!;
    assert.deepEqual([monthly.status, monthly.rows.map((r) => [r.day, Number(r.rows), Number(r.zero_values)])], ['pass', [[MONTH, 1, 0]]]);
  }

  it('the plan, run by the runner (a layer at a time, OPTIMIZE between), refills April to the true values', async () => {
    const log = new EventLog();
    const outcome = await runPlan(plan, { approve: approveAll(), warehouse: w, targetPath: project.target, env: world.dbtEnv, onEvent: log.listener });
    assert.equal(outcome.status, 'done', outcome.message);
    const journal = readJournal(outcome.runDir);
    await assertRefilled(journal);
    assert.deepEqual(plan.warnings.map((x) => [x.code, x.uniqueId?.split('.').pop()]), [['value-derived-key', COHORTS]]);
    assert.deepEqual(journal.approvals.map((a) => [a.stepId, a.approved, a.automatic]), [
      ['preflight-warnings', true, true],
      ['phase1-approve', true, true],
      ['phase2-approve', true, true],
      ['phase3-approve', true, true],
    ]);

    // One dbt process per layer, then Phase 2 and Phase 3; each cohort model rewritten once, in append mode but the
    // non-compliant delete+insert one.
    const calls = standinCalls(argvLog).slice(1);
    assert.deepEqual(calls.map(selectedBy), [...LAYERS, ['int_execution_token_prices_daily+'], ['tag:refill_append+']]);
    const refill = executedModels(execLog).filter((e) => calls.slice(0, 3).some((c) => c.pid === e.pid));
    assert.deepEqual(refill.map((e) => [e.model, e.strategy]).sort(), LAYERS.flat().map((m) => [m, m === 'int_execution_account_balance_history_daily' ? 'delete+insert' : 'append']).sort());

    // The same verdicts from ClickHouse 18.16 on the same rows.
    const on18 = await checksAgreeOn18();
    assert.equal(on18.get('canary'), 'pass');
    assert.deepEqual(
      [...on18].filter(([, v]) => v !== 'pass').map(([id]) => id),
      [`verify-usd-${COHORTS}`, 'verify-usd-int_revenue_gpay_fees_daily', 'verify-gap-day-api_execution_gpay_volume_payments_by_token_daily', 'verify-gap-day-api_revenue_fees_daily'],
      'the two zero-USD warnings and the two API ones',
    );
  });

  it("with clearMonthFor, the balance cohorts' month is dropped before its layer and ends with the refill's rows only", async () => {
    const cleared = planPriceGap({
      project: readProject(project.dir),
      manifest: loadManifest(path.join(project.target, 'manifest.json')),
      profile: DEFAULT_PROFILE,
      fromDate: GAP_DAY,
      today: TODAY,
      dbtCommand: [process.execPath, STANDIN],
      connection: w.description,
      clearMonthFor: [COHORTS],
    });
    assert.deepEqual(cleared.warnings, []);
    const drop = `p1-${MONTH}-layer2-clear-${COHORTS}`;
    const order = cleared.steps.map((x) => x.id);
    assert.equal(order.indexOf(drop) + 1, order.indexOf(`p1-${MONTH}-layer2-run`));
    // Just before the DROP, the month holds the daily build's rows, the stale '0-10' cohort of the gap day among them.
    const cohortsOf = async (): Promise<string[]> =>
      (await w.query<{ c: string }>(`SELECT cohort AS c FROM dbt.${COHORTS} WHERE date = '${GAP_DAY}' ORDER BY c`)).map((r) => r.c);
    assert.deepEqual(await cohortsOf(), ['0-10']);
    const seen: string[][] = [];
    const outcome = await runPlan(cleared, {
      approve: approveAll(),
      warehouse: w,
      targetPath: project.target,
      env: world.dbtEnv,
      // The month is empty between the DROP and the layer's run: what readers see meanwhile.
      onEvent: (e) => {
        if (e.type === 'step-start' && e.step === `p1-${MONTH}-layer2-run`) void cohortsOf().then((c) => seen.push(c));
      },
    });
    assert.equal(outcome.status, 'done', outcome.message);
    const journal = readJournal(outcome.runDir);
    assert.deepEqual(journal.steps.find((x) => x.id === drop)!.statements, [`ALTER TABLE \`dbt\`.\`${COHORTS}\` DROP PARTITION '${MONTH}'`]);
    await assertRefilled(journal, { cleared: true });
    assert.deepEqual(await cohortsOf(), ['100k-1M', '1k-100k']);
    assert.deepEqual(seen, [[]]);
    assert.deepEqual(journal.approvals.map((a) => a.stepId), ['phase1-approve', 'phase2-approve', 'phase3-approve']);
  });

  it('an OPTIMIZE that does not collapse the month stops the run at that table\'s duplicate check, before the next layer reads it', async () => {
    // balances_daily sorted by more than its unique key (balance_usd too): ReplacingMergeTree collapses rows of the
    // same sorting key only, so the gap day's old row (0 USD) and the refill's stay side by side after OPTIMIZE.
    const rel = 'dbt.int_execution_tokens_balances_daily';
    await w.exec(
      `CREATE TABLE ${rel}_plain ENGINE = ReplacingMergeTree() PARTITION BY toStartOfMonth(date) ORDER BY (date, token_address, address, balance_usd) ` +
        `SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 1 AS SELECT * FROM ${rel}`,
    );
    await w.exec(`EXCHANGE TABLES ${rel}_plain AND ${rel}`);
    await w.exec(`DROP TABLE ${rel}_plain`);
    const before = await supplyByDay();
    const outcome = await runPlan(plan, { approve: approveAll(), warehouse: w, targetPath: project.target, env: world.dbtEnv });
    assert.equal(outcome.status, 'failed');
    const check = `p1-${MONTH}-duplicates-int_execution_tokens_balances_daily`;
    assert.equal(outcome.stoppedAt, check, outcome.message);
    const journal = readJournal(outcome.runDir);
    const stopped = journal.steps.find((x) => x.id === check)!;
    assert.deepEqual(
      stopped.check!.offending.map((r) => [r.date, r.address, Number(r.copies)]),
      [HOLDER, PAY_SAFE, TREASURY].sort().map((a) => [GAP_DAY, a, 2]),
    );
    // Nothing of layer 2 ran: the stand-in ran layer 1 only, and the canary model still holds the daily build's rows.
    assert.deepEqual(standinCalls(argvLog).slice(1).map(selectedBy), [LAYERS[0]]);
    assert.equal(journal.steps.find((x) => x.id === `p1-${MONTH}-layer2-run`)!.status, 'pending');
    assert.deepEqual(await supplyByDay(), before);
  });

  it('killed mid-Phase-1 and resumed, the run ends with the true values and no completed step ran twice', async () => {
    const planFile = path.join(project.dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const layer2 = `p1-${MONTH}-layer2-run`;
    // Hold dbt at layer 2's last model in DAG order: the four before it have already written their April rows.
    const graph = DbtGraph.of(loadManifest(path.join(project.target, 'manifest.json')));
    const layer2Order = graph.topologicalOrder().filter((id) => LAYERS[1]!.some((m) => id.endsWith(`.${m}`))).map((id) => id.split('.').pop()!);
    const held = layer2Order[layer2Order.length - 1]!;
    assert.ok(layer2Order.indexOf(SUPPLY) < layer2Order.indexOf(held), 'the canary model is written before the kill');

    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(REPO, 'test', 'support', 'relayRunnerChild.ts'), planFile, project.target, relay.url], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...world.dbtEnv, DBT_STANDIN_HOLD: held },
    });
    groups.push({ pid: child.pid!, command: 'relayRunnerChild.ts' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const e = JSON.parse(line) as RunEvent;
        if (e.type === 'progress' && e.step === layer2 && e.name === held && e.status === 'started') resolve();
      });
      child.once('exit', (code) => reject(new Error(`the runner exited (${code}) before ${held} started: ${stderr}`)));
    });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const [run] = listRuns(project.target);
    assert.deepEqual([run?.status, run?.nextStep], ['interrupted', layer2]);
    const before = readJournal(run!.runDir);
    const doneBefore = before.steps.filter((s) => s.status === 'done').map((s) => s.id);
    assert.deepEqual(doneBefore, plan.steps.slice(0, plan.steps.findIndex((s) => s.id === layer2)).map((s) => s.id), 'everything before layer 2 done');
    // The cut-off attempt already appended April to four layer-2 tables: the resume appends it again.
    const cutOff = executedModels(execLog).filter((e) => e.pid === before.steps.find((s) => s.id === layer2)!.dbt!.pid);
    assert.deepEqual(cutOff.map((e) => e.model), layer2Order.slice(0, -1));
    // So supply_holders holds April twice, unmerged: the daily build's rows (0 USD on the gap day) and the cut-off
    // attempt's (true values: layer 1 was deduplicated before it ran).
    assert.deepEqual(await supplyByDay(), TRUTH.map(([d, r, s, usd, h]) => (d >= MONTH ? [d, 2 * r, 2 * s, d === GAP_DAY ? usd : 2 * usd, 2 * h] : [d, r, s, usd, h])));
    const heldPid = before.steps.find((s) => s.id === layer2)!.dbt!.pid!;
    process.kill(-heldPid, 'SIGKILL');
    await pollUntil('the held dbt stand-in is gone', () => Promise.resolve(processAlive(heldPid) ? undefined : true));

    const log = new EventLog();
    const outcome = await resumeRun(run!.runId, { approve: approveAll(), warehouse: w, targetPath: project.target, env: world.dbtEnv, onEvent: log.listener });
    assert.equal(outcome.status, 'done', outcome.message);
    const after = readJournal(outcome.runDir);
    await assertRefilled(after);

    // Nothing done before the kill ran again; the cut-off step ran twice; the rest once.
    assert.deepEqual(after.steps.filter((s) => s.attempts !== 1).map((s) => [s.id, s.attempts]), [[layer2, 2]]);
    for (const id of doneBefore) assert.equal(log.events.some((e) => e.type === 'step-start' && e.step === id), false, `${id} not started again`);
    assert.deepEqual(standinCalls(argvLog).slice(1).map(selectedBy), [LAYERS[0], LAYERS[1], ...LAYERS.slice(1), ['int_execution_token_prices_daily+'], ['tag:refill_append+']]);
    const writes = executedModels(execLog).filter((e) => e.strategy !== null && LAYERS.flat().includes(e.model));
    const count = (m: string): number => writes.filter((e) => e.model === m).length;
    // The first build creates the tables (no strategy); each refill write is counted here: the models the cut-off
    // attempt wrote were written again (idempotent: a third copy of April in supply_holders, collapsed by OPTIMIZE to
    // the true values above), every other model once.
    assert.deepEqual(Object.fromEntries(LAYERS.flat().map((m) => [m, count(m)])), Object.fromEntries(LAYERS.flat().map((m) => [m, layer2Order.slice(0, -1).includes(m) ? 2 : 1])));
    assert.deepEqual(after.approvals.map((a) => [a.stepId, a.by]), [['preflight-warnings', 'runner-child'], ['phase1-approve', 'runner-child'], ['phase2-approve', '--yes'], ['phase3-approve', '--yes']]);
  });
});
