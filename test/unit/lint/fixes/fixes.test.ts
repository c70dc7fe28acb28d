import { strict as assert } from 'node:assert';
import {
  addHooksFix,
  addTagFix,
  applyEdits,
  fullRefreshFalseFix,
  monthFilterFix,
  strategyExpressionFix,
} from '../../../../src/core/lint/fixes';
import { DEFAULT_PROFILE, type RecoveryProfile } from '../../../../src/core/lint/profile/recoveryProfile';
import { hookSettings, isThreeBranchStrategy, monthFilterBranch } from '../../../../src/core/lint/source/analysis';
import { parseModelSource } from '../../../../src/core/lint/source/parseModelSource';
import type { ModelSource } from '../../../../src/core/lint/source/types';
import type { Fix } from '../../../../src/core/lint/types';
import { exampleModel, gnosisModels } from '../source/corpus';

const P = DEFAULT_PROFILE;
const FILE = 'models/m.sql';

/** The fix's edits applied; the fix must edit FILE only. */
function applied(text: string, fix: Fix | null): string {
  assert.ok(fix, 'expected a fix');
  assert.deepEqual(fix.changes.map((c) => c.file), [FILE]);
  return applyEdits(text, fix.changes[0]?.edits ?? []);
}

/** `text` with `from` (which must occur exactly once) replaced by `to`. */
function replaced(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `${JSON.stringify(from)} occurs once`);
  return text.replace(from, () => to);
}

const tagsOf = (src: ModelSource): string[] => {
  const v = src.kwarg('tags')?.value;
  return v?.kind === 'list' ? v.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
};

describe('applyEdits', () => {
  const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

  it('applies edits given in any order; inserts at one position keep their order', () => {
    const text = 'abc\r\ndef\nghi';
    assert.equal(
      applyEdits(text, [
        { range: r(2, 0, 2, 3), newText: 'GHI' },
        { range: r(0, 1, 0, 1), newText: '1' },
        { range: r(0, 1, 0, 1), newText: '2' },
        { range: r(1, 0, 1, 3), newText: '' },
      ]),
      'a12bc\r\n\nGHI',
    );
    assert.equal(applyEdits(text, []), text);
  });

  it('throws on overlapping edits', () => {
    assert.throws(() => applyEdits('abcdef', [{ range: r(0, 0, 0, 3), newText: 'x' }, { range: r(0, 2, 0, 4), newText: 'y' }]), /overlapping/);
  });
});

