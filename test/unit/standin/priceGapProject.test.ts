import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadManifest } from '../../../src/core/manifest';
import { DbtParseError, manifestText, parseProject } from '../../dbt-standin/parseProject';
import { fixture } from '../fixtures';

type Json = Record<string, unknown>;
interface Node extends Json {
  name: string;
  resource_type: string;
  raw_code: string;
  compiled_code: string;
  tags: string[];
  config: Json;
  refs: Array<{ name: string }>;
  sources: Array<[string, string]>;
  depends_on: { macros: string[]; nodes: string[] };
}

const PROJECT = path.resolve(__dirname, '../../../examples/price-gap');
const COMMITTED = path.join(PROJECT, 'target', 'manifest.json');
const PKG = 'gnosis_recovery_example';
const M = (name: string): string => `model.${PKG}.${name}`;

const manifest = parseProject(PROJECT);
const nodes = manifest.nodes as Record<string, Node>;
const MONTH_REFILL = { start_month: '2026-04-01', end_month: '2026-04-01' };
const refillNodes = parseProject(PROJECT, { vars: MONTH_REFILL }).nodes as Record<string, Node>;
const models = Object.values(nodes).filter((n) => n.resource_type === 'model');
const model = (name: string): Node => {
  const n = nodes[M(name)];
  assert.ok(n, `no model ${name}`);
  return n;
};

const COHORT = [
  'int_execution_tokens_balances_daily',
  'int_execution_gpay_activity',
  'int_execution_pools_fees_daily',
  'int_execution_tokens_supply_holders_daily',
  'int_execution_tokens_balance_cohorts_daily',
  'int_execution_tokens_balances_by_sector_daily',
  'int_execution_account_balance_history_daily',
  'int_revenue_gpay_fees_daily',
  'int_revenue_holdings_fees_daily',
];

const PRE_HOOK = [
  'SET max_memory_usage = 8589934592',
  'SET max_bytes_before_external_group_by = 2147483648',
  'SET max_bytes_before_external_sort = 2147483648',
  "SET join_algorithm = 'grace_hash'",
];
const POST_HOOK = [
  'SET max_memory_usage = 0',
  'SET max_bytes_before_external_group_by = 0',
  'SET max_bytes_before_external_sort = 0',
  "SET join_algorithm = 'default'",
];

