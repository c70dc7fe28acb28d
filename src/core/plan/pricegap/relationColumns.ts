import type { ManifestNode } from '../../manifest/types';

/** Where a model's column list came from: its .yml docs, the outer SELECT of its compiled SQL, both, or neither. */
export type ColumnSource = 'documented' | 'compiled-sql' | 'documented+compiled-sql' | 'unknown';

export interface RelationColumns {
  source: ColumnSource;
  columns: string[];
}

/** Names a model documents under `columns:` (the manifest's `columns` keys, as written). */
export function documentedColumns(node: ManifestNode): string[] {
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
  const masked = sql.replace(MASKED, (m) => m.replace(/[^\n]/g, ' '));
  // The text at parenthesis depth 0, each parenthesized group replaced by one space.
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 40 /* ( */) {
      if (depth === 0) pieces.push(masked.slice(start, i), ' ');
      depth++;
    } else if (c === 41 /* ) */ && depth > 0) {
      depth--;
      if (depth === 0) start = i + 1;
    }
  }
  if (depth === 0) pieces.push(masked.slice(start));
  const flat = pieces.join('');
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

/** Comments and quoted strings (backslash escapes, as ClickHouse reads them), blanked before scanning. */
const MASKED = /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^'\\]|\\[\s\S])*(?:'|$)/g;

/**
 * A model's columns as far as the manifest tells: the documented ones (dbt's .yml record, often partial) and the
 * outer SELECT of its compiled SQL (`compiled_code`; empty for `SELECT *` or when the manifest has no compiled code).
 * A name in either is a column of the relation.
 */
export function relationColumns(node: ManifestNode): RelationColumns {
  const docs = documentedColumns(node);
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
