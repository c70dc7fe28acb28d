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

/** One item of a SELECT list: its output name and the expression that computes it (as written, comments kept). */
export interface SelectItem {
  name: string;
  expression: string;
}

/**
 * The items of the outermost SELECT of compiled SQL, as far as they can be read without a SQL parser: `expr AS name`
 * and bare `col`/`t.col` items at parenthesis depth 0 between the first top-level SELECT and its FROM. Strings and
 * comments are skipped; CTEs (`WITH x AS (...)`) are at depth 1 inside their parentheses. `expression` is the text
 * before the item's last top-level `AS` (the column itself for a bare item).
 */
export function outerSelectItems(sql: string): SelectItem[] {
  const masked = sql.replace(MASKED, (m) => m.replace(/[^\n]/g, ' '));
  // The same text with everything inside parentheses blanked (same length, so offsets hold in `sql`).
  let depth = 0;
  let flat = '';
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i]!;
    if (c === '(') {
      flat += depth === 0 ? '(' : ' ';
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      flat += depth === 0 ? ')' : ' ';
    } else {
      flat += depth === 0 || c === '\n' ? c : ' ';
    }
  }
  const select = /\bSELECT\b/i.exec(flat);
  if (!select) return [];
  const listStart = select.index + select[0].length;
  const from = /\bFROM\b/i.exec(flat.slice(listStart));
  const listEnd = from ? listStart + from.index : flat.length;
  const out: SelectItem[] = [];
  let itemStart = listStart;
  for (let i = listStart; i <= listEnd; i++) {
    if (i < listEnd && flat[i] !== ',') continue;
    const text = flat.slice(itemStart, i);
    const lead = /^\s*(?:DISTINCT\s+)?/i.exec(text)![0].length;
    const body = text.slice(lead).trimEnd();
    const bodyAt = itemStart + lead;
    itemStart = i + 1;
    if (body === '') continue;
    let alias: RegExpMatchArray | null = null;
    for (const m of body.matchAll(ALIAS)) alias = m;
    if (alias) {
      out.push({ name: alias[1]!.replace(/^[`"]|[`"]$/g, ''), expression: sql.slice(bodyAt, bodyAt + (alias.index ?? 0)).trim() });
      continue;
    }
    const bare = BARE_COLUMN.exec(body);
    if (bare) out.push({ name: bare[1]!, expression: sql.slice(bodyAt, bodyAt + body.length).trim() });
  }
  return out;
}

/** The output columns of the outermost SELECT of compiled SQL (see outerSelectItems). */
export function outerSelectColumns(sql: string): string[] {
  return outerSelectItems(sql).map((i) => i.name);
}

/**
 * The column names an SQL expression reads: identifiers outside strings and comments that are not a function's name
 * (followed by `(`) or a table qualifier (followed by `.`); `t.col` gives `col`. Keywords come out too (AND, NULL):
 * callers match names they look for.
 */
export function referencedNames(expression: string): string[] {
  const masked = expression.replace(MASKED, (m) => m.replace(/[^\n]/g, ' '));
  const out: string[] = [];
  for (const m of masked.matchAll(/`([^`]+)`|\b([A-Za-z_][A-Za-z0-9_]*)\b/g)) {
    const after = masked.slice(m.index + m[0].length);
    if (/^\s*[(.]/.test(after)) continue;
    out.push(m[1] ?? m[2]!);
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
