import { strict as assert } from 'node:assert';
import {
  heavyEvidence,
  hookSettings,
  incrementalFilters,
  isThreeBranchStrategy,
  monthFilterBranch,
  parseSetStatements,
  ymlModelConfig,
} from '../../../../src/core/lint/source/analysis';
import { parseModelSource } from '../../../../src/core/lint/source/parseModelSource';
import type { ConfigKwarg, ModelSource, Span } from '../../../../src/core/lint/source/types';
import { DEFAULT_PROFILE } from '../../../../src/core/lint/profile/recoveryProfile';
import { exampleModel, gnosisModels } from './corpus';

const slice = (src: ModelSource, span: Span | null | undefined): string => (span ? src.text.slice(span.start, span.end) : '<none>');
const VARS = DEFAULT_PROFILE.vars;
const MACRO = DEFAULT_PROFILE.lookbackMacro;

const ACTIVE_HOLDERS = 'execution/tokens/intermediate/int_execution_tokens_active_holders_monthly.sql';
const BALANCES = 'execution/tokens/intermediate/int_execution_tokens_balances_daily.sql';
const GPAY_ACTIVITY = 'execution/gpay/intermediate/int_execution_gpay_activity.sql';
const GPAY_PAYMENTS = 'execution/gpay/intermediate/int_execution_gpay_payments_by_token_daily.sql';
const GPAY_FEES = 'revenue/intermediate/int_revenue_gpay_fees_daily.sql';
const HISTORY = 'execution/tokens/intermediate/int_execution_account_balance_history_daily.sql';
const SUPPLY = 'execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql';

describe('heavyEvidence', () => {
  it('finds uniqExact, the window and the GROUP BY of the untagged heavy example', () => {
    const src = parseModelSource(exampleModel(ACTIVE_HOLDERS));
    assert.deepEqual(
      heavyEvidence(src).map((e) => [e.kind, e.text, slice(src, e.span)]),
      [
        ['uniqExact', 'uniqExact(address)', 'uniqExact(address)'],
        ['uniqExact', 'uniqExact(date)', 'uniqExact(date)'],
        ['window-function', 'rank() OVER (PARTITION BY month ORDER BY active_holders DESC)', 'rank() OVER (PARTITION BY month ORDER BY active_holders DESC)'],
        ['group-by', 'GROUP BY month, token_address', 'GROUP BY month, token_address'],
      ],
    );
  });

  it('spans a multi-line window from the function through the closing parenthesis, and shortens its text', () => {
    const src = parseModelSource(exampleModel(BALANCES));
    const evidence = heavyEvidence(src);
    assert.deepEqual(evidence.map((e) => e.kind), ['group-by', 'group-by', 'window-function']);
    const w = evidence[2];
    assert.ok(w);
    assert.equal(
      slice(src, w.span),
      'sum(dd.delta_raw) OVER (\n                PARTITION BY dd.token_address, dd.address\n                ORDER BY dd.date\n                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW\n            )',
    );
    assert.equal(w.text, 'sum(dd.delta_raw) OVER ( PARTITION BY dd.token_address, dd.address ORDER BY dd.…');
    assert.equal(w.text.length, 80);
  });

  it('finds nothing in a model without any (the gpay activity model has no GROUP BY)', () => {
    assert.deepEqual(heavyEvidence(parseModelSource(exampleModel(GPAY_ACTIVITY))), []);
  });

  it('ignores comments, SQL strings and Jinja; matches any case, combinators and named windows', () => {
    const text = [
      '-- uniqExact(x) GROUP BY in a comment',
      "SELECT 'count(DISTINCT x) OVER (w)', {{ \"GROUP BY\" }}, /* countDistinct(y) */",
      '  COUNT( distinct a), countDistinctIf(b, c > 0), UNIQEXACTIF(d, 1),',
      '  lagInFrame(v, 1) OVER w, (a + b) OVER (x), a AS over',
      'FROM t',
      'group  by',
      '  a WINDOW w AS (ORDER BY a)',
    ].join('\n');
    const src = parseModelSource(text);
    assert.deepEqual(
      heavyEvidence(src).map((e) => [e.kind, e.text]),
      [
        ['count-distinct', 'COUNT( distinct a)'],
        ['countDistinct', 'countDistinctIf(b, c > 0)'],
        ['uniqExact', 'UNIQEXACTIF(d, 1)'],
        ['window-function', 'lagInFrame(v, 1) OVER w'],
        ['group-by', 'group by'],
      ],
    );
  });
});

