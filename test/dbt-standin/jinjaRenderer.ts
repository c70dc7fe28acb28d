import * as nunjucks from 'nunjucks';

/**
 * dbt's Jinja, rendered with nunjucks (the Jinja2-inspired JavaScript engine). Where the two differ, and the bridge:
 *
 * - `None` / `True` / `False`: nunjucks knows only `none` / `true` / `false`; the capitalized names are globals.
 * - `x is none`: nunjucks has no `none` test; one is added (true for null only, as in Jinja2 where an undefined
 *   name is not none).
 * - `{% do expr %}` (jinja2.ext.do, which dbt enables) does not exist: rewritten to `{% set __dbt_do = expr %}`.
 * - `{{ return(x) }}` is dbt's, not Jinja2's: a macro's value is the returned value if it called `return`, else its
 *   rendered text. Every macro is compiled under a private name (`__dbt_macro_<name>`) and called through a wrapper
 *   global that keeps a return slot per call; execution does NOT stop at `return` as it does in dbt (the macros here
 *   only return at their end).
 * - dbt macros are global and see the calling node's `this`, `var`, `config`: the project's macro definitions are
 *   prepended to each node's template, so they run in the node's own context.
 * - Jinja2 drops one trailing newline of a template (keep_trailing_newline=False); nunjucks keeps it, so the bridge
 *   drops it.
 * - `{% test name(...) %}` / `{% snapshot %}` blocks: tests become macros named `test_<name>`; a snapshot's block
 *   contents are rendered alone.
 * - Python method calls on values (`"x".upper()`, `dict.items()`) and `**kwargs` are not supported: the project's
 *   Jinja does not use them. `{{ none }}` renders as '' (Jinja2 writes 'None').
 */

export interface MacroSource {
  uniqueId: string;
  name: string;
  /** `{% macro name(...) %} ... {% endmacro %}` (or `{% test %}`), as written. */
  sql: string;
}

/** What a node's template may call; each render gets its own. */
export interface RenderContext {
  [name: string]: unknown;
}

interface NunjucksContext {
  lookup(name: string): unknown;
}

type MacroFn = (this: NunjucksContext, ...args: unknown[]) => unknown;

const NO_RETURN = Symbol('no return');

export class JinjaRenderer {
  private readonly env: nunjucks.Environment;
  private readonly macroPrefix: string;
  private readonly macroIds = new Map<string, string>();
  private readonly returnSlots: unknown[] = [];
  /** Macros called from the node's own template (depth 0), in call order: dbt's `depends_on.macros`. */
  private calledMacros: string[] = [];

  constructor(macros: readonly MacroSource[]) {
    this.env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
    this.env.addGlobal('None', null);
    this.env.addGlobal('True', true);
    this.env.addGlobal('False', false);
    // @types/nunjucks does not declare addTest.
    (this.env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void }).addTest('none', (v) => v === null);
    this.env.addGlobal('return', (value: unknown) => {
      if (this.returnSlots.length > 0) this.returnSlots[this.returnSlots.length - 1] = value;
      return '';
    });

