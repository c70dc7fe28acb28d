import type { ManifestNode } from '../../manifest/types';

/** Where a model's column list came from: its .yml docs, the outer SELECT of its compiled SQL, both, or neither. */
export type ColumnSource = 'documented' | 'compiled-sql' | 'documented+compiled-sql' | 'unknown';

export interface RelationColumns {
  source: ColumnSource;
  columns: string[];
}

/** Names a model documents under `columns:` (the manifest's `columns` keys, as written). */
function documented(node: ManifestNode): string[] {
  const cols = node.raw.columns;
  if (typeof cols !== 'object' || cols === null || Array.isArray(cols)) return [];
  return Object.entries(cols as Record<string, unknown>).map(([key, v]) => {
    const name = typeof v === 'object' && v !== null ? (v as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? name : key;
  });
}

const ALIAS = /\bAS\s+(`[^`]+`|"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)/gi;
const BARE_COLUMN = /^(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * The output columns of the outermost SELECT of compiled SQL, as far as they can be read without a SQL parser:
 * `expr AS name` and bare `col`/`t.col` items at parenthesis depth 0 between the first top-level SELECT and its
 * FROM. Strings and comments are skipped; CTEs (`WITH x AS (...)`) are at depth 1 inside their parentheses.
 */
export function outerSelectColumns(sql: string): string[] {
  const masked = maskStringsAndComments(sql);
  // Depth-0 text only; everything in parentheses becomes spaces (offsets kept).
  let depth = 0;
  let flat = '';
  for (const c of masked) {
    if (c === '(') {
      depth++;
      flat += ' ';
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      flat += ' ';
    } else flat += depth === 0 ? c : c === '\n' ? '\n' : ' ';
  }
  const select = /\bSELECT\b/i.exec(flat);
  if (!select) return [];
  const rest = flat.slice(select.index + select[0].length);
  const from = /\bFROM\b/i.exec(rest);
  const list = from ? rest.slice(0, from.index) : rest;
  const out: string[] = [];
  for (const item of list.split(',')) {
    const text = item.trim().replace(/^DISTINCT\s+/i, '');
    if (text === '') continue;
    let name: string | null = null;
    for (const m of text.matchAll(ALIAS)) name = m[1]!;
    if (name === null) {
      const bare = BARE_COLUMN.exec(text);
      if (bare) name = bare[1]!;
    }
    if (name !== null) out.push(name.replace(/^[`"]|[`"]$/g, ''));
  }
  return out;
}

function maskStringsAndComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'") {
      let j = i + 1;
      while (j < sql.length && sql[j] !== "'") j += sql[j] === '\\' ? 2 : 1;
      const stop = Math.min(sql.length, j + 1);
      out += ' '.repeat(stop - i);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * A model's columns as far as the manifest tells: the documented ones (dbt's .yml record, often partial) and the
 * outer SELECT of its compiled SQL (`compiled_code`; empty for `SELECT *` or when the manifest has no compiled code).
 * A name in either is a column of the relation.
 */
export function relationColumns(node: ManifestNode): RelationColumns {
  const docs = documented(node);
  const compiled = node.compiledCode ? outerSelectColumns(node.compiledCode) : [];
  const seen = new Set<string>();
  const columns: string[] = [];
  for (const c of [...docs, ...compiled]) {
    if (!seen.has(c)) {
      seen.add(c);
      columns.push(c);
    }
  }
  const source: ColumnSource = docs.length > 0 && compiled.length > 0 ? 'documented+compiled-sql' : docs.length > 0 ? 'documented' : compiled.length > 0 ? 'compiled-sql' : 'unknown';
  return { source, columns };
}
