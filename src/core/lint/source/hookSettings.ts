import { tokenizeJinja, type JinjaToken } from './jinjaText';
import { readConfigValue } from './readConfigValue';
import type { ConfigValue } from './types';

export interface SetStatement {
  setting: string;
  /** As written, trimmed: `8589934592`, `'grace_hash'`. */
  value: string;
}

export interface HookSettings {
  /** Calls in the hook value, by name, deduplicated: `refill_safe_pre_hook`. */
  macros: string[];
  /** Literal `SET a = b[, c = d]` statements, in order. */
  setStatements: SetStatement[];
}

/**
 * What a `pre_hook=`/`post_hook=` value establishes: the macros it calls (alone, in a list, in a concatenation
 * such as `refill_safe_pre_hook() + ["SET x = 1"]`) and the `SET` statements of its string literals (a dbt hook
 * dict's `sql` included). Takes the parsed value or its text.
 */
export function hookSettings(value: ConfigValue | string): HookSettings {
  const out: HookSettings = { macros: [], setStatements: [] };
  walk(typeof value === 'string' ? readConfigValue(value) : value, out);
  out.macros = [...new Set(out.macros)];
  return out;
}

function walk(value: ConfigValue, out: HookSettings): void {
  switch (value.kind) {
    case 'call':
      out.macros.push(value.name);
      return;
    case 'string':
      out.setStatements.push(...parseSetStatements(value.value));
      return;
    case 'list':
      for (const item of value.items) walk(item, out);
      return;
    case 'dict':
      for (const e of value.entries) if (e.key === 'sql') walk(e.value, out);
      return;
    case 'expression': {
      const tokens = tokenizeJinja(value.text);
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k] as JinjaToken;
        if (t.type === 'string') out.setStatements.push(...parseSetStatements(t.value));
        else if (t.type === 'name' && tokens[k - 1]?.value !== '.') {
          let name = t.value;
          let j = k + 1;
          while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name') {
            name += '.' + (tokens[j + 1] as JinjaToken).value;
            j += 2;
          }
          if (tokens[j]?.value === '(') out.macros.push(name);
        }
      }
      return;
    }
    default:
      return;
  }
}

/**
 * The `SET` statements of a SQL string (several `;`-separated statements, each `SET a = 1, b = 'x'`), such as
 * the rendered hook SQL of the manifest. Other statements are skipped; comments are ignored.
 */
export function parseSetStatements(sql: string): SetStatement[] {
  const out: SetStatement[] = [];
  for (const statement of splitSql(stripComments(sql), ';')) {
    const m = /^\s*set\s+/i.exec(statement);
    if (m === null) continue;
    for (const assignment of splitSql(statement.slice(m[0].length), ',')) {
      const eq = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=(?!=)/.exec(assignment);
      if (eq === null) continue;
      const value = assignment.slice(eq[0].length).trim();
      if (value !== '') out.push({ setting: eq[1] as string, value });
    }
  }
  return out;
}

/** Pieces between `sep` characters outside quotes and brackets. */
function splitSql(sql: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(sql, i);
    } else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === sep && depth === 0) {
      out.push(sql.slice(from, i));
      from = i + 1;
    }
  }
  out.push(sql.slice(from));
  return out;
}

/** Index of the closing quote of the literal opening at `i` (backslash and doubled-quote escapes). */
function skipQuoted(sql: string, i: number): number {
  const q = sql[i];
  for (let j = i + 1; j < sql.length; j++) {
    const ch = sql[j];
    if (ch === '\\') j++;
    else if (ch === q) {
      if (sql[j + 1] === q) j++;
      else return j;
    }
  }
  return sql.length;
}

function stripComments(sql: string): string {
  if (!sql.includes('--') && !sql.includes('/*')) return sql;
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = skipQuoted(sql, i);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      out += ' ';
    } else out += ch;
  }
  return out;
}
