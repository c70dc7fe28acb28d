/**
 * Character-level helpers over Jinja expression text (the inside of `{{ }}`/`{% %}`): Python-style strings,
 * bracket nesting, top-level splitting, and a small tokenizer. Linear, no regular expressions over whole files.
 */
import type { Span } from './types';

const SQ = 39; // '
const DQ = 34; // "
const BS = 92; // \

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** `i` is at a quote: the index just after the closing quote (backslash escapes), or `end` when unclosed. */
export function skipJinjaString(text: string, i: number, end: number): number {
  const q = text.charCodeAt(i);
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === BS) j++;
    else if (c === q) return j + 1;
  }
  return end;
}

/** `open` is at `(`, `[` or `{`: the index of its matching close, or -1 (strings and nesting respected). */
export function matchClose(text: string, open: number, end: number): number {
  let depth = 0;
  for (let j = open; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === SQ || c === DQ) {
      j = skipJinjaString(text, j, end) - 1;
    } else if (c === 40 || c === 91 || c === 123) {
      depth++;
    } else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) return j;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

/** Pieces of `[start, end)` between top-level commas, untrimmed (a trailing comma gives a last blank piece). */
export function splitTopLevel(text: string, start: number, end: number, sep = 44 /* , */): Span[] {
  const pieces: Span[] = [];
  let depth = 0;
  let from = start;
  for (let j = start; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === SQ || c === DQ) {
      j = skipJinjaString(text, j, end) - 1;
    } else if (c === 40 || c === 91 || c === 123) {
      depth++;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    } else if (c === sep && depth === 0) {
      pieces.push({ start: from, end: j });
      from = j + 1;
    }
  }
  pieces.push({ start: from, end });
  return pieces;
}

/** The span without leading and trailing whitespace. */
export function trimSpan(text: string, span: Span): Span {
  let s = span.start;
  let e = span.end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

export type JinjaTokenType = 'string' | 'number' | 'name' | 'op';
export interface JinjaToken {
  type: JinjaTokenType;
  /** Decoded for strings (no quotes), as written otherwise. */
  value: string;
  start: number;
  end: number;
  /** For strings: the quote character. */
  quote?: '"' | "'";
}

const TWO_CHAR_OPS = new Set(['==', '!=', '>=', '<=', '//', '**']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

function decodeString(text: string, start: number, end: number): string {
  // start/end exclude the quotes
  if (text.indexOf('\\', start) === -1 || text.indexOf('\\', start) >= end) return text.slice(start, end);
  let out = '';
  for (let j = start; j < end; j++) {
    const ch = text[j] as string;
    if (ch === '\\' && j + 1 < end) {
      const next = text[j + 1] as string;
      out += ESCAPES[next] ?? '\\' + next;
      j++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Tokens of a Jinja expression in `[start, end)`; whitespace is skipped, nothing throws. */
export function tokenizeJinja(text: string, start = 0, end = text.length): JinjaToken[] {
  const tokens: JinjaToken[] = [];
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === SQ || c === DQ) {
      const close = skipJinjaString(text, i, end);
      const closed = close <= end && text.charCodeAt(close - 1) === c && close - 1 > i;
      tokens.push({
        type: 'string',
        value: decodeString(text, i + 1, closed ? close - 1 : close),
        start: i,
        end: close,
        quote: c === SQ ? "'" : '"',
      });
      i = close;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < end) {
        const d = text.charCodeAt(j);
        if ((d >= 48 && d <= 57) || d === 95 || d === 46) j++;
        else if ((d === 101 || d === 69) && j + 1 < end) {
          const s = text.charCodeAt(j + 1);
          if (s === 43 || s === 45) j += 2;
          else j++;
        } else break;
      }
      tokens.push({ type: 'number', value: text.slice(i, j), start: i, end: j });
      i = j;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < end && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ type: 'name', value: text.slice(i, j), start: i, end: j });
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      const len = i + 1 < end && TWO_CHAR_OPS.has(two) ? 2 : 1;
      tokens.push({ type: 'op', value: text.slice(i, i + len), start: i, end: i + len });
      i += len;
    }
  }
  return tokens;
}