describe('monthFilterBranch', () => {
  it("finds the example's start_month/end_month branch", () => {
    const src = parseModelSource(exampleModel(BALANCES));
    const b = monthFilterBranch(src, VARS);
    assert.ok(b);
    assert.equal(b.condition, 'start_month and end_month');
    assert.equal(
      slice(src, b.thenSpan),
      "\n      AND toStartOfMonth(d.block_timestamp) >= toDate('{{ start_month }}')\n      AND toStartOfMonth(d.block_timestamp) <= toDate('{{ end_month }}')\n    ",
    );
    assert.equal(slice(src, b.elseSpan).trim(), "{{ apply_monthly_incremental_filter('d.block_timestamp', 'date', true) }}");
  });

  it('finds none in the non-compliant example (tagged, no branch) and in the bypass example', () => {
    assert.equal(monthFilterBranch(parseModelSource(exampleModel(GPAY_FEES)), VARS), null);
    assert.equal(monthFilterBranch(parseModelSource(exampleModel(GPAY_PAYMENTS)), VARS), null);
  });

  const sets = "{% set start_month = var('start_month', none) %}\n{% set end_month = var('end_month', none) %}\n";
  const cases: Array<[string, string, boolean]> = [
    ['aliases', sets + '{% if start_month and end_month %}x{% endif %}', true],
    ['is not none', sets + '{% if start_month is not none and end_month is not none %}x{% endif %}', true],
    ['reversed', sets + '{% if end_month and start_month %}x{% endif %}', true],
    ['var() calls', "{% if var('start_month', none) and var(\"end_month\", none) %}x{% endif %}", true],
    ['other alias names, mixed', "{% set sm = var('start_month') %}{% if sm is not none and var('end_month', none) %}x{% endif %}", true],
    ['in an elif', sets + '{% if foo %}a{% elif start_month and end_month %}x{% endif %}', true],
    ['only start', sets + '{% if start_month %}x{% endif %}', false],
    ['negated', sets + '{% if not start_month and end_month %}x{% endif %}', false],
    ['locals never set', '{% if start_month and end_month %}x{% endif %}', false],
    ['other vars', "{% if var('month', none) and var('end_month', none) %}x{% endif %}", false],
  ];
  for (const [name, text, found] of cases) {
    it(`${found ? 'finds' : 'rejects'} a condition: ${name}`, () => {
      const src = parseModelSource(text);
      const b = monthFilterBranch(src, VARS);
      assert.equal(b === null ? null : slice(src, b.thenSpan), found ? 'x' : null);
    });
  }

  it("uses the profile's var names", () => {
    const src = parseModelSource("{% if var('from_m', none) and var('to_m', none) %}x{% endif %}");
    assert.equal(monthFilterBranch(src, VARS), null);
    assert.equal(monthFilterBranch(src, { startMonth: 'from_m', endMonth: 'to_m' })?.condition, "var('from_m', none) and var('to_m', none)");
  });

  it('finds the branch in exactly the six Gnosis models that have one (aliases and var() forms)', () => {
    const found = gnosisModels().filter((m) => monthFilterBranch(parseModelSource(m.rawCode), VARS) !== null).map((m) => m.name);
    assert.deepEqual(found, [
      'int_consensus_validators_per_index_apy_daily',
      'int_crawlers_data_labels',
      'int_execution_transactions_by_project_alltime_state',
      'int_execution_transactions_by_project_daily',
      'int_p2p_discv4_peers',
      'int_p2p_discv5_peers',
    ]);
  });
});

describe('incrementalFilters', () => {
  it("finds the gpay bypass: an is_incremental() block that skips the lookback macro", () => {
    const src = parseModelSource(exampleModel(GPAY_PAYMENTS));
    const filters = incrementalFilters(src, MACRO);
    assert.deepEqual(filters.map((f) => [f.kind, slice(src, f.span)]), [
      ['is-incremental-block', '{% if is_incremental() %}\n  AND a.date >= (SELECT max(date) FROM {{ this }})\n{% endif %}'],
    ]);
    assert.equal(filters[0]?.block?.condition, 'is_incremental()');
  });

  it('finds the macro call, and not the is_incremental() block that adds a CTE body', () => {
    const src = parseModelSource(exampleModel(BALANCES));
    const filters = incrementalFilters(src, MACRO);
    assert.deepEqual(filters.map((f) => [f.kind, slice(src, f.span), f.call?.args]), [
      ['lookback-macro', "{{ apply_monthly_incremental_filter('d.block_timestamp', 'date', true) }}", ["'d.block_timestamp'", "'date'", 'true']],
    ]);
  });

  it('skips blocks that call the macro, negated tests and nested blocks; reads WHERE/AND/OR bodies', () => {
    const text = [
      "{% if is_incremental() %}{{ apply_monthly_incremental_filter('d') }}{% endif %}",
      '{% if not is_incremental() %}WHERE 1{% endif %}',
      '{% if is_incremental() %}\n  WHERE x > 1 {% if is_incremental() %}AND y{% endif %}\n{% endif %}',
      '{% if is_incremental() %}, extra_column{% endif %}',
      '{%- if is_incremental() and flag -%} -- c\n OR z {%- endif %}',
    ].join('\n');
    const src = parseModelSource(text);
    assert.deepEqual(
      incrementalFilters(src, MACRO).map((f) => [f.kind, src.positionAt(f.span.start).line]),
      [
        ['lookback-macro', 0],
        ['is-incremental-block', 2],
        ['is-incremental-block', 6],
      ],
    );
  });

  it('finds the 14 is_incremental() filters of the Gnosis ESG models, and no other bypass', () => {
    const counts: Record<string, number> = {};
    let macroCalls = 0;
    for (const m of gnosisModels()) {
      for (const f of incrementalFilters(parseModelSource(m.rawCode), MACRO)) {
        if (f.kind === 'lookback-macro') macroCalls++;
        else counts[m.name] = (counts[m.name] ?? 0) + 1;
      }
    }
    assert.deepEqual(counts, {
      fct_esg_carbon_footprint_uncertainty: 2,
      int_esg_dynamic_power_consumption: 2,
      int_esg_node_classification: 2,
      int_esg_node_client_distribution: 3,
      int_esg_node_geographic_distribution: 1,
      int_esg_node_population_chao1: 4,
    });
    assert.equal(macroCalls, 40);
  });
});

