/**
 * Reads a model's dbt Jinja + SQL source without rendering it, in one pass over the text.
 *
 * What dbt renders is Jinja everywhere, so `{{ }}`, `{% %}` and `{# #}` are recognized inside SQL strings and SQL
 * comments too (dbt renders `-- {{ ref('x') }}`); SQL strings and comments only decide where a `--` or `/*` is a
 * comment. Jinja blocks end at their `}}`/`%}` outside Jinja strings and brackets, as Jinja's lexer does.
 */
import type { Position, Range } from '../types';
import { LineIndex } from './lineIndex';
import { isIdentPart, isIdentStart, isSpace, matchClose, skipJinjaString, splitTopLevel, tokenizeJinja, trimSpan } from './jinjaText';
import { readConfigValue } from './readConfigValue';
import type { ConfigCall, ConfigKwarg, JinjaIfBlock, MacroCall, ModelSource, Span } from './types';

const LBRACE = 123; // {
const RBRACE = 125; // }
const PCT = 37; // %
const HASH = 35; // #
const DASH = 45; // -
const PLUS = 43; // +
const SLASH = 47; // /
const STAR = 42; // *
const SQ = 39; // '
const DQ = 34; // "
const BQ = 96; // `
const BS = 92; // \
const LF = 10;
const CR = 13;

/** Block tags that take an `end<tag>` (a `set` only in its block form, without `=`). */
const BLOCK_TAGS = new Set([
  'if', 'for', 'macro', 'call', 'filter', 'block', 'with', 'autoescape', 'trans', 'set',
  'materialization', 'test', 'data_test', 'snapshot', 'docs', 'unit_test',
]);

interface Frame {
  tag: string;
  start: number;
  /** For `if`: its branches, in order. */
  branches: Array<{ kind: 'if' | 'elif' | 'else'; tagStart: number; tagEnd: number; condition: string }>;
}

interface ConfigCandidate {
  blockSpan: Span;
  nameStart: number;
  open: number;
  /** Index of `)`, or -1 when the call is not closed inside its `{{ }}`. */
  close: number;
  inSqlComment: boolean;
}

/** Scan results the analysis helpers use beyond the `ModelSource` interface. */
export interface SourceScan {
  /** Every `{{ }}` and `{% %}` construct (raw blocks included). */
  jinjaSpans: Span[];
  /** SQL quoted literals and identifiers (`'...'`, `"..."`, `` `...` ``), quotes included. */
  sqlStringSpans: Span[];
  /** SQL and Jinja comments. */
  commentSpans: Span[];
}

class ParsedModelSource implements ModelSource {
  readonly config: ConfigCall | null;
  readonly problems: string[];
  readonly ifBlocks: JinjaIfBlock[];
  readonly macroCalls: MacroCall[];
  readonly varAliases: ReadonlyMap<string, string>;
  readonly scan: SourceScan;
  private codeText: string | undefined;
  private lines: LineIndex | undefined;

  constructor(
    readonly text: string,
    parts: {
      config: ConfigCall | null;
      problems: string[];
      ifBlocks: JinjaIfBlock[];
      macroCalls: MacroCall[];
      varAliases: Map<string, string>;
      scan: SourceScan;
      lines: LineIndex | undefined;
    },
  ) {
    this.config = parts.config;
    this.problems = parts.problems;
    this.ifBlocks = parts.ifBlocks;
    this.macroCalls = parts.macroCalls;
    this.varAliases = parts.varAliases;
    this.scan = parts.scan;
    this.lines = parts.lines;
  }

  get code(): string {
    this.codeText ??= blank(this.text, this.scan.commentSpans);
    return this.codeText;
  }

  private get index(): LineIndex {
    this.lines ??= new LineIndex(this.text);
    return this.lines;
  }

  kwarg(name: string | readonly string[]): ConfigKwarg | undefined {
    const kwargs = this.config?.kwargs;
    if (kwargs === undefined) return undefined;
    const names: readonly string[] = typeof name === 'string' ? [name] : name;
    return kwargs.find((k) => names.includes(k.name));
  }