describe('addTagFix', () => {
  const cases: Array<[string, string, string]> = [
    [
      'appends to a one-line list, keeping its spacing',
      "{{ config(materialized='view', tags=['production', 'gpay']) }}\nSELECT 1",
      "{{ config(materialized='view', tags=['production', 'gpay', 'refill_append']) }}\nSELECT 1",
    ],
    [
      'keeps a list written without spaces (Gnosis style)',
      "{{ \n    config(\n        materialized='incremental',\n        tags=['production','esg','nodes']\n    )\n}}",
      "{{ \n    config(\n        materialized='incremental',\n        tags=['production','esg','nodes','refill_append']\n    )\n}}",
    ],
    [
      "keeps the list's double quotes",
      '{{ config(tags=["a"]) }}',
      '{{ config(tags=["a", "refill_append"]) }}',
    ],
    [
      'adds a line to a list with one item per line and a trailing comma',
      "{{ config(\n    tags=[\n        'production',\n        'gpay',\n    ],\n) }}",
      "{{ config(\n    tags=[\n        'production',\n        'gpay',\n        'refill_append',\n    ],\n) }}",
    ],
    [
      'adds a line to a one-item multi-line list without a trailing comma',
      "{{ config(\n  tags=[\n    'a'\n  ]\n) }}",
      "{{ config(\n  tags=[\n    'a',\n    'refill_append'\n  ]\n) }}",
    ],
    ['fills an empty list', '{{ config(tags=[]) }}', "{{ config(tags=['refill_append']) }}"],
    ['makes a tuple a list', "{{ config(tags=('a', \"b\",)) }}", "{{ config(tags=['a', \"b\", 'refill_append']) }}"],
    ['makes a string a list', "{{ config(tags='x') }}", "{{ config(tags=['x', 'refill_append']) }}"],
    ['makes a double-quoted string a list', '{{ config(tags="x") }}', '{{ config(tags=["x", "refill_append"]) }}'],
    ['concatenates to a call', "{{ config(tags=var('t', [])) }}", "{{ config(tags=var('t', []) + ['refill_append']) }}"],
    [
      'concatenates to a conditional, parenthesized',
      "{{ config(tags=['a'] if x else ['b']) }}",
      "{{ config(tags=(['a'] if x else ['b']) + ['refill_append']) }}",
    ],
    [
      'adds a kwarg on its own line with tabs, keeping the trailing comma',
      "{{\n\tconfig(\n\t\tmaterialized='incremental',\n\t\tunique_key='id',\n\t)\n}}",
      "{{\n\tconfig(\n\t\tmaterialized='incremental',\n\t\tunique_key='id',\n\t\ttags=['refill_append'],\n\t)\n}}",
    ],
    [
      'adds a kwarg with a 2-space indent and no trailing comma',
      "{{ config(\n  materialized='incremental',\n  unique_key='id'\n) }}\nSELECT 1",
      "{{ config(\n  materialized='incremental',\n  unique_key='id',\n  tags=['refill_append']\n) }}\nSELECT 1",
    ],
    [
      'adds a kwarg to a one-line config',
      "{{ config(materialized='view') }}",
      "{{ config(materialized='view', tags=['refill_append']) }}",
    ],
    [
      'adds a kwarg to a one-line config written without spaces, with double quotes',
      '{{ config(materialized="view",unique_key="id") }}',
      '{{ config(materialized="view",unique_key="id",tags=["refill_append"]) }}',
    ],
    [
      'lines up an aligned = column',
      "{{ \n    config(\n        materialized            = 'incremental',\n        unique_key              = 'id'\n    )\n}}",
      "{{ \n    config(\n        materialized            = 'incremental',\n        unique_key              = 'id',\n        tags                    = ['refill_append']\n    )\n}}",
    ],
    [
      'adds a kwarg to an empty config()',
      '{{ config() }}\nSELECT 1',
      "{{ config(tags=['refill_append']) }}\nSELECT 1",
    ],
    [
      'inserts a config block at the top of a model without one',
      "SELECT * FROM {{ ref('a') }}\n",
      "{{ config(tags=['refill_append']) }}\n\nSELECT * FROM {{ ref('a') }}\n",
    ],
    [
      'inserts a config block after a leading Jinja comment header, keeping CRLF',
      "{#\r\n  The header.\r\n#}\r\n\r\nSELECT 1\r\n",
      "{#\r\n  The header.\r\n#}\r\n{{ config(tags=['refill_append']) }}\r\n\r\nSELECT 1\r\n",
    ],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      const src = parseModelSource(before);
      const fix = addTagFix(src, FILE, 'refill_append');
      assert.equal(fix.kind, 'add-tag');
      assert.equal(fix.title, 'Add the refill_append tag');
      const out = applied(before, fix);
      assert.equal(out, after);
      const re = parseModelSource(out);
      assert.deepEqual(re.problems, []);
      const tags = re.kwarg('tags');
      assert.ok(tags);
      // The tag is now there (in a list, or concatenated onto an expression).
      assert.ok(tagsOf(re).includes('refill_append') || tags.valueText.endsWith("+ ['refill_append']"), out);
      // Once the tag is in a list literal, there is nothing left to add.
      if (tags.value.kind === 'list') assert.deepEqual(addTagFix(re, FILE, 'refill_append').changes[0]?.edits, []);
    });
  }

  it('adds the tag to the untagged heavy example', () => {
    const text = exampleModel('execution/tokens/intermediate/int_execution_tokens_active_holders_monthly.sql');
    const out = applied(text, addTagFix(parseModelSource(text), FILE, 'refill_append'));
    assert.equal(out, replaced(text, "tags=['production', 'tokens', 'holders']", "tags=['production', 'tokens', 'holders', 'refill_append']"));
  });

  it('makes no edit when the tag is already there', () => {
    const text = exampleModel('execution/tokens/intermediate/int_execution_tokens_balances_daily.sql');
    assert.deepEqual(addTagFix(parseModelSource(text), FILE, 'refill_append').changes, [{ file: FILE, edits: [] }]);
    assert.deepEqual(addTagFix(parseModelSource("{{ config(tags='refill_append') }}"), FILE, 'refill_append').changes[0]?.edits, []);
  });
});