describe('hookSettings and parseSetStatements', () => {
  it('reads macro calls alone, in lists and in concatenations', () => {
    assert.deepEqual(hookSettings('refill_safe_pre_hook()'), { macros: ['refill_safe_pre_hook'], setStatements: [] });
    assert.deepEqual(hookSettings('[refill_safe_pre_hook(), "SET a = 1"]'), {
      macros: ['refill_safe_pre_hook'],
      setStatements: [{ setting: 'a', value: '1' }],
    });
    assert.deepEqual(hookSettings('refill_safe_pre_hook() + ["SET x = 1", other.hook(2)]'), {
      macros: ['refill_safe_pre_hook', 'other.hook'],
      setStatements: [{ setting: 'x', value: '1' }],
    });
  });

  it('reads SET statements from strings, lists and hook dicts', () => {
    const src = parseModelSource(
      `{{ config(pre_hook=["SET max_memory_usage = 8589934592, join_algorithm = 'grace_hash'", {'sql': "SET max_bytes_before_external_sort = 1", 'transaction': False}]) }}`,
    );
    const pre = src.kwarg('pre_hook');
    assert.ok(pre);
    assert.deepEqual(hookSettings(pre.value), {
      macros: [],
      setStatements: [
        { setting: 'max_memory_usage', value: '8589934592' },
        { setting: 'join_algorithm', value: "'grace_hash'" },
        { setting: 'max_bytes_before_external_sort', value: '1' },
      ],
    });
    assert.deepEqual(hookSettings({ kind: 'none' }), { macros: [], setStatements: [] });
  });

  it('parses several statements, quoted commas and semicolons, comments and Jinja values', () => {
    assert.deepEqual(
      parseSetStatements("SET a = 1, b = 'x,y;z'; SELECT 1; set c=2 -- c = 3\n; /* SET d = 4 */ SET e = {{ var('mem', 1) }}"),
      [
        { setting: 'a', value: '1' },
        { setting: 'b', value: "'x,y;z'" },
        { setting: 'c', value: '2' },
        { setting: 'e', value: "{{ var('mem', 1) }}" },
      ],
    );
    assert.deepEqual(parseSetStatements('SETTINGS max_threads = 1'), []);
    assert.deepEqual(parseSetStatements('ALTER TABLE t MODIFY SETTING x = 1'), []);
    assert.deepEqual(parseSetStatements('SET allow_experimental_json_type = 1'), [{ setting: 'allow_experimental_json_type', value: '1' }]);
  });
});

