import { strict as assert } from 'node:assert';
import { hookSettings, parseSetStatements } from '../../../../src/core/lint/source/analysis';
import { parseModelSource } from '../../../../src/core/lint/source/parseModelSource';
import type { ConfigValue } from '../../../../src/core/lint/source/types';
import { exampleManifestModels, exampleModel, exampleModelPaths, gnosisModels, type CorpusModel } from './corpus';

/** The kwargs of each example model's config(), in order, as read from the files by hand. */
const EXAMPLE_KWARGS: Record<string, string> = {
  'consensus/intermediate/int_consensus_blocks_daily.sql': 'materialized incremental_strategy event_time batch_size lookback begin engine order_by unique_key partition_by full_refresh tags',
  'consensus/intermediate/int_consensus_validators_status_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'consensus/marts/api_consensus_validators_status_daily.sql': 'materialized tags',
  'consensus/staging/stg_consensus__validators.sql': 'materialized tags',
  'execution/gpay/intermediate/int_execution_gpay_activity.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/gpay/intermediate/int_execution_gpay_payments_by_token_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'execution/gpay/marts/api_execution_gpay_volume_payments_by_token_daily.sql': 'materialized tags',
  'execution/gpay/marts/fct_execution_gpay_volume_payments_by_token_daily.sql': 'materialized engine order_by tags',
  'execution/pools/intermediate/int_execution_pools_fees_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/pools/intermediate/int_execution_pools_tvl_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'execution/pools/marts/api_execution_pools_tvl_daily.sql': 'materialized tags',
  'execution/prices/int_execution_token_prices_daily.sql': 'materialized tags',
  'execution/staging/stg_execution__balance_diffs.sql': 'materialized tags',
  'execution/staging/stg_execution__transfers.sql': 'materialized tags',
  'execution/tokens/intermediate/int_execution_account_balance_history_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/tokens/intermediate/int_execution_tokens_active_holders_monthly.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'execution/tokens/intermediate/int_execution_tokens_balance_cohorts_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'execution/tokens/intermediate/int_execution_tokens_balances_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'execution/tokens/marts/api_execution_account_balance_history_daily.sql': 'materialized tags',
  'execution/tokens/marts/api_execution_tokens_active_holders_monthly.sql': 'materialized tags',
  'execution/tokens/marts/api_execution_tokens_balances_by_sector_daily.sql': 'materialized tags',
  'execution/tokens/marts/api_execution_tokens_holders_daily.sql': 'materialized tags',
  'execution/tokens/marts/api_execution_tokens_supply_daily.sql': 'materialized tags',
  'execution/tokens/marts/fct_execution_tokens_metrics_daily.sql': 'materialized engine order_by tags',
  'execution/transfers/intermediate/int_execution_transfers_usd_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings tags',
  'execution/transfers/intermediate/int_execution_transfers_whitelisted_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'execution/transfers/marts/api_execution_transfers_usd_daily.sql': 'materialized tags',
  'p2p/intermediate/int_p2p_discv5_clients_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'p2p/marts/api_p2p_clients_daily.sql': 'materialized tags',
  'revenue/intermediate/int_revenue_fees_unified_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh tags',
  'revenue/intermediate/int_revenue_gpay_fees_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'revenue/intermediate/int_revenue_holdings_fees_daily.sql': 'materialized incremental_strategy engine order_by unique_key partition_by settings full_refresh pre_hook post_hook tags',
  'revenue/marts/api_revenue_fees_daily.sql': 'materialized tags',
  'revenue/marts/fct_revenue_fees_daily.sql': 'materialized engine order_by tags',
};

/** The literal's plain value (null for what rendering would decide). */
function plain(v: ConfigValue): unknown {
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
      return v.items.map(plain);
    case 'dict':
      return Object.fromEntries(v.entries.map((e) => [e.key, plain(e.value)]));
    default:
      return undefined;
  }
}
const hasUnknown = (x: unknown): boolean => x === undefined || (typeof x === 'object' && x !== null && Object.values(x).some(hasUnknown));

/**
 * Compares every source kwarg whose value is a literal with the manifest's rendered config: tags by inclusion
 * (dbt adds the project's +tags), hooks by their SQL, the rest by equality. Returns the count per kwarg.
 */