describe('addHooksFix', () => {
  const cases: Array<[string, string, string]> = [
    [
      'adds both hooks after the last kwarg',
      "{{ config(\n    materialized='incremental',\n    tags=['a']\n) }}",
      "{{ config(\n    materialized='incremental',\n    tags=['a'],\n    pre_hook=refill_safe_pre_hook(),\n    post_hook=refill_safe_post_hook()\n) }}",
    ],
    [
      'keeps an existing pre_hook list first-class, adding the macro in front (Gnosis style)',
      '{{ \n    config(\n        materialized            = \'incremental\',\n        pre_hook                = [\n                                    "SET allow_experimental_json_type = 1"\n                                ],\n        tags                    = [\'a\']\n    )\n}}',
      '{{ \n    config(\n        materialized            = \'incremental\',\n        pre_hook                = refill_safe_pre_hook() + [\n                                    "SET allow_experimental_json_type = 1"\n                                ],\n        tags                    = [\'a\'],\n        post_hook               = refill_safe_post_hook()\n    )\n}}',
    ],
    [
      'wraps an existing string pre_hook in a list',
      '{{ config(pre_hook="SET x = 1") }}',
      '{{ config(pre_hook=refill_safe_pre_hook() + ["SET x = 1"], post_hook=refill_safe_post_hook()) }}',
    ],
    [
      'keeps an existing post_hook call before the reset',
      "{{ config(materialized='table', post_hook=other_hook()) }}",
      "{{ config(materialized='table', post_hook=[other_hook()] + refill_safe_post_hook(), pre_hook=refill_safe_pre_hook()) }}",
    ],
    [
      'parenthesizes an existing list-valued concatenation',
      "{{ config(pre_hook=a() + ['SET y = 2'], post_hook=['SET y = 0']) }}",
      "{{ config(pre_hook=refill_safe_pre_hook() + (a() + ['SET y = 2']), post_hook=['SET y = 0'] + refill_safe_post_hook()) }}",
    ],
    [
      'leaves a side that already calls its macro alone',
      '{{ config(pre_hook=refill_safe_pre_hook(),) }}',
      '{{ config(pre_hook=refill_safe_pre_hook(), post_hook=refill_safe_post_hook(),) }}',
    ],
    [
      'makes tuple hooks lists',
      "{{ config(pre_hook=('SET a = 1',), post_hook=('SET a = 0',)) }}",
      "{{ config(pre_hook=refill_safe_pre_hook() + (('SET a = 1',) | list), post_hook=(('SET a = 0',) | list) + refill_safe_post_hook()) }}",
    ],
    ['replaces a none hook', '{{ config(pre_hook=none, post_hook=[]) }}', '{{ config(pre_hook=refill_safe_pre_hook(), post_hook=refill_safe_post_hook()) }}'],
    [
      'inserts a config block in a model without one',
      'SELECT 1',
      '{{ config(pre_hook=refill_safe_pre_hook(), post_hook=refill_safe_post_hook()) }}\n\nSELECT 1',
    ],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      const src = parseModelSource(before);
      const setsBefore = [...(src.kwarg('pre_hook') ? hookSettings(src.kwarg('pre_hook')!.value).setStatements : [])];
      const out = applied(before, addHooksFix(src, FILE, P));
      assert.equal(out, after);
      const re = parseModelSource(out);
      assert.deepEqual(re.problems, []);
      const pre = hookSettings(re.kwarg('pre_hook')?.value ?? { kind: 'none' });
      const post = hookSettings(re.kwarg('post_hook')?.value ?? { kind: 'none' });
      assert.ok(pre.macros.includes('refill_safe_pre_hook'), out);
      assert.ok(post.macros.includes('refill_safe_post_hook'), out);
      // Never drops a user's hook.
      for (const s of setsBefore) assert.ok(pre.setStatements.some((t) => t.setting === s.setting), s.setting);
      assert.deepEqual(addHooksFix(re, FILE, P).changes[0]?.edits, []);
    });
  }

  it('adds the hooks to the example that lacks them', () => {
    const text = exampleModel('execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql');
    const fix = addHooksFix(parseModelSource(text), FILE, P);
    assert.equal(fix.title, 'Add the refill_safe_pre_hook()/refill_safe_post_hook() hooks');
    assert.equal(
      applied(text, fix),
      replaced(
        text,
        "        tags=['production', 'tokens', 'sectors', 'refill_append']\n",
        "        tags=['production', 'tokens', 'sectors', 'refill_append'],\n        pre_hook=refill_safe_pre_hook(),\n        post_hook=refill_safe_post_hook()\n",
      ),
    );
  });

  it("uses the profile's macros", () => {
    const profile: RecoveryProfile = { ...P, hooks: { ...P.hooks, preHookMacro: 'spill_on', postHookMacro: 'spill_off' } };
    assert.equal(applied('{{ config(a=1) }}', addHooksFix(parseModelSource('{{ config(a=1) }}'), FILE, profile)), '{{ config(a=1, pre_hook=spill_on(), post_hook=spill_off()) }}');
  });
});