describe('dbt stand-in: examples/price-gap', () => {
  it('the committed target/manifest.json is exactly what a fresh parse writes', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    assert.equal(committed, manifestText(manifest), 'regenerate with: npx tsx test/dbt-standin/parse.ts --project-dir examples/price-gap');
  });

  it('two parses write the same bytes (no clock, no random ids)', () => {
    assert.equal(manifestText(parseProject(PROJECT)), manifestText(manifest));
  });

  it('loads with our own loader: 36 models, schema v12, ClickHouse, dbt 1.9.4', () => {
    const m = loadManifest(COMMITTED);
    const byType = new Map<string, number>();
    for (const n of m.nodes.values()) byType.set(n.resourceType, (byType.get(n.resourceType) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byType), { model: 36, snapshot: 1, seed: 2, test: 47, source: 9, exposure: 1 });
    assert.equal(m.metadata.schemaVersion, 12);
    assert.equal(m.metadata.adapterType, 'clickhouse');
    assert.equal(m.metadata.dbtVersion, '1.9.4');
    assert.equal(m.metadata.projectName, PKG);
    assert.deepEqual(m.warnings, []);
    const balances = m.nodes.get(M('int_execution_tokens_balances_daily'));
    assert.equal(balances?.config.incrementalStrategy, 'delete+insert');
    assert.equal(balances?.config.engine, 'ReplacingMergeTree()');
    assert.equal(balances?.config.partitionBy, 'toStartOfMonth(date)');
    assert.equal(balances?.config.fullRefresh, false);
    assert.deepEqual(balances?.config.preHook.map((h) => h.sql), PRE_HOOK);
    assert.equal(balances?.relationName, '`dbt`.`int_execution_tokens_balances_daily`');
  });

  it("every model's refs, sources and depends_on are the ref()/source() calls in its SQL", () => {
    for (const n of models) {
      const sqlRefs = [...n.raw_code.matchAll(/\{\{\s*ref\('([^']+)'\)\s*\}\}/g)].map((m) => m[1]);
      const sqlSources = [...n.raw_code.matchAll(/\{\{\s*source\('([^']+)',\s*'([^']+)'\)\s*\}\}/g)].map((m) => `${m[1]}.${m[2]}`);
      assert.deepEqual(n.refs.map((r) => r.name), sqlRefs, n.name);
      assert.deepEqual(n.sources.map(([s, t]) => `${s}.${t}`), sqlSources, n.name);
      const expected = new Set([
        ...sqlSources.map((s) => `source.${PKG}.${s}`),
        ...sqlRefs.map((r) => nodes[M(r ?? '')] ? M(r ?? '') : `seed.${PKG}.${r}` in nodes ? `seed.${PKG}.${r}` : `snapshot.${PKG}.${r}`),
      ]);
      assert.deepEqual(new Set(n.depends_on.nodes), expected, n.name);
      assert.equal(n.depends_on.nodes.length, expected.size, `${n.name}: no duplicates`);
      assert.doesNotMatch(n.compiled_code, /\{\{|\{%/, `${n.name} compiled`);
    }
    assert.deepEqual(model('int_execution_tokens_balances_daily').depends_on.nodes, [
      M('stg_execution__balance_diffs'),
      `seed.${PKG}.tokens_whitelist`,
      M('int_execution_token_prices_daily'),
    ]);
    assert.deepEqual(model('int_execution_gpay_activity').depends_on.nodes, [
      `snapshot.${PKG}.gpay_wallets_snapshot`,
      M('stg_execution__transfers'),
      `seed.${PKG}.tokens_whitelist`,
      M('int_execution_token_prices_daily'),
    ]);
    assert.deepEqual(model('int_execution_pools_fees_daily').depends_on.nodes, [
      `source.${PKG}.execution.pool_swaps`,
      `seed.${PKG}.tokens_whitelist`,
      M('int_execution_token_prices_daily'),
    ]);
  });

  it('compiles refs to ClickHouse relation names and is_incremental() to false', () => {
    const c = model('int_execution_tokens_supply_holders_daily').compiled_code;
    assert.match(c, /FROM `dbt`\.`int_execution_tokens_balances_daily`\nWHERE 1 = 1\n/);
    assert.doesNotMatch(c, /x1\.|toStartOfMonth\(date\) >= toDate/, 'no incremental filter on an empty warehouse');
    assert.match(model('int_execution_token_prices_daily').compiled_code, /FROM `dune`\.`prices` AS p\nINNER JOIN `dbt`\.`tokens_whitelist` AS w/);
  });

  it('tags exactly the designed cohort refill_append', () => {
    const tagged = models.filter((n) => n.tags.includes('refill_append')).map((n) => n.name).sort();
    assert.deepEqual(tagged, [...COHORT].sort());
    assert.deepEqual(model('int_execution_tokens_balances_daily').tags, ['execution', 'production', 'tokens', 'balances', 'refill_append']);
  });

  it('the cohort is three layers deep: aggregators read other cohort members', () => {
    const cohortParents = (name: string): string[] =>
      model(name).depends_on.nodes.filter((id) => COHORT.some((c) => M(c) === id)).map((id) => id.split('.')[2] ?? '');
    assert.deepEqual(cohortParents('int_execution_tokens_balances_daily'), []);
    assert.deepEqual(cohortParents('int_execution_tokens_supply_holders_daily'), ['int_execution_tokens_balances_daily']);
    assert.deepEqual(cohortParents('int_execution_tokens_balance_cohorts_daily'), ['int_execution_tokens_balances_daily']);
    assert.deepEqual(cohortParents('int_execution_tokens_balances_by_sector_daily'), ['int_execution_tokens_balances_daily']);
    assert.deepEqual(cohortParents('int_revenue_gpay_fees_daily'), ['int_execution_gpay_activity']);
    assert.deepEqual(cohortParents('int_revenue_holdings_fees_daily'), ['int_execution_tokens_balances_by_sector_daily']);
  });

  it('renders the refill hooks to the SET statements, under the hyphenated keys, as dbt stores them', () => {
    for (const name of COHORT.filter((c) => c !== 'int_execution_tokens_balances_by_sector_daily')) {
      const { config } = model(name);
      assert.deepEqual(config['pre-hook'], PRE_HOOK.map((sql) => ({ sql, transaction: true, index: null })), name);
      assert.deepEqual(config['post-hook'], POST_HOOK.map((sql) => ({ sql, transaction: true, index: null })), name);
      assert.ok(model(name).depends_on.macros.includes(`macro.${PKG}.refill_safe_pre_hook`), name);
    }
    assert.deepEqual(model('int_execution_tokens_balances_by_sector_daily').config['pre-hook'], []);
  });

  it("renders the strategy expression to 'delete+insert' by default and 'append' for a month refill", () => {
    const strategies = (ns: Record<string, Node>): Record<string, unknown> =>
      Object.fromEntries(COHORT.map((c) => [c, ns[M(c)]?.config.incremental_strategy]));
    assert.deepEqual(strategies(nodes), Object.fromEntries(COHORT.map((c) => [c, 'delete+insert'])));
    assert.deepEqual(strategies(refillNodes), {
      ...Object.fromEntries(COHORT.map((c) => [c, 'append'])),
      int_execution_account_balance_history_daily: 'delete+insert',
    });
    const chunked = parseProject(PROJECT, { vars: { incremental_end_date: '2026-04-30' } }).nodes as Record<string, Node>;
    assert.equal(chunked[M('int_execution_gpay_activity')]?.config.incremental_strategy, 'append');
    const compiled = refillNodes[M('int_execution_tokens_supply_holders_daily')]?.compiled_code ?? '';
    assert.match(compiled, /AND toStartOfMonth\(date\) >= toDate\('2026-04-01'\)\n\s*AND toStartOfMonth\(date\) <= toDate\('2026-04-01'\)/);
  });

  it('the lineage below int_execution_token_prices_daily is the designed set', () => {
    const childMap = manifest.child_map as Record<string, string[]>;
    const below = new Set<string>();
    const stack = [M('int_execution_token_prices_daily')];
    while (stack.length > 0) {
      for (const c of childMap[stack.pop() ?? ''] ?? []) {
        if (!below.has(c)) {
          below.add(c);
          stack.push(c);
        }
      }
    }
    const belowModels = [...below].filter((id) => id.startsWith('model.')).map((id) => id.split('.')[2]).sort();
    assert.deepEqual(belowModels, [
      'api_execution_account_balance_history_daily',
      'api_execution_gpay_volume_payments_by_token_daily',
      'api_execution_pools_tvl_daily',
      'api_execution_tokens_active_holders_monthly',
      'api_execution_tokens_balances_by_sector_daily',
      'api_execution_tokens_holders_daily',
      'api_execution_tokens_supply_daily',
      'api_execution_transfers_usd_daily',
      'api_revenue_fees_daily',
      'fct_execution_gpay_volume_payments_by_token_daily',
      'fct_execution_tokens_metrics_daily',
      'fct_revenue_fees_daily',
      'int_execution_account_balance_history_daily',
      'int_execution_gpay_activity',
      'int_execution_gpay_payments_by_token_daily',
      'int_execution_pools_fees_daily',
      'int_execution_pools_tvl_daily',
      'int_execution_tokens_active_holders_monthly',
      'int_execution_tokens_balance_cohorts_daily',
      'int_execution_tokens_balances_by_sector_daily',
      'int_execution_tokens_balances_daily',
      'int_execution_tokens_supply_holders_daily',
      'int_execution_transfers_usd_daily',
      'int_revenue_fees_unified_daily',
      'int_revenue_gpay_fees_daily',
      'int_revenue_holdings_fees_daily',
    ]);
    assert.ok(below.has(`exposure.${PKG}.gnosis_analytics_dashboard`));
    // Phase 2 = that lineage minus the cohort: the lighter consumers and everything downstream.
    const phase2 = belowModels.filter((n) => !COHORT.includes(n ?? ''));
    assert.equal(phase2.length, 17);
    // Unrelated models stay out.
    for (const n of ['int_consensus_blocks_daily', 'int_p2p_discv5_clients_daily', 'int_execution_transfers_whitelisted_daily', 'stg_execution__transfers']) {
      assert.ok(!below.has(M(n)), n);
    }
  });

  it('marks each deliberately non-compliant model with the rule it breaks, and it does break it', () => {
    const marked = Object.fromEntries(
      models.flatMap((n) => [...n.raw_code.matchAll(/-- NON-COMPLIANT \(([a-z-]+)\)/g)].map((m) => [n.name, m[1]])),
    );
    assert.deepEqual(marked, {
      int_execution_tokens_balances_by_sector_daily: 'refill-append-hooks',
      int_execution_account_balance_history_daily: 'refill-append-strategy',
      int_revenue_gpay_fees_daily: 'refill-append-month-filter',
      int_execution_tokens_active_holders_monthly: 'heavy-model-untagged',
      int_execution_gpay_payments_by_token_daily: 'price-lookback-ignored',
      int_execution_transfers_usd_daily: 'full-refresh-unprotected',
      int_consensus_blocks_daily: 'microbatch-config',
    });
    assert.equal(model('int_execution_account_balance_history_daily').config.incremental_strategy, 'delete+insert');
    assert.match(refillNodes[M('int_revenue_gpay_fees_daily')]?.compiled_code ?? '', /WHERE action = 'Payment'\n\s*\nGROUP BY/);
    assert.match(refillNodes[M('int_revenue_holdings_fees_daily')]?.compiled_code ?? '', /toDate\('2026-04-01'\)/);
    const holders = model('int_execution_tokens_active_holders_monthly');
    assert.ok(!holders.tags.includes('refill_append'));
    assert.match(holders.raw_code, /uniqExact\(address\)/);
    assert.match(holders.raw_code, /OVER \(PARTITION BY month/);
    const payments = model('int_execution_gpay_payments_by_token_daily');
    assert.ok(!payments.depends_on.macros.includes(`macro.${PKG}.apply_monthly_incremental_filter`));
    assert.ok(payments.depends_on.nodes.includes(M('int_execution_token_prices_daily')));
    assert.equal(model('int_execution_transfers_usd_daily').config.full_refresh, null);
    const blocks = model('int_consensus_blocks_daily').config;
    assert.deepEqual([blocks.incremental_strategy, blocks.event_time, blocks.batch_size, blocks.begin], ['microbatch', 'date', 'day', '2024-01-01']);
    // Its second upstream declares no event_time, so dbt reads all of it for every batch.
    const blocksParents = model('int_consensus_blocks_daily').depends_on.nodes;
    assert.deepEqual([...blocksParents].sort(), [`source.${PKG}.consensus.blocks`, `source.${PKG}.consensus.validators`]);
    // The compliant ones: every other incremental model is protected from --full-refresh.
    const unguarded = models.filter((n) => n.config.materialized === 'incremental' && n.config.full_refresh !== false).map((n) => n.name);
    assert.deepEqual(unguarded, ['int_execution_transfers_usd_daily']);
  });

  it('refuses, like dbt 1.9, a microbatch model without begin', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-standin-'));
    try {
      cpSync(PROJECT, copy, { recursive: true });
      const file = path.join(copy, 'models', 'consensus', 'intermediate', 'int_consensus_blocks_daily.sql');
      writeFileSync(file, readFileSync(file, 'utf8').replace("        begin='2024-01-01',\n", ''));
      assert.throws(
        () => parseProject(copy),
        (err: unknown) =>
          err instanceof DbtParseError &&
          err.message === "Microbatch model 'int_consensus_blocks_daily' must provide a 'begin' (datetime) config that indicates the earliest timestamp the microbatch model should be built from.",
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("has dbt 1.9's key set and key order (compared with the Gnosis manifest)", () => {
    const gnosis = JSON.parse(readFileSync(fixture('gnosischain__dbt-cerebro__v12.json'), 'utf8')) as Record<string, Record<string, Json>>;
    const first = (map: Record<string, Json> | undefined, pred: (n: Json) => boolean): Json => {
      const n = Object.values(map ?? {}).find(pred);
      assert.ok(n);
      return n;
    };
    assert.deepEqual(Object.keys(manifest), Object.keys(gnosis));
    assert.deepEqual(Object.keys(manifest.metadata as Json), Object.keys(gnosis.metadata ?? {}));
    const pairs: Array<[string, (n: Json) => boolean]> = [
      ['model', (n) => n.resource_type === 'model' && n.compiled === true],
      ['seed', (n) => n.resource_type === 'seed'],
      ['test', (n) => n.resource_type === 'test' && n.compiled === true],
    ];
    for (const [label, pred] of pairs) {
      const ours = first(nodes, pred);
      const theirs = first(gnosis.nodes, pred);
      assert.deepEqual(Object.keys(ours), Object.keys(theirs), `${label} keys`);
      const baseKeys = Object.keys(theirs.config as Json).filter((k) => !['order_by', 'partition_by', 'settings', 'engine'].includes(k));
      assert.deepEqual(Object.keys(ours.config as Json).slice(0, baseKeys.length), baseKeys, `${label} config keys`);
    }
    const source = first(manifest.sources as Record<string, Json>, () => true);
    assert.deepEqual(Object.keys(source), Object.keys(first(gnosis.sources, () => true)));
    const macro = first(manifest.macros as Record<string, Json>, () => true);
    assert.deepEqual(Object.keys(macro), Object.keys(first(gnosis.macros, () => true)));
    const col = (first(nodes, (n) => n.name === 'int_execution_tokens_balances_daily').columns as Record<string, Json>).date ?? {};
    const theirCol = Object.values(first(gnosis.nodes, (n) => Object.keys(n.columns as Json).length > 0).columns as Record<string, Json>)[0] ?? {};
    assert.deepEqual(Object.keys(col), Object.keys(theirCol));
  });

  it('writes generic tests with dbt ids, attached nodes and compiled SQL', () => {
    const rel = Object.values(nodes).find((n) => n.name === 'relationships_int_execution_tokens_balances_daily_token_address__address__ref_tokens_whitelist_');
    assert.ok(rel);
    assert.match(String(rel.unique_id), /^test\.gnosis_recovery_example\.relationships_int_execution_tokens_balances_daily_token_address__address__ref_tokens_whitelist_\.[0-9a-f]{10}$/);
    assert.equal(rel.attached_node, M('int_execution_tokens_balances_daily'));
    assert.deepEqual(rel.depends_on.nodes, [`seed.${PKG}.tokens_whitelist`, M('int_execution_tokens_balances_daily')]);
    assert.equal(rel.alias, 'relationships_int_execution_to_' + String(rel.alias).slice(31));
    assert.match(rel.compiled_code, /from `dbt`\.`int_execution_tokens_balances_daily`\n[\s\S]*from `dbt`\.`tokens_whitelist`\n[\s\S]*settings join_use_nulls = 1/);
    const src = Object.values(nodes).find((n) => n.name === 'source_not_null_dune_prices_block_date');
    assert.ok(src);
    assert.equal(src.attached_node, null);
    assert.deepEqual(src.depends_on.nodes, [`source.${PKG}.dune.prices`]);
    assert.equal(src.compiled_code, '\n    \n    \n\n\n\nselect block_date\nfrom `dune`.`prices`\nwhere block_date is null\n\n\n');
    assert.deepEqual(model('int_consensus_blocks_daily').primary_key, ['date']);
  });
});
