import { strict as assert } from 'node:assert';
import { parseModelSource } from '../../../../src/core/lint/source/parseModelSource';
import type { ConfigValue, ModelSource, Span } from '../../../../src/core/lint/source/types';

const slice = (src: ModelSource, span: Span | null | undefined): string => (span ? src.text.slice(span.start, span.end) : '<none>');
const valueOf = (src: ModelSource, name: string): ConfigValue | undefined => src.kwarg(name)?.value;

describe('parseModelSource: config()', () => {
  it('reads a one-line config with exact spans', () => {
    const text = "{{ config(materialized='view', tags=['production', 'api']) }}\n\nSELECT 1\n";
    const src = parseModelSource(text);
    const c = src.config;
    assert.ok(c);
    assert.deepEqual(c.blockSpan, { start: 0, end: 61 });
    assert.equal(slice(src, c.blockSpan), "{{ config(materialized='view', tags=['production', 'api']) }}");
    assert.deepEqual(c.span, { start: 3, end: 58 });
    assert.equal(slice(src, c.span), "config(materialized='view', tags=['production', 'api'])");
    assert.equal(c.openParen, 10);
    assert.equal(c.closeParen, 57);
    assert.equal(c.kwargIndent, null);
    assert.equal(c.trailingComma, false);
    assert.deepEqual(
      c.kwargs.map((k) => [k.name, k.nameSpan, k.valueSpan, k.span, k.valueText]),
      [
        ['materialized', { start: 10, end: 22 }, { start: 23, end: 29 }, { start: 10, end: 29 }, "'view'"],
        ['tags', { start: 31, end: 35 }, { start: 36, end: 57 }, { start: 31, end: 57 }, "['production', 'api']"],
      ],
    );
    assert.deepEqual(valueOf(src, 'materialized'), { kind: 'string', value: 'view' });
    assert.deepEqual(valueOf(src, 'tags'), {
      kind: 'list',
      items: [
        { kind: 'string', value: 'production' },
        { kind: 'string', value: 'api' },
      ],
    });
    assert.deepEqual(src.problems, []);
  });

  it('reads a multi-line config: kwarg indentation, trailing comma, strings with commas and parentheses', () => {
    const text = [
      '{{',
      '    config(',
      "        materialized='incremental',",
      "        unique_key='(date, address)',",
      "        tags=['a'],",
      '    )',
      '}}',
      'SELECT 1',
    ].join('\n');
    const src = parseModelSource(text);
    const c = src.config;
    assert.ok(c);
    assert.equal(c.kwargIndent, '        ');
    assert.equal(c.trailingComma, true);
    assert.deepEqual(c.blockSpan, { start: 0, end: text.indexOf('}}\nSELECT') + 2 });
    assert.equal(slice(src, c.span), text.slice(text.indexOf('config('), text.indexOf('    )') + 5));
    assert.deepEqual(
      c.kwargs.map((k) => slice(src, k.span)),
      ["materialized='incremental'", "unique_key='(date, address)'", "tags=['a']"],
    );
    const uk = src.kwarg('unique_key');
    assert.ok(uk);
    assert.equal(uk.nameSpan.start, text.indexOf('unique_key'));
    assert.equal(uk.valueSpan.start, text.indexOf("'(date, address)'"));
    assert.deepEqual(uk.value, { kind: 'string', value: '(date, address)' });
    assert.deepEqual(src.positionAt(uk.nameSpan.start), { line: 3, character: 8 });
  });

  it('keeps the trim markers of {{- config(...) -}} in the block span', () => {
    const text = "{{- config(materialized='table') -}}\nSELECT 1";
    const src = parseModelSource(text);
    assert.ok(src.config);
    assert.deepEqual(src.config.blockSpan, { start: 0, end: 36 });
    assert.equal(slice(src, src.config.span), "config(materialized='table')");
    assert.deepEqual(valueOf(src, 'materialized'), { kind: 'string', value: 'table' });
  });

  it('finds a config call that is not first in the file, and only the first of two', () => {
    const text = [
      "-- a header that mentions config( and it's apostrophe",
      "{% set cols = ['a', 'b'] %}",
      'SELECT 1',
      "{{ config(materialized='table', tags=['first']) }}",
      "{{ config(tags=['second']) }}",
    ].join('\n');
    const src = parseModelSource(text);
    assert.ok(src.config);
    assert.equal(src.config.span.start, text.indexOf("config(materialized='table'"));
    assert.deepEqual(valueOf(src, 'tags'), { kind: 'list', items: [{ kind: 'string', value: 'first' }] });
    assert.deepEqual(src.problems, []);
  });

  it('prefers a live config over one in a SQL comment, and takes the commented one when it is the only one', () => {
    const both = "-- {{ config(materialized='table') }}\n{{ config(materialized='incremental') }}\nSELECT 1";
    assert.deepEqual(valueOf(parseModelSource(both), 'materialized'), { kind: 'string', value: 'incremental' });
    const only = "/* {{ config(materialized='table') }} */\nSELECT 1";
    const src = parseModelSource(only);
    assert.deepEqual(valueOf(src, 'materialized'), { kind: 'string', value: 'table' });
    // dbt renders Jinja in SQL comments, so the call is seen; `code` still blanks the comment.
    assert.equal(src.code.trim(), 'SELECT 1');
  });

  it('ignores a config inside a Jinja comment, even one holding {{ and }}', () => {
    const text = "{# {{ config(materialized='table') }} #}\n{{ ref('a') }}";
    const src = parseModelSource(text);
    assert.equal(src.config, null);
    assert.deepEqual(src.macroCalls.map((m) => m.name), ['ref']);
    assert.equal(src.code, ' '.repeat(40) + "\n{{ ref('a') }}");
  });

  it('is not misled by ) , # -- and quotes inside strings', () => {
    const text = `{{ config(alias='a)b', tags=['x,y', '#z', '--w'], pre_hook="SET a = 'it''s' -- )", sql_header='it\\'s') }}\nSELECT 1`;
    const src = parseModelSource(text);
    assert.ok(src.config);
    assert.deepEqual(
      src.config.kwargs.map((k) => k.valueText),
      ["'a)b'", "['x,y', '#z', '--w']", `"SET a = 'it''s' -- )"`, "'it\\'s'"],
    );
    assert.deepEqual(valueOf(src, 'pre_hook'), { kind: 'string', value: "SET a = 'it''s' -- )" });
    assert.deepEqual(valueOf(src, 'sql_header'), { kind: 'string', value: "it's" });
    assert.equal(src.config.closeParen, text.indexOf(') }}'));
  });

  it('reads nested brackets, dicts and tuples', () => {
    const text = "{{ config(settings={'allow_nullable_key': 1, 'nested': {'a': [1, 2]}}, order_by=('date', 'address')) }}";
    const src = parseModelSource(text);
    assert.deepEqual(valueOf(src, 'settings'), {
      kind: 'dict',
      entries: [
        { key: 'allow_nullable_key', value: { kind: 'number', value: 1 } },
        {
          key: 'nested',
          value: { kind: 'dict', entries: [{ key: 'a', value: { kind: 'list', items: [{ kind: 'number', value: 1 }, { kind: 'number', value: 2 }] } }] },
        },
      ],
    });
    assert.deepEqual(valueOf(src, 'order_by'), {
      kind: 'list',
      items: [
        { kind: 'string', value: 'date' },
        { kind: 'string', value: 'address' },
      ],
    });
  });

  it('reads the three-branch strategy written over several lines as one expression', () => {
    const value = [
      '(',
      "            'append' if (var('start_month', none) or var('incremental_end_date', none))",
      "            else 'delete+insert'",
      '        )',
    ].join('\n');
    const text = `{{\n    config(\n        materialized='incremental',\n        incremental_strategy=${value},\n        full_refresh=false\n    )\n}}`;
    const src = parseModelSource(text);
    const k = src.kwarg('incremental_strategy');
    assert.ok(k);
    assert.equal(k.valueText, value);
    assert.deepEqual(k.value, { kind: 'expression', text: value });
    assert.deepEqual(src.config?.kwargs.map((x) => x.name), ['materialized', 'incremental_strategy', 'full_refresh']);
    assert.equal(src.config?.trailingComma, false);
  });

  it('reads every kind of value', () => {
    const text = [
      '{{ config(',
      '  a=1, b=-2, c=1.5, d=True, e=false, f=None, g=none,',
      '  h=refill_safe_pre_hook(), i=var(\'x\', none), j=dbt_utils.pretty(1),',
      '  k=refill_safe_pre_hook() + ["SET x = 1"], l=my_var, m=(\'delete+insert\'), n="a" \'b\', o=[]',
      ') }}',
    ].join('\n');
    const src = parseModelSource(text);
    const got = Object.fromEntries((src.config?.kwargs ?? []).map((k) => [k.name, k.value]));
    assert.deepEqual(got, {
      a: { kind: 'number', value: 1 },
      b: { kind: 'number', value: -2 },
      c: { kind: 'number', value: 1.5 },
      d: { kind: 'bool', value: true },
      e: { kind: 'bool', value: false },
      f: { kind: 'none' },
      g: { kind: 'none' },
      h: { kind: 'call', name: 'refill_safe_pre_hook', args: '' },
      i: { kind: 'call', name: 'var', args: "'x', none" },
      j: { kind: 'call', name: 'dbt_utils.pretty', args: '1' },
      k: { kind: 'expression', text: 'refill_safe_pre_hook() + ["SET x = 1"]' },
      l: { kind: 'expression', text: 'my_var' },
      m: { kind: 'string', value: 'delete+insert' },
      n: { kind: 'string', value: 'ab' },
      o: { kind: 'list', items: [] },
    });
    assert.equal(src.config?.kwargIndent, '  ');
  });

  it('keeps exact spans for aligned `name   = value` kwargs (Gnosis style)', () => {
    const text = "{{ \n    config(\n        materialized            = 'incremental',\n        pre_hook                = [\n                                    \"SET allow_experimental_json_type = 1\"\n                                ],\n    )\n}}";
    const src = parseModelSource(text);
    const pre = src.kwarg(['pre_hook', 'pre-hook']);
    assert.ok(pre);
    assert.equal(slice(src, pre.nameSpan), 'pre_hook');
    assert.equal(pre.valueSpan.start, text.indexOf('= [') + 2);
    assert.equal(pre.valueText.endsWith(']'), true);
    assert.deepEqual(pre.value, { kind: 'list', items: [{ kind: 'string', value: 'SET allow_experimental_json_type = 1' }] });
    assert.equal(src.kwarg('materialized')?.valueSpan.start, text.indexOf("'incremental'"));
  });

  it('has no config when the model has none, without problems', () => {
    const src = parseModelSource("SELECT * FROM {{ ref('a') }}");
    assert.equal(src.config, null);
    assert.equal(src.kwarg('tags'), undefined);
    assert.deepEqual(src.problems, []);
  });

  it('reports an unclosed config as a problem, without throwing, and goes on reading', () => {
    const text = "{{ config(\n  materialized='incremental',\n  tags=['a'\n}}\n\nSELECT 1 FROM {{ ref('x') }}\n{% if is_incremental() %}WHERE 1{% endif %}";
    const src = parseModelSource(text);
    assert.equal(src.config, null);
    assert.deepEqual(src.problems, ['Unclosed `{{` at line 1.', 'Unclosed `config(` at line 1.']);
    assert.deepEqual(src.macroCalls.map((m) => m.name), ['ref']);
    assert.equal(src.ifBlocks.length, 1);
  });

  it('ignores positional arguments and reports a kwarg without a value', () => {
    const src = parseModelSource("{{ config('positional', materialized='view') }}");
    assert.deepEqual(src.config?.kwargs.map((k) => k.name), ['materialized']);
    const typing = parseModelSource('{{ config(materialized=) }}');
    assert.deepEqual(typing.problems, ['`config()` argument `materialized` has no value at line 1.']);
    assert.equal(typing.kwarg('materialized')?.valueText, '');
  });

  it('finds kwargs by any of several names', () => {
    const src = parseModelSource('{{ config(pre_hook=a(), post_hook=b()) }}');
    assert.equal(src.kwarg(['pre-hook', 'pre_hook'])?.name, 'pre_hook');
    assert.equal(src.kwarg('post-hook'), undefined);
  });
});