describe('strategyExpressionFix', () => {
  const three = (q: string, dflt: string): string =>
    `(${q}append${q} if (var(${q}start_month${q}, none) or var(${q}incremental_end_date${q}, none)) else ${q}${dflt}${q})`;
  const cases: Array<[string, string, string]> = [
    [
      'replaces a plain strategy, keeping it as the else',
      "{{ config(materialized='incremental', incremental_strategy='delete+insert') }}",
      `{{ config(materialized='incremental', incremental_strategy=${three("'", 'delete+insert')}) }}`,
    ],
    [
      "keeps the value's double quotes",
      '{{ config(incremental_strategy="merge") }}',
      `{{ config(incremental_strategy=${three('"', 'merge')}) }}`,
    ],
    [
      "uses the profile's default for a plain append",
      "{{ config(incremental_strategy='append') }}",
      `{{ config(incremental_strategy=${three("'", 'delete+insert')}) }}`,
    ],
    [
      'completes a two-branch expression, keeping its else',
      "{{ config(incremental_strategy=('append' if var('start_month', none) else 'insert_overwrite')) }}",
      `{{ config(incremental_strategy=${three("'", 'insert_overwrite')}) }}`,
    ],
    [
      'adds the kwarg to a multi-line config',
      "{{\n    config(\n        materialized='incremental',\n        unique_key='id',\n    )\n}}",
      `{{\n    config(\n        materialized='incremental',\n        unique_key='id',\n        incremental_strategy=${three("'", 'delete+insert')},\n    )\n}}`,
    ],
    ['inserts a config block in a model without one', 'SELECT 1', `{{ config(incremental_strategy=${three("'", 'delete+insert')}) }}\n\nSELECT 1`],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      const out = applied(before, strategyExpressionFix(parseModelSource(before), FILE, P));
      assert.equal(out, after);
      const re = parseModelSource(out);
      const k = re.kwarg('incremental_strategy');
      assert.ok(k);
      assert.equal(isThreeBranchStrategy(k, P.vars), true);
      assert.equal(strategyExpressionFix(re, FILE, P), null);
    });
  }

  it('fixes the non-compliant example', () => {
    const text = exampleModel('execution/tokens/intermediate/int_execution_account_balance_history_daily.sql');
    const fix = strategyExpressionFix(parseModelSource(text), FILE, P);
    assert.equal(fix?.title, "Make incremental_strategy 'append' during a month refill, else 'delete+insert'");
    assert.equal(applied(text, fix), replaced(text, "        incremental_strategy='delete+insert',\n", `        incremental_strategy=${three("'", 'delete+insert')},\n`));
  });

  it('offers nothing when the strategy is already three-branch, microbatch, or the model is not incremental', () => {
    assert.equal(strategyExpressionFix(parseModelSource(exampleModel('execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql')), FILE, P), null);
    assert.equal(strategyExpressionFix(parseModelSource(exampleModel('consensus/intermediate/int_consensus_blocks_daily.sql')), FILE, P), null);
    assert.equal(strategyExpressionFix(parseModelSource("{{ config(materialized='view') }}"), FILE, P), null);
  });

  it("uses the profile's vars and default strategy", () => {
    const profile: RecoveryProfile = { ...P, vars: { ...P.vars, startMonth: 'm0', incrementalEndDate: 'until' }, defaultStrategy: 'insert_overwrite' };
    const text = "{{ config(materialized='incremental') }}";
    const out = applied(text, strategyExpressionFix(parseModelSource(text), FILE, profile));
    assert.equal(out, "{{ config(materialized='incremental', incremental_strategy=('append' if (var('m0', none) or var('until', none)) else 'insert_overwrite')) }}");
  });
});