function compareWithManifest(models: CorpusModel[]): { compared: Record<string, number>; mismatches: string[]; unreadable: Record<string, number> } {
  const compared: Record<string, number> = {};
  const unreadable: Record<string, number> = {};
  const mismatches: string[] = [];
  for (const m of models) {
    for (const k of parseModelSource(m.rawCode).config?.kwargs ?? []) {
      const key = k.name.endsWith('_hook') ? k.name.replace('_', '-') : k.name;
      const want = m.config[key];
      let ok: boolean;
      if (key.endsWith('-hook')) {
        const hooks = want as Array<{ sql: string }>;
        const got = plain(k.value);
        if (hasUnknown(got)) {
          // A macro call: the manifest has its rendered SQL; the SET statements must be the macro's.
          unreadable[k.name] = (unreadable[k.name] ?? 0) + 1;
          continue;
        }
        ok = JSON.stringify(Array.isArray(got) ? got : [got]) === JSON.stringify(hooks.map((h) => h.sql));
      } else {
        const got = plain(k.value);
        if (hasUnknown(got)) {
          unreadable[k.name] = (unreadable[k.name] ?? 0) + 1;
          continue;
        }
        ok = k.name === 'tags' ? (got as string[]).every((t) => (want as string[]).includes(t)) : JSON.stringify(got) === JSON.stringify(want);
      }
      compared[k.name] = (compared[k.name] ?? 0) + 1;
      if (!ok) mismatches.push(`${m.name}.${k.name}: source ${k.valueText}, manifest ${JSON.stringify(want)}`);
    }
  }
  return { compared, mismatches, unreadable };
}

describe('parseModelSource on examples/price-gap', () => {
  const paths = exampleModelPaths();

  it('reads every example model without problems, with the kwargs the file has', () => {
    assert.deepEqual(paths, Object.keys(EXAMPLE_KWARGS).sort());
    for (const p of paths) {
      const src = parseModelSource(exampleModel(p));
      assert.deepEqual(src.problems, [], p);
      assert.equal(src.config?.kwargs.map((k) => k.name).join(' '), EXAMPLE_KWARGS[p], p);
    }
  });

  it("agrees with the example's manifest on every literal kwarg", () => {
    const { compared, mismatches, unreadable } = compareWithManifest(exampleManifestModels());
    assert.deepEqual(mismatches, []);
    assert.deepEqual(compared, {
      materialized: 36, incremental_strategy: 10, event_time: 1, batch_size: 1, lookback: 1, begin: 1, engine: 21,
      order_by: 21, unique_key: 18, partition_by: 18, full_refresh: 17, tags: 36, settings: 17,
    });
    // The three-branch strategies and the hook macro calls are rendered by dbt.
    assert.deepEqual(unreadable, { incremental_strategy: 8, pre_hook: 8, post_hook: 8 });
  });

  it("reads the refill hook macros' SET statements as the manifest renders them", () => {
    const node = exampleManifestModels().find((m) => m.name === 'int_execution_tokens_balances_daily');
    assert.ok(node);
    const src = parseModelSource(node.rawCode);
    assert.deepEqual(hookSettings(src.kwarg('pre_hook')?.value ?? { kind: 'none' }).macros, ['refill_safe_pre_hook']);
    const rendered = (node.config['pre-hook'] as Array<{ sql: string }>).flatMap((h) => parseSetStatements(h.sql));
    assert.deepEqual(rendered.map((s) => s.setting), ['max_memory_usage', 'max_bytes_before_external_group_by', 'max_bytes_before_external_sort', 'join_algorithm']);
  });
});

describe('parseModelSource on the Gnosis dbt-cerebro models (241, real ClickHouse)', () => {
  const models = gnosisModels();

  it('reads all 241 without a problem; all but one have a config()', () => {
    assert.equal(models.length, 241);
    const problems = models.flatMap((m) => parseModelSource(m.rawCode).problems.map((p) => `${m.name}: ${p}`));
    assert.deepEqual(problems, []);
    assert.deepEqual(models.filter((m) => parseModelSource(m.rawCode).config === null).map((m) => m.name), ['fct_p2p_discv5_forks_daily']);
  });

  it("agrees with the manifest's config on every literal kwarg of every model", () => {
    const { compared, mismatches, unreadable } = compareWithManifest(models);
    assert.deepEqual(mismatches, []);
    assert.deepEqual(compared, {
      materialized: 238, tags: 240, incremental_strategy: 78, unique_key: 80, partition_by: 84, order_by: 89,
      settings: 55, engine: 83, pre_hook: 45, on_cluster: 1,
    });
    assert.deepEqual(unreadable, {});
  });
});
