import type { ManifestNode } from '../../manifest/types';
import { uniqueKeyColumns } from './priceGapSql';
import { outerSelectItems, referencedNames } from './relationColumns';

/** A name that holds a price or a value in USD: `price`, `usd`, `*_price`, `*_usd` (any case). */
export const PRICE_OR_USD_NAME = /^(?:price|usd|[A-Za-z0-9_]+_price|[A-Za-z0-9_]+_usd)$/i;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A column of a model's key whose value is computed from a price or a USD value. */
export interface ValueDerivedKey {
  /** The key column (or key expression) as configured. */
  key: string;
  /** What computes it: its expression in the model's outer SELECT, or the key expression itself. */
  expression: string;
  /** The price / `*_usd` names that expression reads, in order of appearance. */
  reads: string[];
}

/** The key columns of a model as dbt-clickhouse uses them: its `unique_key` and its `order_by` (the
 * ReplacingMergeTree sorting key, what OPTIMIZE ... FINAL collapses on), each listed once, unique_key's first. */
export function keyColumns(node: ManifestNode): string[] {
  const orderBy = node.config.orderBy;
  const fromOrderBy = typeof orderBy === 'string' ? uniqueKeyColumns(orderBy) : Array.isArray(orderBy) && orderBy.every((x) => typeof x === 'string') ? uniqueKeyColumns(orderBy) : [];
  return [...new Set([...uniqueKeyColumns(node.config.uniqueKey), ...fromOrderBy])].filter((k) => k !== 'tuple()');
}

/**
 * The key columns of `node` whose value is derived from a price or a USD value, so that refilling prices can change
 * a row's key: a key column whose expression in the model's own outer SELECT (its compiled SQL: `multiIf(balance_usd
 * < 10, '0-10', ...) AS cohort`), or a key expression itself (`intDiv(amount_usd, 100)`, through the SELECT's
 * expressions of the names it uses), reads a name PRICE_OR_USD_NAME matches. A key that passes a column through
 * (`date`, `b.token_address`) is not derived here, whatever computed that column upstream. Without compiled SQL only
 * the key's own names are looked at.
 */
export function valueDerivedKeys(node: ManifestNode): ValueDerivedKey[] {
  const items = new Map(outerSelectItems(node.compiledCode ?? '').map((i) => [i.name, i.expression]));
  const out: ValueDerivedKey[] = [];
  for (const key of keyColumns(node)) {
    const expression = IDENT.test(key) ? (items.get(key) ?? key) : key;
    const names = referencedNames(expression);
    const through = IDENT.test(key) ? [] : names.flatMap((n) => (items.has(n) && items.get(n) !== n ? referencedNames(items.get(n)!) : []));
    const reads = [...new Set([...names, ...through].filter((n) => PRICE_OR_USD_NAME.test(n)))];
    if (reads.length > 0) out.push({ key, expression: expression.replace(/\s+/g, ' '), reads });
  }
  return out;
}