describe('isThreeBranchStrategy', () => {
  const kwargOf = (value: string): ConfigKwarg => {
    const k = parseModelSource(`{{ config(incremental_strategy=${value}) }}`).kwarg('incremental_strategy');
    assert.ok(k, value);
    return k;
  };

  it('accepts the compliant examples and rejects the plain strategy of the non-compliant one', () => {
    const supply = parseModelSource(exampleModel(SUPPLY)).kwarg('incremental_strategy');
    const history = parseModelSource(exampleModel(HISTORY)).kwarg('incremental_strategy');
    assert.ok(supply && history);
    assert.equal(isThreeBranchStrategy(supply, VARS), true);
    assert.equal(isThreeBranchStrategy(history, VARS), false);
  });

  const accepted = [
    "(\n    'append' if (var('start_month', none) or var('incremental_end_date', none))\n    else 'delete+insert'\n)",
    `("append" if (var("start_month", None) or var("incremental_end_date", None)) else "delete+insert")`,
    "('append' if (var('incremental_end_date', none) or var('start_month', none)) else 'merge')",
    "(('append' if ((var('start_month', none)) or var('incremental_end_date', false)) else ('delete+insert')))",
    "'append' if var('start_month', '') or var('incremental_end_date', none) else 'insert_overwrite'",
  ];
  for (const value of accepted) it(`accepts ${value.replace(/\s+/g, ' ')}`, () => assert.equal(isThreeBranchStrategy(kwargOf(value), VARS), true));

  const rejected = [
    "'delete+insert'",
    "('append' if var('start_month', none) else 'delete+insert')",
    "('append' if (var('start_month', none) and var('incremental_end_date', none)) else 'delete+insert')",
    "('delete+insert' if (var('start_month', none) or var('incremental_end_date', none)) else 'append')",
    "('append' if (var('start_month', none) or var('incremental_end_date', none)) else var('s'))",
    "('append' if (var('start_month') or var('incremental_end_date')) else 'delete+insert')",
    "('append' if (var('start_month', '2024-01-01') or var('incremental_end_date', none)) else 'delete+insert')",
    "('append' if (var('month', none) or var('incremental_end_date', none)) else 'delete+insert')",
    "('append' if (var('start_month', none) or var('incremental_end_date', none) or var('x', none)) else 'delete+insert')",
    "('append' if (var('start_month', none) or var('start_month', none)) else 'delete+insert')",
  ];
  for (const value of rejected) it(`rejects ${value}`, () => assert.equal(isThreeBranchStrategy(kwargOf(value), VARS), false));

  it("uses the profile's var names", () => {
    const k = kwargOf("('append' if (var('m0', none) or var('until', none)) else 'delete+insert')");
    assert.equal(isThreeBranchStrategy(k, VARS), false);
    assert.equal(isThreeBranchStrategy(k, { startMonth: 'm0', incrementalEndDate: 'until' }), true);
  });
});

describe('ymlModelConfig', () => {
  const yml = [
    'version: 2',
    '',
    'models:',
    '  - name: other_model',
    '    config:',
    '      tags: [x]',
    '  - name: int_x',
    '    description: "A model."',
    '    tags: ["top"]',
    '    config:',
    '      tags:',
    '        - refill_append',
    '      full_refresh: false',
    "      incremental_strategy: 'delete+insert'",
    '      pre_hook:',
    '    columns:',
    '      - name: date',
  ].join('\n');

  it("gives the ranges of the entry's name and of each config key, with values", () => {
    const c = ymlModelConfig(yml, 'int_x');
    assert.ok(c);
    assert.deepEqual(c.nameRange, { start: { line: 6, character: 10 }, end: { line: 6, character: 15 } });
    assert.deepEqual(c.entryRange.start, { line: 6, character: 4 });
    assert.deepEqual(Object.keys(c.keys), ['tags', 'config.tags', 'config.full_refresh', 'config.incremental_strategy', 'config.pre_hook']);
    assert.deepEqual(c.keys['tags'], {
      path: 'tags',
      keyRange: { start: { line: 8, character: 4 }, end: { line: 8, character: 8 } },
      valueRange: { start: { line: 8, character: 10 }, end: { line: 8, character: 17 } },
      value: ['top'],
    });
    assert.deepEqual(c.keys['config.tags']?.keyRange, { start: { line: 10, character: 6 }, end: { line: 10, character: 10 } });
    assert.deepEqual(c.keys['config.tags']?.value, ['refill_append']);
    assert.deepEqual(c.keys['config.full_refresh']?.valueRange, { start: { line: 12, character: 20 }, end: { line: 12, character: 25 } });
    assert.equal(c.keys['config.full_refresh']?.value, false);
    assert.equal(c.keys['config.incremental_strategy']?.value, 'delete+insert');
    assert.equal(c.keys['config.pre_hook']?.value, null);
  });

  it('returns null for a model the file does not list, and for text that is not a properties file', () => {
    assert.equal(ymlModelConfig(yml, 'missing'), null);
    assert.equal(ymlModelConfig('', 'int_x'), null);
    assert.equal(ymlModelConfig('models: [unclosed', 'int_x'), null);
    assert.equal(ymlModelConfig('- a\n- b', 'int_x'), null);
  });

  it('reads an entry without config in the example, and a later document', () => {
    const c = ymlModelConfig(
      'version: 2\n\nmodels:\n  - name: int_execution_tokens_balances_daily\n    description: "x"\n---\nmodels:\n  - name: b\n    config: {materialized: table}\n',
      'b',
    );
    assert.deepEqual(c?.keys['config.materialized']?.value, 'table');
    assert.deepEqual(c?.nameRange.start, { line: 7, character: 10 });
    const first = ymlModelConfig('models:\n  - name: int_execution_tokens_balances_daily\n', 'int_execution_tokens_balances_daily');
    assert.deepEqual(first?.keys, {});
  });
});