describe('parseModelSource: SQL and Jinja lexing', () => {
  it('blanks comments in code, same length and line breaks, but not a -- inside a SQL string', () => {
    const text = "SELECT 'a -- b' AS x, -- real comment\n  1 /* block\n comment */ + 2 {# jinja #}\r\nFROM t";
    const src = parseModelSource(text);
    assert.equal(src.code.length, text.length);
    assert.equal(
      src.code,
      "SELECT 'a -- b' AS x, " + ' '.repeat(15) + '\n  1 ' + ' '.repeat(8) + '\n' + ' '.repeat(11) + ' + 2 ' + ' '.repeat(11) + '\r\nFROM t',
    );
  });

  it('reads Jinja inside a SQL string (dbt renders it)', () => {
    const src = parseModelSource(`WHERE d >= toDate('{{ var("start_month") }}') AND s = 'x'`);
    assert.deepEqual(src.macroCalls.map((m) => [m.name, m.args]), [['var', ['"start_month"']]]);
    assert.deepEqual(src.problems, []);
  });

  it("handles '' and backslash escapes in SQL strings, and an apostrophe in a -- comment", () => {
    const text = "-- don't worry\nSELECT 'it''s -- no', 'a\\'b -- no' -- yes\nFROM {{ ref('a') }}";
    const src = parseModelSource(text);
    assert.deepEqual(src.macroCalls.map((m) => m.name), ['ref']);
    assert.equal(src.code, ' '.repeat(14) + "\nSELECT 'it''s -- no', 'a\\'b -- no' " + ' '.repeat(6) + "\nFROM {{ ref('a') }}");
    assert.deepEqual(src.problems, []);
  });

  it('treats double-quoted and backquoted identifiers as quoted, and # and #! as ClickHouse comments', () => {
    const text = 'SELECT "a--b", `c/*d` # comment\n#! shebang\nFROM t';
    const src = parseModelSource(text);
    assert.equal(src.code, 'SELECT "a--b", `c/*d` ' + ' '.repeat(9) + '\n' + ' '.repeat(10) + '\nFROM t');
  });

  it('ends a Jinja block only outside Jinja strings and brackets', () => {
    const text = `{% set x = "%}" %}{{ foo({'a': {'b': 1}}, "}}") }}{{ ref('z') }}`;
    const src = parseModelSource(text);
    assert.deepEqual(src.macroCalls.map((m) => [m.name, m.args]), [
      ['foo', [`{'a': {'b': 1}}`, '"}}"']],
      ['ref', ["'z'"]],
    ]);
    assert.deepEqual(src.problems, []);
  });

  it('skips {% raw %} blocks', () => {
    const src = parseModelSource("{% raw %}{{ not_jinja( }}{% if %}{% endraw %}{{ ref('a') }}");
    assert.deepEqual(src.macroCalls.map((m) => m.name), ['ref']);
    assert.deepEqual(src.ifBlocks, []);
    assert.deepEqual(src.problems, []);
  });

  it('reports unclosed SQL strings, comments and Jinja comments', () => {
    assert.deepEqual(parseModelSource("SELECT 'abc").problems, ['Unclosed SQL string at line 1.']);
    assert.deepEqual(parseModelSource('SELECT 1\n/* abc').problems, ['Unclosed SQL comment `/*` at line 2.']);
    const j = parseModelSource('SELECT 1 {# abc');
    assert.deepEqual(j.problems, ['Unclosed Jinja comment `{#` at line 1.']);
    assert.equal(j.code, 'SELECT 1 ' + ' '.repeat(6));
  });
});

