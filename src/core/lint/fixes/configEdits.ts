/**
 * Edits to a model's `config()` call that keep how the user wrote it: one kwarg per line or one line, the kwarg
 * indentation, `name=value` vs aligned `name   = value`, the trailing comma, quote style and line endings.
 */
import type { TextEdit } from '../types';
import { tokenizeJinja } from '../source/jinjaText';
import type { ConfigCall, ConfigKwarg, ModelSource, Span } from '../source/types';

/** An edit as offsets, turned into a `TextEdit` by `toTextEdit`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export function toTextEdit(src: ModelSource, e: OffsetEdit): TextEdit {
  return { range: src.rangeOf({ start: e.start, end: e.end }), newText: e.newText };
}

export function eolOf(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

/** The quote the config's strings use (the kwarg's own first, then the call's), `'` by default. */
export function quoteOf(src: ModelSource, within?: Span): '"' | "'" {
  for (const span of [within, src.config?.span]) {
    if (span === undefined) continue;
    for (const t of tokenizeJinja(src.text, span.start, span.end)) if (t.type === 'string' && t.quote !== undefined) return t.quote;
  }
  return "'";
}

export function quoted(value: string, q: '"' | "'"): string {
  return q + value.replace(/\\/g, '\\\\').replace(q === "'" ? /'/g : /"/g, '\\' + q) + q;
}

/** The whitespace before `offset` when only whitespace precedes it on its line, else null. */
export function indentBefore(text: string, offset: number): string | null {
  let s = offset;
  while (s > 0 && (text.charCodeAt(s - 1) === 32 || text.charCodeAt(s - 1) === 9)) s--;
  return s === 0 || text.charCodeAt(s - 1) === 10 || text.charCodeAt(s - 1) === 13 ? text.slice(s, offset) : null;
}

/** The leading whitespace of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text.charCodeAt(s - 1) !== 10 && text.charCodeAt(s - 1) !== 13) s--;
  let e = s;
  while (e < text.length && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 9)) e++;
  return text.slice(s, e);
}

/** `name=value` spaced as most of the call's kwargs are (aligned `=` columns stay aligned). */
export function kwargText(src: ModelSource, config: ConfigCall, name: string, value: string): string {
  const styles = new Map<string, { n: number; before: string; after: string; column: number | null }>();
  for (const k of config.kwargs) {
    const m = /^([ \t]*)=([ \t]*)$/.exec(src.text.slice(k.nameSpan.end, k.valueSpan.start));
    if (m === null) continue;
    const before = m[1] as string;
    const after = m[2] as string;
    // Padding before `=` lines the `=` up in one column.
    const column = before.length > 1 && !before.includes('\t') ? k.name.length + before.length : null;
    const key = `${column ?? before}|${after}`;
    const style = styles.get(key) ?? { n: 0, before, after, column };
    style.n++;
    styles.set(key, style);
  }
  let best: { n: number; before: string; after: string; column: number | null } | undefined;
  for (const style of styles.values()) if (best === undefined || style.n >= best.n) best = style;
  if (best === undefined) return `${name}=${value}`;
  const before = best.column === null ? best.before : ' '.repeat(Math.max(1, best.column - name.length));
  return `${name}${before}=${best.after}${value}`;
}

/**
 * One edit adding kwargs to the config call: after the last kwarg, on lines of their own when the kwargs stand
 * on theirs (with `kwargIndent`), else inline; a trailing comma stays trailing.
 */
export function insertKwargs(src: ModelSource, config: ConfigCall, kwargs: Array<[string, string]>): OffsetEdit {
  const { text } = src;
  const eol = eolOf(text);
  const texts = kwargs.map(([n, v]) => kwargText(src, config, n, v));
  const last = config.kwargs[config.kwargs.length - 1];
  if (last === undefined) {
    const inner = text.slice(config.openParen, config.closeParen);
    if (inner.trim() === '') return { start: config.openParen, end: config.openParen, newText: texts.join(', ') };
    // Only positional arguments: add after them.
    let end = config.closeParen;
    while (end > config.openParen && /\s/.test(text[end - 1] as string)) end--;
    const comma = text[end - 1] === ',' ? ' ' : ', ';
    return { start: end, end, newText: comma + texts.join(', ') };
  }
  const indent = config.kwargIndent ?? indentBefore(text, last.nameSpan.start);
  const comma = config.trailingComma ? commaAfter(text, last, config.closeParen) : -1;
  if (indent !== null) {
    const lines = texts.map((t) => eol + indent + t);
    if (comma >= 0) return { start: comma + 1, end: comma + 1, newText: lines.join(',') + ',' };
    return { start: last.span.end, end: last.span.end, newText: ',' + lines.join(',') };
  }
  const sep = inlineSeparator(src, config);
  if (comma >= 0) return { start: comma + 1, end: comma + 1, newText: sep.slice(1) + texts.join(sep) + ',' };
  return { start: last.span.end, end: last.span.end, newText: sep + texts.join(sep) };
}

/** The separator between two kwargs written on one line: `, ` unless the call writes `,`. */
function inlineSeparator(src: ModelSource, config: ConfigCall): string {
  const [a, b] = config.kwargs.slice(-2);
  if (a !== undefined && b !== undefined) {
    const between = src.text.slice(a.span.end, b.nameSpan.start);
    if (/^[ \t]*,[ \t]*$/.test(between)) return ',' + between.slice(between.indexOf(',') + 1);
  }
  return ', ';
}

function commaAfter(text: string, last: ConfigKwarg, limit: number): number {
  for (let j = last.span.end; j < limit; j++) {
    const c = text[j] as string;
    if (c === ',') return j;
    if (!/\s/.test(c)) return -1;
  }
  return -1;
}

/**
 * A new `{{ config(...) }}` block for a model without one: at the top, or after a leading `{# ... #}` comment
 * (a file header describes the file, so it stays first), followed by a blank line.
 */
export function newConfigBlock(src: ModelSource, kwargs: Array<[string, string]>): OffsetEdit {
  const block = `{{ config(${kwargs.map(([n, v]) => `${n}=${v}`).join(', ')}) }}`;
  return insertAtTop(src, block);
}

/** Inserts lines at the top of the model (after a leading Jinja comment), then a blank line. */
export function insertAtTop(src: ModelSource, lines: string): OffsetEdit {
  const { text } = src;
  const eol = eolOf(text);
  const at = afterHeader(src);
  const blankFollows = /^[ \t]*(\r?\n|$)/.test(text.slice(at, at + 200));
  return { start: at, end: at, newText: lines + eol + (blankFollows ? '' : eol) };
}

function afterHeader(src: ModelSource): number {
  const { text } = src;
  let j = 0;
  while (j < text.length && /\s/.test(text[j] as string)) j++;
  if (!text.startsWith('{#', j)) return 0;
  const close = text.indexOf('#}', j + 2);
  if (close < 0) return 0;
  let e = close + 2;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  if (text[e] === '\r') e++;
  if (text[e] === '\n') e++;
  return e;
}
