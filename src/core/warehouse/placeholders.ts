import { checkParam, type SqlParam, type SqlParams } from './sqlValue';
import { invalidInput, type Engine } from './warehouseError';

/**
 * Replaces each `{name}` placeholder of `sql` (outside string literals, quoted identifiers and comments) with what
 * `render` returns for it: the engine's own parameter syntax, or a quoted literal where the engine has no
 * parameters. Every placeholder needs a value and every value a placeholder: a typo is an error, not a silent
 * NULL or an unused filter. ClickHouse's own `{name:Type}` is left alone (it has a colon).
 */
export function bindPlaceholders(
  sql: string,
  params: SqlParams | undefined,
  engine: Engine,
  render: (name: string, value: SqlParam) => string,
): string {
  const given = params ?? {};
  const used = new Set<string>();
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      // A quoted run ends at the same quote not escaped by doubling (or, where the engine reads them, a backslash).
      const backslash = engine === 'clickhouse' || (engine === 'snowflake' && c === "'");
      let j = i + 1;
      while (j < n) {
        if (backslash && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const j = sql.indexOf('\n', i);
      const end = j === -1 ? n : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j === -1 ? n : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '{') {
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(sql.slice(i, i + 200));
      if (!m) {
        out += c;
        i++;
        continue;
      }
      const name = m[1]!;
      if (!Object.prototype.hasOwnProperty.call(given, name)) {
        throw invalidInput(`The statement uses {${name}}, but no value was given for it.`, `Pass ${name} in the parameters (given: ${Object.keys(given).join(', ') || 'none'}).`, engine);
      }
      used.add(name);
      out += render(name, checkParam(given[name], name));
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  const unused = Object.keys(given).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw invalidInput(`The parameter(s) ${unused.join(', ')} are not used by the statement (no {${unused[0]}} in it).`, 'Remove them or add the placeholder.', engine);
  }
  return out;
}