describe('parseModelSource: if-blocks', () => {
  const text = [
    '{% if start_month and end_month %}', // 0
    '  AND a',
    '{%- elif is_incremental() -%}',
    '  {% if x %}inner{% endif %}',
    '{% else %}',
    '  AND c',
    '{% endif %}',
    '{% for i in range(3) %}{{ i }}{% else %}none{% endfor %}',
  ].join('\n');
  const src = parseModelSource(text);

  it('reads nesting, elif (as a block of its own) and else', () => {
    assert.deepEqual(
      src.ifBlocks.map((b) => [b.condition, slice(src, b.thenSpan), slice(src, b.elseSpan)]),
      [
        ['start_month and end_month', '\n  AND a\n', '\n  AND c\n'],
        ['is_incremental()', '\n  {% if x %}inner{% endif %}\n', '\n  AND c\n'],
        ['x', 'inner', '<none>'],
      ],
    );
    const [outer, elif, inner] = src.ifBlocks;
    assert.deepEqual(outer?.span, { start: 0, end: text.indexOf('{% endif %}\n{% for') + 11 });
    assert.equal(elif?.span.start, text.indexOf('{%- elif'));
    assert.equal(elif?.span.end, outer?.span.end);
    assert.equal(slice(src, inner?.span), '{% if x %}inner{% endif %}');
    assert.deepEqual(src.problems, []);
  });

  it('reports an unclosed if and a stray endif or else', () => {
    assert.deepEqual(parseModelSource('{% if a %}\nx').problems, ['Unclosed `{% if %}` at line 1.']);
    assert.deepEqual(parseModelSource('x\n{% endif %}').problems, ['`{% endif %}` without `{% if %}` at line 2.']);
    assert.deepEqual(parseModelSource('{% else %}').problems, ['`{% else %}` outside `{% if %}` at line 1.']);
    const crossed = parseModelSource('{% if a %}{% for x in y %}{% endif %}');
    assert.deepEqual(crossed.problems, ['Unclosed `{% for %}` at line 1.']);
    assert.equal(crossed.ifBlocks.length, 1);
  });
});

