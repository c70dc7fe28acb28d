import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/linter';
import { parseRecoveryProfile } from '../../../src/core/lint/profile/loadRecoveryProfile';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';
import type { Finding } from '../../../src/core/lint/types';
import { loadManifest, readProject } from '../../../src/core/manifest';
import { fileOf, harness, idOf, READY_BODY, READY_CONFIG, READY_RENDERED, runResultsOf, type TestModel } from './lintHarness';

const EXAMPLE = path.resolve(__dirname, '../../../examples/price-gap');
const read = (file: string): string | null => {
  try {
    return readFileSync(path.join(EXAMPLE, file), 'utf8');
  } catch {
    return null;
  }
};
const ids = (findings: Finding[]): string[] => findings.map((f) => `${path.posix.basename(f.file)} ${f.ruleId}`);

function exampleLinter(profile = DEFAULT_PROFILE, withManifest = true): Linter {
  const project = readProject(EXAMPLE);
  return new Linter({ project, manifest: withManifest ? loadManifest(project.manifestPath) : null, profile, readFile: read });
}

describe('Linter', () => {
  describe('without a manifest', () => {
    it('runs the source rules on every model file, with null unique ids, and asks for `dbt parse`', () => {
      const linter = exampleLinter(DEFAULT_PROFILE, false);
      const findings = linter.lintProject(read);
      assert.equal(linter.needsParse, true);
      assert.deepEqual(linter.notices.map((n) => n.code), ['no-manifest']);
      assert.match(linter.notices[0]!.message, /run `dbt parse`/);
      assert.equal(linter.lintedFiles, 36);
      // The deliberate findings that need nothing but the model's own source. Not: price-lookback-ignored and
      // microbatch-config's upstream check (they need the graph), and full-refresh-unprotected, because without the
      // manifest a folder's `+full_refresh: false` in dbt_project.yml cannot be seen.
      assert.deepEqual(ids(findings), [
        'int_execution_account_balance_history_daily.sql refill-append-strategy',
        'int_execution_tokens_active_holders_monthly.sql heavy-model-untagged',
        'int_execution_tokens_balances_by_sector_daily.sql refill-append-hooks',
        'int_revenue_gpay_fees_daily.sql refill-append-month-filter',
      ]);
      for (const f of findings) assert.equal(f.uniqueId, null);
      assert.deepEqual(linter.modelInfo('models/p2p/marts/api_p2p_clients_daily.sql'), {
        uniqueId: null, name: 'api_p2p_clients_daily', file: 'models/p2p/marts/api_p2p_clients_daily.sql', roles: [], upstream: 0, downstream: 0, lastRun: null,
      });
    });

    it('does not guess what a .yml or dbt_project.yml might set: a model without materialized= in config() is not judged', () => {
      const h = harness([{ name: 'x', sql: 'SELECT uniqExact(a) AS n FROM t GROUP BY toStartOfMonth(d)' }], { manifest: null });
      assert.deepEqual(h.lint(), []);
    });
  });

  describe('with a stale manifest (the source edited since `dbt parse`)', () => {
    const SUPPLY = 'models/execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql';
    const TVL = 'models/execution/pools/intermediate/int_execution_pools_tvl_daily.sql';

    it('believes the source for the keys config() sets: a removed full_refresh=false is reported at once', () => {
      const linter = exampleLinter();
      const edited = read(TVL)!.replace('        full_refresh=false,\n', '');
      assert.deepEqual(ids(linter.lintFile(TVL, edited)), ['int_execution_pools_tvl_daily.sql full-refresh-unprotected']);
      assert.deepEqual(linter.lintFile(TVL, read(TVL)!), []);
    });

    it('follows the refill tag as it is added or removed, for the cohort rules and modelInfo', () => {
      const linter = exampleLinter();
      const tagged = read(TVL)!.replace("tags=['production', 'pools']", "tags=['production', 'pools', 'refill_append']");
      assert.deepEqual(ids(linter.lintFile(TVL, tagged)), [
        // In line order: hooks at config() (no hook kwarg), the strategy kwarg, the lookback macro call.
        'int_execution_pools_tvl_daily.sql refill-append-hooks',
        'int_execution_pools_tvl_daily.sql refill-append-strategy',
        'int_execution_pools_tvl_daily.sql refill-append-month-filter',
      ]);
      assert.deepEqual(linter.modelInfo(TVL)?.roles, ['refill-cohort', 'price-lineage']);
      const untagged = read(SUPPLY)!.replace(", 'refill_append']", ']');
      // Without the tag the model is an ordinary price consumer: it filters through the macro, and it is not heavy.
      assert.deepEqual(linter.lintFile(SUPPLY, untagged), []);
      assert.deepEqual(linter.modelInfo(SUPPLY)?.roles, ['price-lineage', 'downstream-of-cohort']);
    });

    it('lints a .sql file the manifest does not know yet with the source rules and a null unique id', () => {
      const linter = exampleLinter();
      const text = "{{ config(materialized='incremental', incremental_strategy='delete+insert', tags=['refill_append']) }}\nSELECT 1 AS x";
      const findings = linter.lintFile(path.join(EXAMPLE, 'models/new_model.sql'), text);
      assert.deepEqual(ids(findings), [
        // Two at config() (rule order on the same position), then the strategy kwarg further along the line. Not
        // full-refresh-unprotected: the manifest cannot say yet whether dbt_project.yml protects the folder.
        'new_model.sql refill-append-hooks',
        'new_model.sql refill-append-month-filter',
        'new_model.sql refill-append-strategy',
      ]);
      for (const f of findings) {
        assert.equal(f.uniqueId, null);
        assert.equal(f.file, 'models/new_model.sql');
      }
      assert.deepEqual(linter.lintFile('macros/not_a_model.sql', text), [], 'outside the model paths');
      assert.deepEqual(linter.lintFile('models/README.md', text), []);
    });
  });

  it('skips disabled models, files of disabled nodes and manifest models whose file is missing', () => {
    const models: TestModel[] = [
      { name: 'off', sql: "{{ config(enabled=false, materialized='incremental') }}\nSELECT 1", unparsed: true },
      { name: 'gone', sql: "{{ config(materialized='incremental') }}\nSELECT 1", config: { materialized: 'incremental' } },
      { name: 'on', sql: "{{ config(materialized='incremental') }}\nSELECT 1", config: { materialized: 'incremental' } },
    ];
    const h = harness(models);
    h.files.delete(fileOf('gone'));
    assert.deepEqual(ids(h.lint()), ['on.sql full-refresh-unprotected']);
    assert.equal(h.linter.lintedFiles, 1);
  });

  describe('profile', () => {
    it('drops findings of rules set to off and uses the configured severities', () => {
      const profile = { ...DEFAULT_PROFILE, rules: { 'full-refresh-unprotected': 'off', 'refill-append-strategy': 'hint', 'heavy-model-untagged': 'error' } as const };
      const findings = exampleLinter(profile).lintProject(read);
      assert.equal(findings.some((f) => f.ruleId === 'full-refresh-unprotected'), false);
      assert.equal(findings.find((f) => f.ruleId === 'refill-append-strategy')?.severity, 'hint');
      assert.equal(findings.find((f) => f.ruleId === 'heavy-model-untagged')?.severity, 'error');
      assert.equal(findings.find((f) => f.ruleId === 'microbatch-config')?.severity, 'warning');
      assert.equal(findings.length, 6);
    });

    it('follows a project\'s own conventions from dbt-recovery.yml: tag, macros, settings, vars, price root', () => {
      const { profile, problems } = parseRecoveryProfile(
        [
          'refill_tag: heavy_refill',
          'hooks:',
          '  pre_hook_macro: spill_on',
          '  post_hook_macro: spill_off',
          '  required_settings: [max_memory_usage]',
          'vars:',
          '  start_month: month_from',
          '  end_month: month_to',
          '  incremental_end_date: run_until',
          'price_root: prices',
          'lookback_macro: lookback_filter',
          'default_strategy: append',
        ].join('\n'),
        'dbt-recovery.yml',
      );
      assert.deepEqual(problems, []);
      const sql = `{{ config(
    materialized='incremental',
    incremental_strategy=('append' if (var('month_from', none) or var('run_until', none)) else 'append'),
    engine='ReplacingMergeTree()', order_by='(date)', partition_by='toYYYYMM(date)', full_refresh=false,
    pre_hook=spill_on(), post_hook=["SET max_memory_usage = 0"],
    tags=['heavy_refill']
) }}
SELECT date, sum(v) AS v FROM {{ ref('prices') }}
{% if var('month_from', none) and var('month_to', none) %} WHERE toYYYYMM(date) >= 1 {% else %} {{ lookback_filter('date') }} {% endif %}
GROUP BY date`;
      const prices: TestModel = { name: 'prices', sql: "{{ config(materialized='view') }} SELECT 1", config: { materialized: 'view' } };
      const consumer: TestModel = {
        name: 'consumer',
        sql: "{{ config(materialized='incremental', incremental_strategy='delete+insert', full_refresh=false) }}\nSELECT * FROM {{ ref('prices') }} {{ apply_monthly_incremental_filter('date') }}",
        config: { materialized: 'incremental', incremental_strategy: 'delete+insert', full_refresh: false },
        dependsOn: [idOf('prices')],
      };
      const model: TestModel = { name: 'm', sql, config: { ...READY_RENDERED, incremental_strategy: 'append', partition_by: 'toYYYYMM(date)', 'pre-hook': [], 'post-hook': [] }, tags: ['heavy_refill'], dependsOn: [idOf('prices')] };
      const findings = harness([prices, model, consumer], { profile }).lint();
      assert.deepEqual(ids(findings), ['consumer.sql price-lookback-ignored']);
      assert.match(findings[0]!.message, /does not call lookback_filter|through lookback_filter/);
    });
  });

  describe('config in a properties .yml', () => {
    const yml = [
      'version: 2',
      'models:',
      '  - name: other',
      '    description: x',
      '  - name: events_daily',
      '    description: Daily events.',
      '    config:',
      '      materialized: incremental',
      '      full_refresh: true',
      '      tags: [events]',
      '',
    ].join('\n');
    const model: TestModel = {
      name: 'events_daily',
      sql: 'SELECT date, count() AS n FROM {{ ref(\'events\') }} GROUP BY date',
      config: { materialized: 'incremental', incremental_strategy: 'delete+insert', full_refresh: true },
      tags: ['events'],
      yml: 'models/schema.yml',
    };

    it('points a finding about a key set in the .yml at that key, in the .yml', () => {
      const h = harness([model], { ymls: { 'models/schema.yml': yml } });
      const [f, ...rest] = h.lint();
      assert.deepEqual(rest, []);
      assert.equal(f!.ruleId, 'full-refresh-unprotected');
      assert.equal(f!.file, 'models/schema.yml');
      assert.deepEqual(f!.range, { start: { line: 8, character: 6 }, end: { line: 8, character: 24 } });
      assert.equal(f!.uniqueId, idOf('events_daily'));
      // The fix still edits the model: full_refresh=false in config() wins over the .yml.
      assert.equal(f!.fix?.changes[0]?.file, fileOf('events_daily'));
    });

    it('lintFile on the .yml gives the findings of the models it configures that point into it', () => {
      const h = harness([model], { ymls: { 'models/schema.yml': yml } });
      const findings = h.linter.lintFile('models/schema.yml', yml.replace('      full_refresh: true\n', '      # no protection\n      full_refresh: true\n'));
      assert.deepEqual(findings.map((f) => [f.file, f.range.start.line]), [['models/schema.yml', 9]]);
      assert.deepEqual(h.linter.lintFile('models/unrelated.yml', yml), []);
    });

    it('points at the model\'s name in the .yml when the .sql has no config() and the key is not in the .yml', () => {
      const noKey = yml.replace('      full_refresh: true\n', '');
      const h = harness([{ ...model, config: { materialized: 'incremental', incremental_strategy: 'delete+insert' } }], { ymls: { 'models/schema.yml': noKey } });
      const [f] = h.lint();
      assert.equal(f!.file, 'models/schema.yml');
      assert.deepEqual(f!.range, { start: { line: 4, character: 10 }, end: { line: 4, character: 22 } });
    });
  });

  it('modelInfo reports the last run from run_results.json and transitive model counts', () => {
    const models: TestModel[] = [
      { name: 'a', sql: 'SELECT 1', config: { materialized: 'view' } },
      { name: 'b', sql: READY_CONFIG + READY_BODY, config: READY_RENDERED, tags: ['refill_append'], dependsOn: [idOf('a')] },
      { name: 'c', sql: 'SELECT 1', config: { materialized: 'view' }, dependsOn: [idOf('b')] },
      { name: 'd', sql: 'SELECT 1', config: { materialized: 'view' }, dependsOn: [idOf('c')] },
    ];
    const h = harness(models, { runResults: runResultsOf([{ name: 'b', seconds: 42.5, status: 'error', message: 'Code: 241' }]) });
    assert.deepEqual(h.linter.modelInfo(idOf('b')), {
      uniqueId: idOf('b'),
      name: 'b',
      file: fileOf('b'),
      roles: ['refill-cohort'],
      upstream: 1,
      downstream: 2,
      lastRun: { status: 'error', executionTime: 42.5, completedAt: '2026-04-01T00:10:00Z', message: 'Code: 241' },
    });
    assert.deepEqual(h.linter.modelInfo(fileOf('d'))?.roles, ['downstream-of-cohort']);
    assert.equal(h.linter.modelInfo('model.shop.nope'), null);
  });
});