    const defs: string[] = [];
    for (const m of macros) {
      this.macroIds.set(m.name, m.uniqueId);
      defs.push(privateMacro(m.sql, m.name));
      this.env.addGlobal(m.name, this.macroWrapper(m.name, m.uniqueId));
    }
    this.macroPrefix = defs.join('');
  }

  /** A builtin implemented in JavaScript (`is_incremental`) that dbt records as a macro dependency. */
  addBuiltinMacro(name: string, uniqueId: string, fn: (...args: unknown[]) => unknown): void {
    this.macroIds.set(name, uniqueId);
    this.env.addGlobal(name, (...args: unknown[]) => {
      this.noteCall(uniqueId);
      return fn(...args);
    });
  }

  /** A macro's unique id by name (project macros shadow dbt's), or undefined. */
  macroId(name: string): string | undefined {
    return this.macroIds.get(name);
  }

  render(template: string, context: RenderContext): { output: string; macros: string[] } {
    this.calledMacros = [];
    this.returnSlots.length = 0;
    const source = this.macroPrefix + bridgeSyntax(template);
    const output = this.env.renderString(source, context);
    return { output, macros: [...this.calledMacros] };
  }

  /** Calls a macro the way `{{ name(args) }}` would, returning its value (for generate_schema_name and the like). */
  callMacro(name: string, args: readonly unknown[], context: RenderContext): unknown {
    let result: unknown;
    const ctx: RenderContext = { ...context, __dbt_capture: (v: unknown) => { result = v; return ''; }, __dbt_args: args };
    this.render(`{{ __dbt_capture(${name}(${args.map((_, i) => `__dbt_args[${i}]`).join(', ')})) }}`, ctx);
    return result;
  }

  private noteCall(uniqueId: string): void {
    if (this.returnSlots.length === 0 && !this.calledMacros.includes(uniqueId)) this.calledMacros.push(uniqueId);
  }

  private macroWrapper(name: string, uniqueId: string): MacroFn {
    const noteCall = (): void => this.noteCall(uniqueId);
    const slots = this.returnSlots;
    // A plain function: nunjucks calls globals with the render context as `this`.
    return function (this: NunjucksContext, ...args: unknown[]): unknown {
      noteCall();
      const impl = this.lookup(`__dbt_macro_${name}`);
      if (typeof impl !== 'function') throw new Error(`macro ${name} is not defined in this template`);
      slots.push(NO_RETURN);
      let out: unknown;
      try {
        out = (impl as MacroFn).apply(this, args);
      } finally {
        const returned = slots.pop();
        if (returned !== NO_RETURN) out = returned;
      }
      return out;
    };
  }
}

/** `{% macro name(` / `{% test name(` -> `{% macro __dbt_macro_<name>(`; `{% endtest %}` -> `{% endmacro %}`. */
function privateMacro(sql: string, name: string): string {
  const testName = name.startsWith('test_') ? name.slice('test_'.length) : null;
  let out = sql.replace(new RegExp(`(\\{%-?\\s*)macro\\s+${name}\\s*\\(`), `$1macro __dbt_macro_${name}(`);
  if (testName !== null) {
    out = out
      .replace(new RegExp(`(\\{%-?\\s*)test\\s+${testName}\\s*\\(`), `$1macro __dbt_macro_${name}(`)
      .replace(/(\{%-?\s*)endtest(\s*-?%\})/, '$1endmacro$2');
  }
  return bridgeSyntax(out);
}

/** The syntax-level bridges: `{% do %}` and Jinja2's dropped trailing newline. */
export function bridgeSyntax(template: string): string {
  let out = template.replace(/\{%(-?)\s*do\s/g, '{%$1 set __dbt_do = ');
  if (out.endsWith('\r\n')) out = out.slice(0, -2);
  else if (out.endsWith('\n')) out = out.slice(0, -1);
  return out;
}

/** The `{% macro name(...) %}...{% endmacro %}` blocks of a macro file, in order. */
export function macroBlocks(fileText: string): Array<{ name: string; sql: string }> {
  const blocks: Array<{ name: string; sql: string }> = [];
  const re = /\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\([\s\S]*?\{%-?\s*endmacro\s*-?%\}/g;
  for (const m of fileText.matchAll(re)) blocks.push({ name: m[1] ?? '', sql: m[0] });
  return blocks;
}

/** A dbt relation: renders as ClickHouse's `schema`.`identifier`. */
export class Relation {
  constructor(
    readonly database: string,
    readonly schema: string,
    readonly identifier: string,
  ) {}
  get name(): string {
    return this.identifier;
  }
  get table(): string {
    return this.identifier;
  }
  toString(): string {
    return `\`${this.schema}\`.\`${this.identifier}\``;
  }
}