describe('monthFilterFix', () => {
  it('wraps the lookback macro of the non-compliant example and sets the month locals', () => {
    const text = exampleModel('revenue/intermediate/int_revenue_gpay_fees_daily.sql');
    const fix = monthFilterFix(parseModelSource(text), FILE, P);
    assert.equal(fix?.title, 'Add the start_month/end_month branch to the incremental filter');
    let want = replaced(
      text,
      "    )\n}}\n-- NON-COMPLIANT",
      "    )\n}}\n\n{% set start_month = var('start_month', none) %}\n{% set end_month = var('end_month', none) %}\n\n-- NON-COMPLIANT",
    );
    want = replaced(
      want,
      "  {{ apply_monthly_incremental_filter('date', 'date', true) }}\n",
      [
        '  {% if start_month and end_month %}',
        "    AND toStartOfMonth(date) >= toDate('{{ start_month }}')",
        "    AND toStartOfMonth(date) <= toDate('{{ end_month }}')",
        '  {% else %}',
        "    {{ apply_monthly_incremental_filter('date', 'date', true) }}",
        '  {% endif %}',
        '',
      ].join('\n'),
    );
    assert.equal(applied(text, fix), want);
  });

  it("wraps the gpay bypass's is_incremental() block, filtering on the column it compares", () => {
    const text = exampleModel('execution/gpay/intermediate/int_execution_gpay_payments_by_token_daily.sql');
    let want = replaced(
      text,
      '}}\n-- NON-COMPLIANT',
      "}}\n\n{% set start_month = var('start_month', none) %}\n{% set end_month = var('end_month', none) %}\n\n-- NON-COMPLIANT",
    );
    want = replaced(
      want,
      '{% if is_incremental() %}\n  AND a.date >= (SELECT max(date) FROM {{ this }})\n{% endif %}\n',
      [
        '{% if start_month and end_month %}',
        "  AND toStartOfMonth(a.date) >= toDate('{{ start_month }}')",
        "  AND toStartOfMonth(a.date) <= toDate('{{ end_month }}')",
        '{% else %}',
        '  {% if is_incremental() %}',
        '    AND a.date >= (SELECT max(date) FROM {{ this }})',
        '  {% endif %}',
        '{% endif %}',
        '',
      ].join('\n'),
    );
    assert.equal(applied(text, monthFilterFix(parseModelSource(text), FILE, P)), want);
  });

  it('writes WHERE when the macro opens the WHERE clause (no add_and)', () => {
    const text = exampleModel('p2p/intermediate/int_p2p_discv5_clients_daily.sql');
    let want = replaced(text, '}}\n\nSELECT', "}}\n\n{% set start_month = var('start_month', none) %}\n{% set end_month = var('end_month', none) %}\n\nSELECT");
    want = replaced(
      want,
      "{{ apply_monthly_incremental_filter('visit_ended_at', 'date') }}\n",
      [
        '{% if start_month and end_month %}',
        "  WHERE toStartOfMonth(visit_ended_at) >= toDate('{{ start_month }}')",
        "  AND toStartOfMonth(visit_ended_at) <= toDate('{{ end_month }}')",
        '{% else %}',
        "  {{ apply_monthly_incremental_filter('visit_ended_at', 'date') }}",
        '{% endif %}',
        '',
      ].join('\n'),
    );
    assert.equal(applied(text, monthFilterFix(parseModelSource(text), FILE, P)), want);
  });

  it('uses month locals the model already has, under their names, and sets only the missing one', () => {
    const text = [
      "{{ config(materialized='incremental') }}",
      "{% set sm = var('start_month', none) %}",
      'SELECT * FROM t',
      "WHERE x\n\t{{ apply_monthly_incremental_filter(source_field='ts', add_and=True) }}",
      '',
    ].join('\n');
    const out = applied(text, monthFilterFix(parseModelSource(text), FILE, P));
    assert.equal(
      out,
      [
        "{{ config(materialized='incremental') }}",
        '',
        "{% set end_month = var('end_month', none) %}",
        '',
        "{% set sm = var('start_month', none) %}",
        'SELECT * FROM t',
        'WHERE x',
        '\t{% if sm and end_month %}',
        "\t\tAND toStartOfMonth(ts) >= toDate('{{ sm }}')",
        "\t\tAND toStartOfMonth(ts) <= toDate('{{ end_month }}')",
        '\t{% else %}',
        "\t\t{{ apply_monthly_incremental_filter(source_field='ts', add_and=True) }}",
        '\t{% endif %}',
        '',
      ].join('\n'),
    );
  });

  it("sets the locals at the top when the config comes after the filter, and reads the date from partition_by", () => {
    const text = [
      'SELECT * FROM t',
      '{% if is_incremental() %}',
      '  WHERE toDate(ts) > (SELECT max(day) FROM {{ this }})',
      '{% endif %}',
      "{{ config(materialized='incremental', partition_by='toStartOfMonth(day)') }}",
    ].join('\r\n');
    const out = applied(text, monthFilterFix(parseModelSource(text), FILE, P));
    assert.equal(
      out,
      [
        "{% set start_month = var('start_month', none) %}",
        "{% set end_month = var('end_month', none) %}",
        '',
        'SELECT * FROM t',
        '{% if start_month and end_month %}',
        "  WHERE toStartOfMonth(toDate(ts)) >= toDate('{{ start_month }}')",
        "  AND toStartOfMonth(toDate(ts)) <= toDate('{{ end_month }}')",
        '{% else %}',
        '  {% if is_incremental() %}',
        '    WHERE toDate(ts) > (SELECT max(day) FROM {{ this }})',
        '  {% endif %}',
        '{% endif %}',
        "{{ config(materialized='incremental', partition_by='toStartOfMonth(day)') }}",
      ].join('\r\n'),
    );
    const noColumn = '{% if is_incremental() %}\n  AND 1 = 1\n{% endif %}';
    const withPartition = "{{ config(partition_by='toStartOfMonth(day)') }}\n" + noColumn;
    assert.equal(monthFilterFix(parseModelSource(noColumn), FILE, P), null);
    assert.match(applied(withPartition, monthFilterFix(parseModelSource(withPartition), FILE, P)), /AND toStartOfMonth\(day\) >= /);
  });

  it("follows Jinja truthiness for add_and: the string 'false' is true", () => {
    const text = "SELECT 1 FROM t WHERE a {{ apply_monthly_incremental_filter('d', add_and='false') }}";
    assert.match(applied(text, monthFilterFix(parseModelSource(text), FILE, P)), /\n {2}AND toStartOfMonth\(d\) >= /);
  });

  it('offers nothing when the branch is there or there is no incremental filter', () => {
    assert.equal(monthFilterFix(parseModelSource(exampleModel('execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql')), FILE, P), null);
    assert.equal(monthFilterFix(parseModelSource(exampleModel('execution/tokens/marts/fct_execution_tokens_metrics_daily.sql')), FILE, P), null);
  });
});