describe('parseModelSource: macro calls and var aliases', () => {
  it('reads {{ name(args) }} expressions, args split at top-level commas', () => {
    const text = [
      "{{ apply_monthly_incremental_filter('visit_ended_at', add_and='true') }}",
      "{{ dbt_utils.star(ref('a'), except=['x', 'y']) }}",
      '{{ x | trim }}',
      "{{ ref('a') ~ 'b' }}",
      '{{- this -}}',
      '{{ no_args() }}',
    ].join('\n');
    const src = parseModelSource(text);
    assert.deepEqual(
      src.macroCalls.map((m) => [m.name, m.args, slice(src, m.span)]),
      [
        ['apply_monthly_incremental_filter', ["'visit_ended_at'", "add_and='true'"], "{{ apply_monthly_incremental_filter('visit_ended_at', add_and='true') }}"],
        ['dbt_utils.star', ["ref('a')", "except=['x', 'y']"], "{{ dbt_utils.star(ref('a'), except=['x', 'y']) }}"],
        ['no_args', [], '{{ no_args() }}'],
      ],
    );
  });

  it('reads {% set x = var(...) %} as aliases and parses block sets as template text', () => {
    const text = [
      "{% set start_month = var('start_month', none) %}",
      '{%- set em = var("end_month") | default(none) -%}',
      '{% set x = 1 %}',
      "{% set y = other('start_month') %}",
      '{% set sql %}SELECT {{ ref(\'a\') }}{% endset %}',
    ].join('\n');
    const src = parseModelSource(text);
    assert.deepEqual([...src.varAliases], [
      ['start_month', 'start_month'],
      ['em', 'end_month'],
    ]);
    assert.deepEqual(src.macroCalls.map((m) => m.name), ['ref']);
    assert.deepEqual(src.problems, []);
  });
});

