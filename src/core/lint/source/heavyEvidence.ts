import { maskedSql } from './maskedSql';
import type { HeavyEvidence, ModelSource, Span } from './types';

const MAX_TEXT = 80;

/**
 * Evidence in the model's own SQL that it is heavy: window functions (`f(...) OVER (...)`/`OVER w`, ClickHouse's
 * `lagInFrame` and friends included), `uniqExact`/`countDistinct` (and their combinators, `uniqExactIf`),
 * `count(DISTINCT ...)`, and each `GROUP BY`. Case-insensitive; comments, SQL strings and Jinja are ignored.
 * In source order.
 */
export function heavyEvidence(src: ModelSource): HeavyEvidence[] {
  const sql = maskedSql(src);
  const out: HeavyEvidence[] = [];
  const add = (kind: HeavyEvidence['kind'], span: Span, text?: string): void => {
    out.push({ kind, span, text: text ?? shown(src.text.slice(span.start, span.end)) });
  };

  for (const m of sql.matchAll(/\bover\b/gi)) {
    const over = m.index;
    let p = over - 1;
    while (p >= 0 && isBlank(sql.charCodeAt(p))) p--;
    if (sql.charCodeAt(p) !== 41 /* ) */) continue;
    const open = openOf(sql, p);
    if (open < 0) continue;
    let q = open - 1;
    while (q >= 0 && isBlank(sql.charCodeAt(q))) q--;
    let nameStart = q + 1;
    while (nameStart > 0 && isWord(sql.charCodeAt(nameStart - 1))) nameStart--;
    if (nameStart > q) continue; // `(...) OVER`: not a function call
    let r = over + 4;
    while (r < sql.length && isBlank(sql.charCodeAt(r))) r++;
    let end: number;
    if (sql.charCodeAt(r) === 40 /* ( */) {
      const close = closeOf(sql, r);
      end = close < 0 ? r + 1 : close + 1;
    } else if (isWordStart(sql.charCodeAt(r))) {
      end = r;
      while (end < sql.length && isWord(sql.charCodeAt(end))) end++;
    } else continue;
    add('window-function', { start: nameStart, end });
  }

  for (const m of sql.matchAll(/\b(uniqexact|countdistinct)\w*\s*\(/gi)) {
    const kind = (m[1] as string).toLowerCase() === 'uniqexact' ? 'uniqExact' : 'countDistinct';
    const open = m.index + m[0].length - 1;
    const close = closeOf(sql, open);
    add(kind, { start: m.index, end: close < 0 ? open + 1 : close + 1 });
  }

  for (const m of sql.matchAll(/\bcount\s*\(\s*distinct\b/gi)) {
    const open = sql.indexOf('(', m.index);
    const close = closeOf(sql, open);
    add('count-distinct', { start: m.index, end: close < 0 ? m.index + m[0].length : close + 1 });
  }

  for (const m of sql.matchAll(/\bgroup\s+by\b/gi)) {
    let end = m.index + m[0].length;
    while (end < sql.length && sql.charCodeAt(end) !== 10 && sql.charCodeAt(end) !== 13) end++;
    while (isBlank(sql.charCodeAt(end - 1))) end--;
    add('group-by', { start: m.index, end });
  }

  out.sort((a, b) => a.span.start - b.span.start);
  return out;
}

function shown(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= MAX_TEXT ? one : one.slice(0, MAX_TEXT - 1) + '…';
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isWord(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}

/** Parentheses only: in masked SQL there are no strings left to skip. */
function closeOf(sql: string, open: number): number {
  let depth = 0;
  for (let j = open; j < sql.length; j++) {
    const c = sql.charCodeAt(j);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return j;
  }
  return -1;
}
function openOf(sql: string, close: number): number {
  let depth = 0;
  for (let j = close; j >= 0; j--) {
    const c = sql.charCodeAt(j);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return j;
  }
  return -1;
}