describe('fullRefreshFalseFix', () => {
  const cases: Array<[string, string, string]> = [
    ['flips true', "{{ config(materialized='incremental', full_refresh=true) }}", "{{ config(materialized='incremental', full_refresh=false) }}"],
    ['flips True, in Python capitals', '{{ config(full_refresh=True, on_cluster=None) }}', '{{ config(full_refresh=False, on_cluster=None) }}'],
    ['replaces an expression', "{{ config(full_refresh=var('fr', true)) }}", '{{ config(full_refresh=false) }}'],
    ['adds the kwarg', "{{ config(\n  materialized='incremental',\n) }}", "{{ config(\n  materialized='incremental',\n  full_refresh=false,\n) }}"],
    ['inserts a config block in a model without one', 'SELECT 1', '{{ config(full_refresh=false) }}\n\nSELECT 1'],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      const out = applied(before, fullRefreshFalseFix(parseModelSource(before), FILE));
      assert.equal(out, after);
      const re = parseModelSource(out);
      assert.deepEqual(re.kwarg('full_refresh')?.value, { kind: 'bool', value: false });
      assert.deepEqual(fullRefreshFalseFix(re, FILE).changes[0]?.edits, []);
    });
  }

  it('adds full_refresh=false to the unprotected example', () => {
    const text = exampleModel('execution/transfers/intermediate/int_execution_transfers_usd_daily.sql');
    const fix = fullRefreshFalseFix(parseModelSource(text), FILE);
    assert.equal(fix.title, 'Add full_refresh=false');
    assert.equal(
      applied(text, fix),
      replaced(text, "        tags=['production', 'transfers']\n", "        tags=['production', 'transfers'],\n        full_refresh=false\n"),
    );
  });
});