describe('parseModelSource: positions', () => {
  it('converts offsets and positions with LF, CRLF, lone CR and surrogate pairs', () => {
    const text = 'ab\r\nc😀d\re\nf';
    const src = parseModelSource(text);
    assert.deepEqual(src.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(src.positionAt(4), { line: 1, character: 0 });
    assert.deepEqual(src.positionAt(text.indexOf('d')), { line: 1, character: 3 });
    assert.deepEqual(src.positionAt(text.indexOf('e')), { line: 2, character: 0 });
    assert.deepEqual(src.positionAt(text.length), { line: 3, character: 1 });
    assert.deepEqual(src.positionAt(999), { line: 3, character: 1 });
    assert.equal(src.offsetAt({ line: 1, character: 99 }), text.indexOf('\r', 4));
    assert.equal(src.offsetAt({ line: 9, character: 0 }), text.length);
    assert.deepEqual(src.rangeOf({ start: 5, end: 9 }), { start: { line: 1, character: 1 }, end: { line: 2, character: 0 } });
    for (let o = 0; o <= text.length; o++) {
      if (text[o - 1] === '\r' && text[o] === '\n') continue; // inside a CRLF: no position of its own
      assert.equal(src.offsetAt(src.positionAt(o)), o, `offset ${o}`);
    }
  });
});

describe('parseModelSource: robustness', () => {
  /** Deterministic pseudo-random numbers (mulberry32). */
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('never throws on random Jinja/SQL soup, and keeps its invariants', () => {
    const alphabet = ['{', '}', '{{', '}}', '{%', '%}', '{#', '#}', "'", '"', '`', '(', ')', '[', ']', '-', '--', '/*', '*/', '\\', '\n', ' ', 'if ', 'endif', 'config(', 'a=', ',', 'x', '#'];
    const next = rng(42);
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const len = Math.floor(next() * 60);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(next() * alphabet.length)] as string;
      const src = parseModelSource(text);
      assert.equal(src.code.length, text.length, text);
      const spans: Span[] = [
        ...src.ifBlocks.flatMap((b) => [b.span, b.thenSpan, ...(b.elseSpan ? [b.elseSpan] : [])]),
        ...src.macroCalls.map((m) => m.span),
        ...(src.config ? [src.config.span, src.config.blockSpan, ...src.config.kwargs.flatMap((k) => [k.span, k.nameSpan, k.valueSpan])] : []),
      ];
      for (const s of spans) assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `${JSON.stringify(s)} in ${JSON.stringify(text)}`);
      for (const k of src.config?.kwargs ?? []) {
        assert.ok(k.span.start >= (src.config?.openParen ?? 0) && k.span.end <= (src.config?.closeParen ?? 0));
      }
    }
  });

  it('recovers a block with unbalanced brackets at its own }}, and reads the next block', () => {
    const src = parseModelSource("SELECT {{ ref('a' }} , {{ ref('b') }} FROM {{ source('s', ['t') }}");
    assert.deepEqual(src.macroCalls.map((m) => m.args), [["'b'"]]);
    assert.deepEqual(src.problems, ['Unclosed `{{` at line 1.', 'Unclosed `{{` at line 1.']);
  });

  it('stays linear on thousands of blocks left open (each scan stops at the next Jinja opener)', () => {
    // Scanning every open block to the end of the text took 15 s here; linear is well under 100 ms.
    // Each block is one problem; the first config( also is one.
    const units: Array<[string, number]> = [['{{ [ }}\n', 20000], ['{{ ((( }} x ', 20000], ['{% for x in y %}', 20000], ['{{ config(a=[', 20001]];
    for (const [unit, problems] of units) {
      const text = unit.repeat(20000);
      const t0 = process.hrtime.bigint();
      const src = parseModelSource(text);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.equal(src.problems.length, problems, unit);
      assert.ok(ms < 3000, `${unit}: ${ms} ms`);
    }
  });

  it('reads every prefix of a model being typed: no config until its ( closes, all kwargs once the block does', () => {
    const text =
      "{{\n    config(\n        materialized='incremental',\n        tags=['a', 'refill_append'],\n        pre_hook=refill_safe_pre_hook()\n    )\n}}\n\nSELECT 1 FROM {{ ref('x') }}\n";
    const close = text.indexOf('\n    )') + 5;
    const blockEnd = text.indexOf('}}\n\n') + 2;
    for (let n = 0; n <= text.length; n++) {
      const src = parseModelSource(text.slice(0, n));
      if (n > text.indexOf('config(') + 6 && n <= close) {
        assert.equal(src.config, null, `prefix ${n}`);
        assert.ok(src.problems.length > 0, `prefix ${n}`);
      }
      if (n >= blockEnd) assert.deepEqual(src.config?.kwargs.map((k) => k.name), ['materialized', 'tags', 'pre_hook'], `prefix ${n}`);
    }
  });
});
