/**
 * A model's `.sql` source as the linter reads it: dbt Jinja over SQL, parsed without rendering (the editor's text
 * is newer than the manifest, and rendering needs dbt). Offsets are UTF-16 indices into `text`.
 */
import type { Position, Range } from '../types';

/** `[start, end)` offsets into the source text. */
export interface Span {
  start: number;
  end: number;
}

/** A `config()` kwarg's value, as far as it can be read without rendering Jinja. */
export type ConfigValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list'; items: ConfigValue[] }
  | { kind: 'dict'; entries: Array<{ key: string; value: ConfigValue }> }
  /** A call such as `refill_safe_pre_hook()` or `var('x', none)`; `args` is the text between the parentheses. */
  | { kind: 'call'; name: string; args: string }
  /** Anything else (the strategy's conditional expression, arithmetic, ...), as written. */
  | { kind: 'expression'; text: string };

export interface ConfigKwarg {
  /** As written: `pre_hook`, `tags`, `incremental_strategy`, ... */
  name: string;
  /** From the name to the end of the value (no trailing comma). */
  span: Span;
  nameSpan: Span;
  valueSpan: Span;
  valueText: string;
  value: ConfigValue;
}

/** The model's `{{ config(...) }}` call. */
export interface ConfigCall {
  /** `config(` through its `)`. */
  span: Span;
  /** The enclosing `{{ ... }}` (with `{{-`/`-}}` trim markers when present). */
  blockSpan: Span;
  /** Offset just after `(` and of the closing `)`. */
  openParen: number;
  closeParen: number;
  kwargs: ConfigKwarg[];
  /** Indentation of the kwargs when each stands on its own line (e.g. 8 spaces), null for a one-line call. */
  kwargIndent: string | null;
  /** Whether the last kwarg is followed by a comma. */
  trailingComma: boolean;
}

/** A `{% if ... %}` ... `{% endif %}` block (nesting handled), with its optional `{% else %}`/`{% elif %}` parts. */
export interface JinjaIfBlock {
  /** The condition's text, as written: `start_month and end_month`. */
  condition: string;
  /** `{% if` through `{% endif %}`. */
  span: Span;
  /** Body of the first branch (between the `if` tag and the next `elif`/`else`/`endif` of this block). */
  thenSpan: Span;
  /** Body after `{% else %}`, when there is one. */
  elseSpan: Span | null;
}

/** A `{{ macro(...) }}` expression statement (also found inside if-blocks); `args` split at top-level commas. */
export interface MacroCall {
  name: string;
  args: string[];
  /** The whole `{{ ... }}`. */
  span: Span;
}

/** Evidence that a model is heavy, from its SQL. */
export interface HeavyEvidence {
  kind: 'window-function' | 'uniqExact' | 'countDistinct' | 'count-distinct' | 'group-by';
  /** What a message shows: `uniqExact(address)`, `OVER (PARTITION BY month ...)`. */
  text: string;
  span: Span;
}

export interface ModelSource {
  readonly text: string;
  /** Null when the model has no `config()` call. */
  readonly config: ConfigCall | null;
  /** Problems that kept part of the source from being read (an unclosed `{{ config(`); never thrown. */
  readonly problems: string[];
  readonly ifBlocks: JinjaIfBlock[];
  readonly macroCalls: MacroCall[];
  /** `{% set start_month = var('start_month', none) %}` gives `start_month -> start_month`: local name -> var name. */
  readonly varAliases: ReadonlyMap<string, string>;
  /** The text with Jinja comments `{# #}` and SQL comments (`--` and block comments) blanked out, same offsets. */
  readonly code: string;
  /** The kwarg of that name (several names for aliases, e.g. `['pre_hook', 'pre-hook']`), or undefined. */
  kwarg(name: string | readonly string[]): ConfigKwarg | undefined;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOf(span: Span): Range;
}