describe('every fix on every Gnosis model', () => {
  it('re-parses cleanly, establishes what it fixes, and has nothing left to do', () => {
    const counts: Record<string, number> = {};
    for (const m of gnosisModels()) {
      const text = m.rawCode;
      const src = parseModelSource(text);
      const fixes = [addTagFix(src, FILE, 'refill_append'), addHooksFix(src, FILE, P), strategyExpressionFix(src, FILE, P), monthFilterFix(src, FILE, P), fullRefreshFalseFix(src, FILE)];
      for (const fix of fixes) {
        if (fix === null) continue;
        counts[fix.kind] = (counts[fix.kind] ?? 0) + 1;
        const out = applied(text, fix);
        const re = parseModelSource(out);
        assert.deepEqual(re.problems, [], `${m.name} ${fix.kind}`);
        const where = `${m.name} ${fix.kind}`;
        switch (fix.kind) {
          case 'add-tag':
            assert.ok(tagsOf(re).includes('refill_append'), where);
            assert.deepEqual(addTagFix(re, FILE, 'refill_append').changes[0]?.edits, [], where);
            break;
          case 'add-hooks':
            assert.ok(hookSettings(re.kwarg('pre_hook')?.value ?? { kind: 'none' }).macros.includes('refill_safe_pre_hook'), where);
            assert.ok(hookSettings(re.kwarg('post_hook')?.value ?? { kind: 'none' }).macros.includes('refill_safe_post_hook'), where);
            assert.deepEqual(addHooksFix(re, FILE, P).changes[0]?.edits, [], where);
            break;
          case 'strategy-expression':
            assert.equal(strategyExpressionFix(re, FILE, P), null, where);
            break;
          case 'month-filter':
            assert.notEqual(monthFilterBranch(re, P.vars), null, where);
            assert.equal(monthFilterFix(re, FILE, P), null, where);
            break;
          case 'full-refresh-false':
            assert.deepEqual(fullRefreshFalseFix(re, FILE).changes[0]?.edits, [], where);
            break;
        }
      }
    }
    // Every model gets a tag, hooks and full_refresh fix; a strategy fix the 78 incremental models (all
    // delete+insert) and the 3 whose source does not say what they are (views and a table by dbt_project.yml: the
    // source alone cannot tell, the rule decides with the manifest); a month-filter fix the 35 with an incremental
    // filter and no month branch.
    assert.deepEqual(counts, { 'add-tag': 241, 'add-hooks': 241, 'strategy-expression': 81, 'month-filter': 35, 'full-refresh-false': 241 });
  });
});