  positionAt(offset: number): Position {
    return this.index.positionAt(offset);
  }
  offsetAt(position: Position): number {
    return this.index.offsetAt(position);
  }
  rangeOf(span: Span): Range {
    return this.index.rangeOf(span);
  }
}

/** The text with each span's characters (line breaks kept) replaced by spaces; spans sorted by start. */
export function blank(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.end <= at) continue;
    const start = Math.max(s.start, at);
    out += text.slice(at, start);
    // Most spans (strings, one-line tags) hold no line break: a run of spaces, without a regex over the span.
    let lineBreak = false;
    for (let i = start; i < s.end && !lineBreak; i++) {
      const c = text.charCodeAt(i);
      lineBreak = c === 10 || c === 13;
    }
    out += lineBreak ? text.slice(start, s.end).replace(/[^\r\n]/g, ' ') : ' '.repeat(s.end - start);
    at = s.end;
  }
  return out + text.slice(at);
}

const scans = new WeakMap<ModelSource, SourceScan>();

/** The scan of a parsed source (re-parsed for a `ModelSource` that did not come from `parseModelSource`). */
export function sourceScan(src: ModelSource): SourceScan {
  if (src instanceof ParsedModelSource) return src.scan;
  let scan = scans.get(src);
  if (scan === undefined) {
    scan = (parseModelSource(src.text) as ParsedModelSource).scan;
    scans.set(src, scan);
  }
  return scan;
}

export function parseModelSource(text: string): ModelSource {
  return new Parser(text).run();
}

class Parser {
  private readonly n: number;
  private readonly problems: string[] = [];
  private readonly ifBlocks: JinjaIfBlock[] = [];
  private readonly macroCalls: MacroCall[] = [];
  private readonly varAliases = new Map<string, string>();
  private readonly jinjaSpans: Span[] = [];
  private readonly sqlStringSpans: Span[] = [];
  private readonly commentSpans: Span[] = [];
  private readonly stack: Frame[] = [];
  /** Open frames per tag, so a stray `end<tag>` costs no walk down a deep stack. */
  private readonly openTags = new Map<string, number>();
  private readonly configs: ConfigCandidate[] = [];
  private lines: LineIndex | undefined;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  private line(offset: number): number {
    this.lines ??= new LineIndex(this.text);
    return this.lines.positionAt(offset).line + 1;
  }

