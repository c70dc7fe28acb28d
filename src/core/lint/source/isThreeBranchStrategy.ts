import { tokenizeJinja, type JinjaToken } from './jinjaText';
import type { ConfigKwarg } from './types';

/** Defaults that make an unset var falsy, so the test falls through to the `else`. */
const FALSY = new Set(['none', 'None', 'false', 'False', '0']);

/**
 * Whether an `incremental_strategy` value is the three-branch expression
 * `'append' if (var('<startMonth>', none) or var('<incrementalEndDate>', none)) else '<strategy>'`:
 * any whitespace, quote style and extra parentheses, the two var tests in either order, any falsy default
 * (`none`, `None`, `false`, `''`), any strategy string in the `else`.
 */
export function isThreeBranchStrategy(kwarg: ConfigKwarg, vars: { startMonth: string; incrementalEndDate: string }): boolean {
  const tokens = tokenizeJinja(kwarg.valueText);
  const [a, b] = unwrap(tokens, 0, tokens.length);
  const ifAt = topLevel(tokens, a, b, 'if');
  const elseAt = ifAt < 0 ? -1 : topLevel(tokens, ifAt + 1, b, 'else');
  if (ifAt < 0 || elseAt < 0) return false;
  if (!isString(tokens, a, ifAt, 'append') || !isString(tokens, elseAt + 1, b)) return false;
  const [c, d] = unwrap(tokens, ifAt + 1, elseAt);
  const orAt = topLevel(tokens, c, d, 'or');
  if (orAt < 0 || topLevel(tokens, orAt + 1, d, 'or') >= 0) return false;
  const left = varTested(tokens, c, orAt);
  const right = varTested(tokens, orAt + 1, d);
  return (left === vars.startMonth && right === vars.incrementalEndDate) || (left === vars.incrementalEndDate && right === vars.startMonth);
}

/** `[a, b)` without parentheses that enclose all of it. */
function unwrap(tokens: JinjaToken[], a: number, b: number): [number, number] {
  while (b - a >= 2 && tokens[a]?.value === '(' && tokens[b - 1]?.value === ')' && closeOf(tokens, a) === b - 1) {
    a++;
    b--;
  }
  return [a, b];
}

function closeOf(tokens: JinjaToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k] as JinjaToken;
    if (t.type !== 'op') continue;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if ((t.value === ')' || t.value === ']' || t.value === '}') && --depth === 0) return k;
  }
  return -1;
}

/** First `name` keyword at bracket depth 0 in `[a, b)`, or -1. */
function topLevel(tokens: JinjaToken[], a: number, b: number, name: string): number {
  let depth = 0;
  for (let k = a; k < b; k++) {
    const t = tokens[k] as JinjaToken;
    if (t.type === 'op') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
    } else if (depth === 0 && t.type === 'name' && t.value === name) return k;
  }
  return -1;
}

function isString(tokens: JinjaToken[], a: number, b: number, value?: string): boolean {
  const [x, y] = unwrap(tokens, a, b);
  const t = tokens[x];
  return y === x + 1 && t?.type === 'string' && (value === undefined || t.value === value);
}

/** The var name of `var('<name>', <falsy>)` in `[a, b)`, else null. */
function varTested(tokens: JinjaToken[], a: number, b: number): string | null {
  const [x, y] = unwrap(tokens, a, b);
  const [fn, open, name, comma, dflt, close] = tokens.slice(x, y);
  if (y - x !== 6 || fn?.value !== 'var' || fn.type !== 'name' || open?.value !== '(' || name?.type !== 'string') return null;
  if (comma?.value !== ',' || close?.value !== ')' || dflt === undefined) return null;
  const falsy = (dflt.type === 'string' && dflt.value === '') || (dflt.type !== 'string' && FALSY.has(dflt.value));
  return falsy ? name.value : null;
}
