import { strict as assert } from 'node:assert';
import { JinjaRenderer, Relation } from '../../dbt-standin/jinjaRenderer';

const MACROS = [
  { uniqueId: 'macro.p.hooks', name: 'hooks', sql: '{% macro hooks() %}\n  {{ return(["SET a = 1", "SET b = 2"]) }}\n{% endmacro %}' },
  { uniqueId: 'macro.p.wrap', name: 'wrap', sql: '{% macro wrap(x, suffix=None) %}[{{ x }}{{ "" if suffix is none else suffix }}|{{ inner() }}]{% endmacro %}' },
  { uniqueId: 'macro.p.inner', name: 'inner', sql: '{% macro inner() %}{{ this }}{% endmacro %}' },
];

describe('dbt stand-in: Jinja through nunjucks', () => {
  const r = new JinjaRenderer(MACROS);
  const ctx = { this: new Relation('', 'dbt', 'm'), var: (_n: unknown, d: unknown) => d };

  it("gives a macro's return() value to its caller, and its text otherwise", () => {
    let got: unknown;
    r.render('{% set _ = keep(hooks()) %}', { ...ctx, keep: (v: unknown) => { got = v; return ''; } });
    assert.deepEqual(got, ['SET a = 1', 'SET b = 2']);
    assert.equal(r.render("{{ wrap('a') }}", ctx).output, '[a|`dbt`.`m`]');
  });

  it('records only the macros the template itself calls, in call order', () => {
    assert.deepEqual(r.render("{{ wrap('a', '!') }}{{ hooks() }}{{ wrap('b') }}", ctx).macros, ['macro.p.wrap', 'macro.p.hooks']);
  });

  it('bridges none/None, is none, the inline if, {% do %} and the trailing newline', () => {
    const t = "{{ 'append' if (var('start_month', none) or var('x', None)) else 'delete+insert' }}|{{ 1 if 2 is none else 0 }}|{% do noop() %}\n";
    assert.equal(r.render(t, { ...ctx, noop: () => 'ignored' }).output, 'delete+insert|0|');
    assert.equal(r.render("{{ 'append' if var('start_month', '2026-04-01') else 'd' }}", ctx).output, 'append');
  });
});