  run(): ModelSource {
    const { text, n } = this;
    // SQL state: 0 code, 1 line comment, 2 block comment, 3 quoted (quote in `quote`).
    let state = 0;
    let quote = 0;
    let from = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === LBRACE) {
        const d = text.charCodeAt(i + 1);
        if (d === LBRACE || d === PCT || d === HASH) {
          i = this.jinja(i, d, state === 1 || state === 2);
          continue;
        }
      }
      if (state === 0) {
        const d = text.charCodeAt(i + 1);
        if ((c === DASH && d === DASH) || (c === HASH && (d === 32 || d === 33))) {
          state = 1;
          from = i;
          i += 2;
          continue;
        }
        if (c === SLASH && d === STAR) {
          state = 2;
          from = i;
          i += 2;
          continue;
        }
        if (c === SQ || c === DQ || c === BQ) {
          state = 3;
          quote = c;
          from = i;
        }
        i++;
      } else if (state === 1) {
        if (c === LF || c === CR) {
          this.commentSpans.push({ start: from, end: i });
          state = 0;
        }
        i++;
      } else if (state === 2) {
        if (c === STAR && text.charCodeAt(i + 1) === SLASH) {
          this.commentSpans.push({ start: from, end: i + 2 });
          state = 0;
          i += 2;
        } else i++;
      } else {
        if (c === BS) i += 2;
        else if (c === quote) {
          if (text.charCodeAt(i + 1) === quote) i += 2;
          else {
            this.sqlStringSpans.push({ start: from, end: i + 1 });
            state = 0;
            i++;
          }
        } else i++;
      }
    }
    if (state === 1) this.commentSpans.push({ start: from, end: n });
    else if (state === 2) {
      this.commentSpans.push({ start: from, end: n });
      this.problems.push(`Unclosed SQL comment \`/*\` at line ${this.line(from)}.`);
    } else if (state === 3) {
      this.sqlStringSpans.push({ start: from, end: n });
      this.problems.push(`Unclosed SQL string at line ${this.line(from)}.`);
    }
    for (const f of this.stack) {
      this.problems.push(`Unclosed \`{% ${f.tag} %}\` at line ${this.line(f.start)}.`);
    }
    this.ifBlocks.sort((a, b) => a.span.start - b.span.start);
    this.commentSpans.sort((a, b) => a.start - b.start);
    return new ParsedModelSource(this.text, {
      config: this.readConfig(),
      problems: this.problems,
      ifBlocks: this.ifBlocks,
      macroCalls: this.macroCalls,
      varAliases: this.varAliases,
      scan: { jinjaSpans: this.jinjaSpans, sqlStringSpans: this.sqlStringSpans, commentSpans: this.commentSpans },
      lines: this.lines,
    });
  }

  /** A Jinja construct at `i` (`{{`, `{%` or `{#`); returns the offset after it. */
  private jinja(i: number, kind: number, inSqlComment: boolean): number {
    const { text, n } = this;
    if (kind === HASH) {
      const close = text.indexOf('#}', i + 2);
      const end = close < 0 ? n : close + 2;
      if (close < 0) this.problems.push(`Unclosed Jinja comment \`{#\` at line ${this.line(i)}.`);
      this.commentSpans.push({ start: i, end });
      return end;
    }
    const scan = this.blockEnd(i + 2, kind === LBRACE ? RBRACE : PCT);
    const end = scan.end;
    if (!scan.closed) this.problems.push(`Unclosed \`${kind === LBRACE ? '{{' : '{%'}\` at line ${this.line(i)}.`);
    let innerStart = i + 2;
    const t = text.charCodeAt(innerStart);
    if (t === DASH || t === PLUS) innerStart++;
    let innerEnd = scan.delimited ? end - 2 : end;
    const u = text.charCodeAt(innerEnd - 1);
    if (scan.delimited && innerEnd - 1 >= innerStart && (u === DASH || u === PLUS)) innerEnd--;
    if (innerEnd < innerStart) innerEnd = innerStart;
    const span = { start: i, end };
    this.jinjaSpans.push(span);
    if (kind === LBRACE) this.expression(span, innerStart, innerEnd, inSqlComment);
    else return this.statement(span, innerStart, innerEnd);
    return end;
  }

  /**
   * The end of a block whose inside starts at `from`: after its `}}`/`%}` at bracket depth 0 outside strings.
   * When brackets do not balance, the block ends at the first closing delimiter after all (`delimited`), else just
   * before the next Jinja opener, else at the end of the text. A `{{`, `{%` or `{#` outside strings is never valid
   * inside a Jinja block, so the scan stops there: each character is scanned about once, however many blocks are
   * left open while typing.
   */
  private blockEnd(from: number, close: number): { end: number; closed: boolean; delimited: boolean } {
    const { text, n } = this;
    let depth = 0;
    let plain = -1;
    let j = from;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === SQ || c === DQ) {
        j = skipJinjaString(text, j, n) - 1;
      } else if (c === LBRACE) {
        const d = text.charCodeAt(j + 1);
        if (d === LBRACE || d === PCT || d === HASH) break;
        depth++;
      } else if (c === 40 || c === 91) {
        depth++;
      } else if (c === close && text.charCodeAt(j + 1) === RBRACE) {
        if (depth === 0) return { end: j + 2, closed: true, delimited: true };
        if (plain < 0) plain = j + 2;
        if (c === RBRACE) depth--; // the first `}` of `}}` closes a dict
      } else if (c === 41 || c === 93 || c === RBRACE) {
        if (depth > 0) depth--;
      }
    }
    if (plain >= 0) return { end: plain, closed: false, delimited: true };
    return { end: j, closed: false, delimited: false };
  }

  /** `{{ ... }}`: a macro call when the whole expression is one call. */
  private expression(span: Span, innerStart: number, innerEnd: number, inSqlComment: boolean): void {
    const { text } = this;
    let j = innerStart;
    while (j < innerEnd && isSpace(text.charCodeAt(j))) j++;
    const nameStart = j;
    if (!isIdentStart(text.charCodeAt(j))) return;
    // name(.name)*
    for (;;) {
      while (j < innerEnd && isIdentPart(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46 && isIdentStart(text.charCodeAt(j + 1))) j++;
      else break;
    }
    const nameEnd = j;
    while (j < innerEnd && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== 40 || j >= innerEnd) return;
    const open = j;
    const name = text.slice(nameStart, nameEnd);
    const close = matchClose(text, open, innerEnd);
    if (close < 0) {
      if (name === 'config') this.configs.push({ blockSpan: span, nameStart, open, close: -1, inSqlComment });
      return;
    }
    let k = close + 1;
    while (k < innerEnd && isSpace(text.charCodeAt(k))) k++;
    if (k < innerEnd) return;
    const args: string[] = [];
    for (const piece of splitTopLevel(text, open + 1, close)) {
      const p = trimSpan(text, piece);
      if (p.end > p.start) args.push(text.slice(p.start, p.end));
    }
    this.macroCalls.push({ name, args, span });
    if (name === 'config') this.configs.push({ blockSpan: span, nameStart, open, close, inSqlComment });
  }

  /** `{% ... %}`; returns the offset to continue scanning from. */
  private statement(span: Span, innerStart: number, innerEnd: number): number {
    const { text } = this;
    let j = innerStart;
    while (j < innerEnd && isSpace(text.charCodeAt(j))) j++;
    const tagStart = j;
    while (j < innerEnd && isIdentPart(text.charCodeAt(j))) j++;
    const tag = text.slice(tagStart, j);
    const rest = trimSpan(text, { start: j, end: innerEnd });
    const restText = text.slice(rest.start, rest.end);
    switch (tag) {
      case 'if':
        this.push({ tag, start: span.start, branches: [{ kind: 'if', tagStart: span.start, tagEnd: span.end, condition: restText }] });
        break;
      case 'elif':
      case 'else': {
        const top = this.stack[this.stack.length - 1];
        if (top?.tag === 'if') {
          if (top.branches[top.branches.length - 1]?.kind === 'else') {
            this.problems.push(`\`{% ${tag} %}\` after \`{% else %}\` at line ${this.line(span.start)}.`);
          } else {
            top.branches.push({ kind: tag, tagStart: span.start, tagEnd: span.end, condition: tag === 'elif' ? restText : '' });
          }
        } else if (!(tag === 'else' && top?.tag === 'for')) {
          this.problems.push(`\`{% ${tag} %}\` outside \`{% if %}\` at line ${this.line(span.start)}.`);
        }
        break;
      }
      case 'raw': {
        const re = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
        re.lastIndex = span.end;
        const m = re.exec(text);
        if (m === null) {
          this.problems.push(`Unclosed \`{% raw %}\` at line ${this.line(span.start)}.`);
          return this.n;
        }
        const end = m.index + m[0].length;
        this.jinjaSpans.push({ start: m.index, end });
        return end;
      }
      case 'set':
        if (this.isBlockSet(rest)) this.push({ tag, start: span.start, branches: [] });
        else this.alias(rest);
        break;
      default:
        if (tag.startsWith('end') && tag.length > 3) this.close(tag.slice(3), span);
        else if (BLOCK_TAGS.has(tag)) this.push({ tag, start: span.start, branches: [] });
    }
    return span.end;
  }

  private isBlockSet(rest: Span): boolean {
    const pieces = splitTopLevel(this.text, rest.start, rest.end, 61 /* = */);
    // `a = b` splits in two; `a == b` cannot appear in a set target.
    return pieces.length < 2;
  }

  /** `set x = var('y', ...)...` makes x an alias of var y. */
  private alias(rest: Span): void {
    const tokens = tokenizeJinja(this.text, rest.start, rest.end);
    const [target, eq, fn, paren, arg] = tokens;
    if (target?.type !== 'name' || eq?.value !== '=' || fn?.value !== 'var' || paren?.value !== '(' || arg?.type !== 'string') return;
    this.varAliases.set(target.value, arg.value);
  }

  private push(frame: Frame): void {
    this.stack.push(frame);
    this.openTags.set(frame.tag, (this.openTags.get(frame.tag) ?? 0) + 1);
  }

  private close(tag: string, span: Span): void {
    let k = -1;
    if ((this.openTags.get(tag) ?? 0) > 0) {
      k = this.stack.length - 1;
      while (k >= 0 && (this.stack[k] as Frame).tag !== tag) k--;
    }
    if (k < 0) {
      this.problems.push(`\`{% end${tag} %}\` without \`{% ${tag} %}\` at line ${this.line(span.start)}.`);
      return;
    }
    for (let m = this.stack.length - 1; m >= k; m--) {
      const f = this.stack[m] as Frame;
      this.openTags.set(f.tag, (this.openTags.get(f.tag) ?? 1) - 1);
      if (m > k) this.problems.push(`Unclosed \`{% ${f.tag} %}\` at line ${this.line(f.start)}.`);
    }
    const frame = this.stack[k] as Frame;
    this.stack.length = k;
    if (tag !== 'if') return;
    const { branches } = frame;
    const elseBranch = branches.find((b) => b.kind === 'else');
    const elseSpan = elseBranch === undefined ? null : { start: elseBranch.tagEnd, end: span.start };
    // An `elif` is an `if` nested in the previous branch's else, so it is a block of its own too.
    for (let b = 0; b < branches.length; b++) {
      const branch = branches[b] as Frame['branches'][number];
      if (branch.kind === 'else') continue;
      const next = branches[b + 1];
      this.ifBlocks.push({
        condition: branch.condition,
        span: { start: branch.tagStart, end: span.end },
        thenSpan: { start: branch.tagEnd, end: next === undefined ? span.start : next.tagStart },
        elseSpan,
      });
    }
  }

  private readConfig(): ConfigCall | null {
    // dbt renders a config() in a SQL comment too, but a commented-out call is not the one to edit.
    const c = this.configs.find((x) => !x.inSqlComment) ?? this.configs[0];
    if (c === undefined) return null;
    const { text } = this;
    if (c.close < 0) {
      this.problems.push(`Unclosed \`config(\` at line ${this.line(c.nameStart)}.`);
      return null;
    }
    const pieces = splitTopLevel(text, c.open + 1, c.close).map((p) => trimSpan(text, p));
    const kwargs: ConfigKwarg[] = [];
    let trailingComma = false;
    for (let p = 0; p < pieces.length; p++) {
      const piece = pieces[p] as Span;
      if (piece.end === piece.start) {
        if (p === pieces.length - 1 && p > 0) trailingComma = true;
        continue;
      }
      let j = piece.start;
      if (!isIdentStart(text.charCodeAt(j))) continue;
      while (j < piece.end && isIdentPart(text.charCodeAt(j))) j++;
      const nameSpan = { start: piece.start, end: j };
      while (j < piece.end && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 61 || text.charCodeAt(j + 1) === 61) continue; // positional
      const valueSpan = trimSpan(text, { start: j + 1, end: piece.end });
      const name = text.slice(nameSpan.start, nameSpan.end);
      if (valueSpan.end === valueSpan.start) {
        this.problems.push(`\`config()\` argument \`${name}\` has no value at line ${this.line(nameSpan.start)}.`);
        valueSpan.start = valueSpan.end = j + 1;
      }
      kwargs.push({
        name,
        span: { start: nameSpan.start, end: valueSpan.end },
        nameSpan,
        valueSpan,
        valueText: text.slice(valueSpan.start, valueSpan.end),
        value: readConfigValue(text, valueSpan.start, valueSpan.end),
      });
    }
    let kwargIndent: string | null = null;
    const first = kwargs[0];
    if (first !== undefined) {
      let s = first.nameSpan.start;
      while (s > 0 && (text.charCodeAt(s - 1) === 32 || text.charCodeAt(s - 1) === 9)) s--;
      if (s === 0 || text.charCodeAt(s - 1) === LF || text.charCodeAt(s - 1) === CR) kwargIndent = text.slice(s, first.nameSpan.start);
    }
    return {
      span: { start: c.nameStart, end: c.close + 1 },
      blockSpan: c.blockSpan,
      openParen: c.open + 1,
      closeParen: c.close,
      kwargs,
      kwargIndent,
      trailingComma,
    };
  }
}
