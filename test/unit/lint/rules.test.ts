import { strict as assert } from 'node:assert';
import type { Finding } from '../../../src/core/lint/types';
import { fileOf, harness, idOf, READY_BODY, READY_CONFIG, READY_RENDERED, runResultsOf, type TestModel } from './lintHarness';

const TAGS = ['production', 'refill_append'];
const ready = (name: string, over: Partial<TestModel> = {}): TestModel => ({
  name,
  sql: READY_CONFIG + '\n' + READY_BODY,
  config: READY_RENDERED,
  tags: TAGS,
  ...over,
});
const ids = (findings: Finding[]): string[] => findings.map((f) => `${f.file.replace(/^models\/|\.sql$/g, '')} ${f.ruleId}`);
const textAt = (text: string, f: Finding): string => {
  const lines = text.split('\n');
  if (f.range.start.line !== f.range.end.line) return lines.slice(f.range.start.line, f.range.end.line + 1).join('\n');
  return lines[f.range.start.line]!.slice(f.range.start.character, f.range.end.character);
};

describe('lint rules', () => {
  it('a refill-ready model has no findings', () => {
    assert.deepEqual(ids(harness([ready('supply')]).lint()), []);
  });

  describe('refill-append-hooks', () => {
    const withHooks = (pre: string, post: string): string =>
      READY_CONFIG.replace('pre_hook=refill_safe_pre_hook()', `pre_hook=${pre}`).replace('post_hook=refill_safe_post_hook()', `post_hook=${post}`) + READY_BODY;

    it('accepts SET statements that establish and reset every required setting, in the source', () => {
      const sql = withHooks(
        `["SET max_memory_usage = 8589934592", "SET max_bytes_before_external_group_by = 2147483648, max_bytes_before_external_sort = 2147483648", "SET join_algorithm = 'grace_hash'"]`,
        `["SET max_memory_usage = 0", "SET max_bytes_before_external_group_by = 0", "SET max_bytes_before_external_sort = 0", "SET join_algorithm = 'default'"]`,
      );
      assert.deepEqual(ids(harness([ready('supply', { sql })]).lint()), []);
    });

    it('names the settings the pre-hook misses and the post-hook does not reset, at the pre_hook kwarg', () => {
      const sql = withHooks(`["SET max_memory_usage = 8589934592", "SET max_bytes_before_external_group_by = 2147483648"]`, `["SET max_memory_usage = 0"]`);
      const [f, ...rest] = harness([ready('supply', { sql, config: { ...READY_RENDERED, 'pre-hook': [], 'post-hook': [] } })]).lint();
      assert.deepEqual(rest, []);
      assert.equal(f!.ruleId, 'refill-append-hooks');
      assert.equal(
        f!.message,
        '`supply` is tagged refill_append but its pre-hook does not set max_bytes_before_external_sort, join_algorithm, and ' +
          'its post-hook does not reset max_bytes_before_external_group_by, max_bytes_before_external_sort, join_algorithm: ' +
          'its month rewrite can fail with Code: 241 (MEMORY_LIMIT_EXCEEDED). Use pre_hook=refill_safe_pre_hook(), ' +
          'post_hook=refill_safe_post_hook(), or SET every one of max_memory_usage, max_bytes_before_external_group_by, ' +
          'max_bytes_before_external_sort, join_algorithm.',
      );
      assert.match(textAt(sql, f!), /^pre_hook=\["SET max_memory_usage/);
      assert.equal(f!.fix?.kind, 'add-hooks');
    });

    it('reads the SET statements another macro renders into the manifest\'s hooks, while that kwarg is unchanged', () => {
      const sql = withHooks('spill_to_disk()', 'reset_spill()');
      const model = ready('supply', { sql });
      assert.deepEqual(ids(harness([model]).lint()), [], 'the rendered hooks set and reset all four');
      // The rendered pre-hook misses join_algorithm: named.
      const partial = { ...READY_RENDERED, 'pre-hook': (READY_RENDERED['pre-hook'] as unknown[]).slice(0, 3) };
      const [f] = harness([{ ...model, config: partial }]).lint();
      assert.match(f!.message, /its pre-hook does not set join_algorithm:/);
      // Edited since the parse (another macro): the manifest's rendering is of the old call, so it does not count.
      const edited = harness([{ ...model, sql: withHooks('other_hooks()', 'reset_spill()'), parsedFrom: sql }]).lint();
      assert.deepEqual(ids(edited), ['supply refill-append-hooks']);
      assert.match(edited[0]!.message, /its pre-hook does not set max_memory_usage, max_bytes_before_external_group_by, max_bytes_before_external_sort, join_algorithm:/);
    });

    it('says when only the post-hook is missing, at the config() call, and why that matters', () => {
      const sql = READY_CONFIG.replace('        post_hook=refill_safe_post_hook(),\n', '') + READY_BODY;
      const [f] = harness([ready('supply', { sql, config: { ...READY_RENDERED, 'post-hook': [] } })]).lint();
      assert.match(f!.message, /but it has no post-hook to reset max_memory_usage, .*: the next model on the same connection runs with its memory caps\./);
      assert.match(textAt(sql, f!), /^pre_hook=refill_safe_pre_hook\(\)/);
    });
  });

  describe('refill-append-strategy', () => {
    it('accepts the expression in any spacing and var order, and reports a literal or a missing kwarg', () => {
      const swapped = READY_CONFIG.replace(
        /incremental_strategy=.*\n/,
        `incremental_strategy=(\n            'append'\n            if (var("incremental_end_date", None) or var("start_month", None))\n            else 'delete+insert'\n        ),\n`,
      );
      assert.deepEqual(ids(harness([ready('a', { sql: swapped + READY_BODY })]).lint()), []);
      const missing = READY_CONFIG.replace(/ {8}incremental_strategy=.*\n/, '') + READY_BODY;
      const [f] = harness([ready('b', { sql: missing })]).lint();
      assert.equal(f!.ruleId, 'refill-append-strategy');
      assert.match(f!.message, /^`b` is tagged refill_append but its config\(\) sets no incremental_strategy \(the project's is 'delete\+insert'\), not the three-branch expression/);
      assert.match(textAt(missing, f!).trimStart(), /^config\(/);
    });

    it('leaves a model known not to be incremental to refill-append-engine', () => {
      const sql = READY_CONFIG.replace("materialized='incremental'", "materialized='table'") + READY_BODY;
      const findings = harness([ready('t', { sql, config: { ...READY_RENDERED, materialized: 'table' } })]).lint();
      assert.deepEqual(ids(findings), ['t refill-append-engine']);
      assert.match(findings[0]!.message, /it is materialized as table, not incremental/);
    });
  });

  describe('refill-append-engine', () => {
    const engineModel = (replacements: Array<[string | RegExp, string]>, rendered: Record<string, unknown>): TestModel => {
      let sql = READY_CONFIG;
      for (const [a, b] of replacements) sql = sql.replace(a, b);
      return ready('e', { sql: sql + READY_BODY, config: { ...READY_RENDERED, ...rendered } });
    };

    it('accepts the ReplacingMergeTree family and toYYYYMM partitions', () => {
      for (const engine of ['ReplicatedReplacingMergeTree(\'/clickhouse/{shard}/e\', \'{replica}\', version)', 'SharedReplacingMergeTree', 'ReplacingMergeTree(updated_at)']) {
        const m = engineModel([["engine='ReplacingMergeTree()'", `engine="${engine}"`], ["partition_by='toStartOfMonth(date)'", "partition_by='toYYYYMM(date)'"]], {});
        assert.deepEqual(ids(harness([m]).lint()), [], engine);
      }
    });

    it('names every failing part and points at the first one', () => {
      const m = engineModel(
        [["engine='ReplacingMergeTree()'", "engine='MergeTree()'"], ["partition_by='toStartOfMonth(date)'", "partition_by='(toStartOfMonth(date), chain)'"]],
        { engine: 'MergeTree()', partition_by: '(toStartOfMonth(date), chain)' },
      );
      const [f] = harness([m]).lint();
      assert.equal(
        f!.message,
        '`e` is tagged refill_append but OPTIMIZE ... PARTITION ... FINAL DEDUPLICATE cannot deduplicate its month: its ' +
          'engine MergeTree() is not a ReplacingMergeTree, so duplicates are never collapsed; its partition_by ' +
          '(toStartOfMonth(date), chain) is not one month (toStartOfMonth(...) or toYYYYMM(...)), so a month is not one ' +
          'partition. A refill would leave the appended month duplicated.',
      );
      assert.equal(textAt(m.sql, f!), "engine='MergeTree()'");
    });

    it('knows dbt-clickhouse\'s default engine and missing keys from the manifest; without one it does not guess', () => {
      const bare = engineModel(
        [[/ {8}engine=.*\n/, ''], [/ {8}order_by=.*\n/, ''], [/ {8}unique_key=.*\n/, ''], [/ {8}partition_by=.*\n/, '']],
        { engine: null, order_by: null, unique_key: null, partition_by: null },
      );
      const [f] = harness([bare]).lint();
      assert.match(f!.message, /it sets no engine \(dbt-clickhouse then creates a MergeTree, which never collapses duplicates\); it has no partition_by, so there is no month partition to OPTIMIZE; it has neither unique_key nor order_by to deduplicate on\./);
      assert.deepEqual(ids(harness([bare], { manifest: null }).lint()), [], 'a .yml or dbt_project.yml may set them');
    });
  });

  describe('refill-append-month-filter', () => {
    it('accepts the branch on var() directly, and reports its absence at the is_incremental() tag', () => {
      const direct = READY_BODY.replace(/\{% set .*\n/g, '').replace('{% if start_month and end_month %}', "{% if var('end_month', none) is not none and var('start_month', none) %}");
      assert.deepEqual(ids(harness([ready('a', { sql: READY_CONFIG + direct })]).lint()), []);
      const bypass = `${READY_CONFIG}
SELECT date, sum(x) AS s FROM {{ ref('b') }}
{% if is_incremental() %}
WHERE date >= (SELECT max(date) FROM {{ this }})
{% endif %}
GROUP BY date
`;
      const [f] = harness([ready('m', { sql: bypass })]).lint();
      assert.equal(f!.ruleId, 'refill-append-month-filter');
      assert.equal(textAt(bypass, f!), '{% if is_incremental() %}');
    });
  });

  describe('heavy-model-untagged', () => {
    const light = (name: string, body: string, strategy = 'delete+insert'): TestModel => ({
      name,
      sql: `{{ config(materialized='incremental', incremental_strategy='${strategy}', full_refresh=false, tags=['production']) }}\n${body}`,
      config: { materialized: 'incremental', incremental_strategy: strategy, full_refresh: false },
      tags: ['production'],
    });

    it('fires on a GROUP BY of whole months (expression, alias or ordinal), not on days or a month beside a day', () => {
      const cases: Array<[string, string, boolean]> = [
        ['expr', 'SELECT toStartOfMonth(date), token, count() FROM t GROUP BY toStartOfMonth(date), token', true],
        ['alias', 'SELECT toYYYYMM(block_timestamp) AS ym, count() AS n FROM t GROUP BY ym', true],
        ['ordinal', 'SELECT toStartOfMonth(block_timestamp) AS month, project, count() FROM t GROUP BY 1, 2', true],
        ['day', 'SELECT toStartOfDay(block_timestamp) AS date, count() FROM t GROUP BY 1', false],
        ['day-and-month', 'SELECT date, toStartOfMonth(date) AS month, count() FROM t GROUP BY date, month', false],
        ['no-group', 'SELECT toStartOfMonth(date) AS month FROM t', false],
        ['in-comment', '-- GROUP BY toStartOfMonth(date)\nSELECT date, count() FROM t GROUP BY date', false],
      ];
      for (const [name, body, heavy] of cases) {
        const found = harness([light(name, body)]).lint().filter((f) => f.ruleId === 'heavy-model-untagged');
        assert.equal(found.length, heavy ? 1 : 0, `${name}: ${found[0]?.message ?? 'no finding'}`);
      }
      const [ordinal] = harness([light('o', cases[2]![1])]).lint();
      assert.match(ordinal!.message, /^`o` looks heavy \(GROUP BY 1, 2 \(groups whole months of toStartOfMonth\(block_timestamp\)\)\) but is not tagged refill_append:/);
    });

    it('fires on delete+insert over a multi-day lookback of an aggregation, not on a one-day one or an append', () => {
      const body = (days: string): string => `SELECT date, sum(v) AS v FROM t {{ apply_monthly_incremental_filter('date', 'date', lookback_days=${days}) }} GROUP BY date`;
      const [f] = harness([light('wide', body('7'))]).lint();
      assert.match(f!.message, /^`wide` looks heavy \(delete\+insert over a 7-day lookback\)/);
      assert.deepEqual(ids(harness([light('narrow', body('1'))]).lint()), []);
      assert.deepEqual(ids(harness([light('append', body('7'), 'append')]).lint()), []);
      const interval = 'SELECT date, sum(v) AS v FROM t\n{% if is_incremental() %}\nWHERE date >= (SELECT max(date) FROM {{ this }}) - INTERVAL 3 DAY\n{% endif %}\nGROUP BY date';
      assert.match(harness([light('interval', interval)]).lint()[0]!.message, /delete\+insert over a 3-day lookback/);
    });

    it('fires on a slow last run or a memory error in run_results.json, naming it', () => {
      const m = light('slow', 'SELECT date, count() FROM t GROUP BY date');
      const slow = harness([m], { runResults: runResultsOf([{ name: 'slow', seconds: 412.3 }]) }).lint();
      assert.match(slow[0]!.message, /^`slow` looks heavy \(its last run took 412 s \(heavy from 300 s\)\)/);
      const oom = harness([m], { runResults: runResultsOf([{ name: 'slow', seconds: 12, status: 'error', message: 'Code: 241. DB::Exception: Memory limit (total) exceeded (MEMORY_LIMIT_EXCEEDED)' }]) }).lint();
      assert.match(oom[0]!.message, /^`slow` looks heavy \(its last run failed with Code: 241 \(MEMORY_LIMIT_EXCEEDED\)\)/);
      const poisoned = harness([m], { runResults: runResultsOf([{ name: 'slow', seconds: 1, status: 'error', message: 'Code: 341. DB::Exception: table dbt.__dbt_new_data_1 does not exist (UNFINISHED)' }]) }).lint();
      assert.match(poisoned[0]!.message, /its last run failed with Code: 341 \(mutation failed\), a poisoned mutation/);
      assert.deepEqual(ids(harness([m], { runResults: runResultsOf([{ name: 'slow', seconds: 299 }]) }).lint()), []);
    });

    it('leaves views, tables, microbatch models and the cohort alone', () => {
      const body = 'SELECT date, uniqExact(address) AS n FROM t GROUP BY date';
      const table: TestModel = { name: 'tbl', sql: `{{ config(materialized='table') }}\n${body}`, config: { materialized: 'table' } };
      const micro = light('micro', body, 'microbatch');
      assert.deepEqual(ids(harness([table]).lint()), []);
      assert.deepEqual(ids(harness([micro]).lint()).filter((x) => x.endsWith('heavy-model-untagged')), []);
    });
  });

  describe('full-refresh-unprotected', () => {
    const inc = (name: string, extra = ''): TestModel => ({
      name,
      sql: `{{ config(materialized='incremental', incremental_strategy='delete+insert'${extra}) }}\nSELECT 1 AS x`,
      config: { materialized: 'incremental', incremental_strategy: 'delete+insert' },
    });

    it('treats a model with no run as large, a quick last run as small, a slow one as large', () => {
      assert.deepEqual(ids(harness([inc('a')]).lint()), ['a full-refresh-unprotected']);
      const quick = harness([inc('a')], { runResults: runResultsOf([{ name: 'a', seconds: 12 }]) }).lint();
      assert.deepEqual(ids(quick), []);
      const slow = harness([inc('a')], { runResults: runResultsOf([{ name: 'a', seconds: 95 }]) }).lint();
      assert.match(slow[0]!.message, /^`a` is an incremental model \(last run 95 s\) that has no full_refresh=false:/);
      const unrun = harness([inc('a')], { runResults: runResultsOf([{ name: 'other', seconds: 1 }]) }).lint();
      assert.match(unrun[0]!.message, /\(no run of it in run_results\.json, so its size is unknown\)/);
    });

    it('does not judge a model without full_refresh in config() when there is no manifest (dbt_project.yml may set it)', () => {
      assert.deepEqual(ids(harness([inc('a')], { manifest: null }).lint()), []);
      assert.deepEqual(ids(harness([inc('a', ', full_refresh=true')], { manifest: null }).lint()), ['a full-refresh-unprotected']);
    });

    it('points at full_refresh=true when the model sets it, and accepts false', () => {
      const m = inc('t', ', full_refresh=true');
      const [f] = harness([m]).lint();
      assert.match(f!.message, /that sets full_refresh=true:/);
      assert.equal(textAt(m.sql, f!), 'full_refresh=true');
      assert.deepEqual(ids(harness([inc('f', ', full_refresh=false')]).lint()), []);
    });
  });

  describe('microbatch-config', () => {
    const micro = (kwargs: string, refs: string, dependsOn: string[]): TestModel => ({
      name: 'mb',
      sql: `{{ config(materialized='incremental', incremental_strategy='microbatch'${kwargs}, full_refresh=false) }}\nSELECT * FROM ${refs}`,
      config: { materialized: 'incremental', incremental_strategy: 'microbatch', full_refresh: false },
      dependsOn,
    });
    const upstream: TestModel = { name: 'events', sql: 'SELECT 1', config: { materialized: 'view', event_time: 'ts' } };
    const plain: TestModel = { name: 'plain', sql: 'SELECT 1', config: { materialized: 'view' } };

    it('names the missing keys and a batch_size dbt does not take', () => {
      const [f] = harness([micro(", event_time='ts', batch_size='week'", "{{ ref('events') }}", [idOf('events')]), upstream]).lint();
      assert.equal(
        f!.message,
        "`mb` is a microbatch model without begin and with batch_size 'week' (dbt takes hour, day, month, year): dbt needs " +
          'event_time, batch_size and begin to plan its batches, and refuses the model without them. Add them to config().',
      );
    });

    it('reports each upstream model or source without event_time at its ref()/source(), not seeds or .render() reads', () => {
      const m = micro(
        ", event_time='ts', batch_size='day', begin='2024-01-01'",
        "{{ ref('events') }} JOIN {{ ref('plain') }} USING (k) JOIN {{ source('raw', 'validators') }} USING (k) JOIN {{ source('raw', 'blocks') }} USING (k) JOIN {{ ref('lookup') }} USING (k) JOIN {{ ref('dims').render() }} USING (k)",
        [idOf('events'), idOf('plain'), 'source.shop.raw.validators', 'source.shop.raw.blocks', 'seed.shop.lookup', idOf('dims')],
      );
      const dims: TestModel = { name: 'dims', sql: 'SELECT 1', config: { materialized: 'table' } };
      const findings = harness([m, upstream, plain, dims], { sources: [{ source: 'raw', table: 'validators' }, { source: 'raw', table: 'blocks', eventTime: 'slot_timestamp' }], seeds: ['lookup'] }).lint();
      assert.deepEqual(findings.map((f) => textAt(m.sql, f)), ["ref('plain')", "source('raw', 'validators')"]);
      assert.match(findings[0]!.message, /reads the model plain, which declares no event_time: .* Set event_time in its config\(\)/);
      assert.match(findings[1]!.message, /reads the source raw\.validators, which declares no event_time: .* Set event_time under the source table's config: in its \.yml/);
    });
  });

  it('price-lookback-ignored: a consumer with no incremental filter at all, and not the cohort or a view', () => {
    const prices: TestModel = { name: 'int_execution_token_prices_daily', sql: "{{ config(materialized='view') }}\nSELECT 1", config: { materialized: 'view' } };
    const noFilter: TestModel = {
      name: 'usd',
      sql: "{{ config(materialized='incremental', incremental_strategy='delete+insert', full_refresh=false) }}\nSELECT * FROM {{ ref('int_execution_token_prices_daily') }}",
      config: { materialized: 'incremental', incremental_strategy: 'delete+insert', full_refresh: false },
      dependsOn: [idOf('int_execution_token_prices_daily')],
    };
    const view: TestModel = { ...noFilter, name: 'usd_view', sql: "{{ config(materialized='view') }}\nSELECT 1", config: { materialized: 'view' } };
    const findings = harness([prices, noFilter, view, ready('cohort', { dependsOn: [idOf('usd')] })]).lint();
    assert.deepEqual(ids(findings), ['usd price-lookback-ignored']);
    assert.match(findings[0]!.message, /^`usd` reads `int_execution_token_prices_daily` but it has no incremental filter through apply_monthly_incremental_filter:/);
    assert.equal(findings[0]!.file, fileOf('usd'));
  });
});

describe('rule: disable-directive, and {# dbt-recovery-disable #} comments', () => {
  const heavy = (name: string, directive: string): TestModel => ({
    name,
    sql: `${directive}{{ config(materialized='incremental', incremental_strategy='delete+insert', full_refresh=false, tags=['production']) }}\nSELECT date, uniqExact(address) AS n FROM t GROUP BY date`,
    config: { materialized: 'incremental', incremental_strategy: 'delete+insert', full_refresh: false },
    tags: ['production'],
  });

  it('turns the named rules off for that model only, with ids by comma or space and a reason after --', () => {
    assert.deepEqual(ids(harness([heavy('plain', '')]).lint()), ['plain heavy-model-untagged']);
    const off = heavy('off', '{# dbt-recovery-disable heavy-model-untagged -- 40k rows a month, measured 2026-11 #}\n');
    assert.deepEqual(ids(harness([off, heavy('other', '')]).lint()), ['other heavy-model-untagged']);
    const two = heavy('two', '{#- dbt-recovery-disable full-refresh-unprotected, heavy-model-untagged -#}\n');
    assert.deepEqual(ids(harness([two]).lint()), []);
    const spaced = heavy('spaced', '{# dbt-recovery-disable\n   full-refresh-unprotected heavy-model-untagged #}\n');
    assert.deepEqual(ids(harness([spaced]).lint()), []);
  });

  it('a name that is not a rule turns nothing off and is reported on the name, with the nearest rule', () => {
    const text = '{# dbt-recovery-disable heavy-model-untaged -- typo #}\n';
    const typo = heavy('typo', text);
    const findings = harness([typo]).lint();
    assert.deepEqual(ids(findings), ['typo disable-directive', 'typo heavy-model-untagged']);
    const f = findings[0]!;
    assert.equal(f.severity, 'warning');
    assert.equal(textAt(typo.sql, f), 'heavy-model-untaged');
    assert.equal(f.message, 'dbt-recovery-disable names `heavy-model-untaged`, which is not a rule, so it turns nothing off. Did you mean `heavy-model-untagged`? The rules are listed in docs/rules/README.md.');
    const far = harness([heavy('far', '{# dbt-recovery-disable everything #}\n')]).lint()[0]!;
    assert.match(far.message, /names `everything`, which is not a rule, so it turns nothing off\. The rules/);
  });

  it('is turned off like any rule, by its severity', () => {
    const typo = heavy('t', '{# dbt-recovery-disable nope #}\n');
    assert.deepEqual(ids(harness([typo], { profile: { rules: { 'disable-directive': 'off' } } as never }).lint()), ['t heavy-model-untagged']);
  });
});
