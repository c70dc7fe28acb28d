import { tokenizeJinja, type JinjaToken } from './jinjaText';
import type { JinjaIfBlock, ModelSource } from './types';

/**
 * The `{% if start_month and end_month %}` branch: the first if-block (an `elif` counts) whose condition tests
 * both month vars, each by `var('<name>', ...)` or by a local set from it (`{% set start_month = var(...) %}`),
 * in any order or combination (`is not none`, `and`). A var tested under a bare `not` does not count.
 */
export function monthFilterBranch(src: ModelSource, vars: { startMonth: string; endMonth: string }): JinjaIfBlock | null {
  for (const block of src.ifBlocks) {
    const refs = testedVars(block.condition, src.varAliases);
    if (refs.has(vars.startMonth) && refs.has(vars.endMonth)) return block;
  }
  return null;
}

/** The var names a Jinja condition tests positively, directly or through a local alias. */
export function testedVars(condition: string, aliases: ReadonlyMap<string, string>): Set<string> {
  const tokens = tokenizeJinja(condition);
  const out = new Set<string>();
  const negated = (k: number): boolean => {
    const prev = tokens[k - 1];
    // `x is not none` is positive: `not` there follows `is`.
    return prev?.type === 'name' && prev.value === 'not' && tokens[k - 2]?.value !== 'is';
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as JinjaToken;
    if (t.type !== 'name' || tokens[k - 1]?.value === '.') continue;
    if (t.value === 'var' && tokens[k + 1]?.value === '(' && tokens[k + 2]?.type === 'string') {
      if (!negated(k)) out.add((tokens[k + 2] as JinjaToken).value);
      k += 2;
      continue;
    }
    const aliased = aliases.get(t.value);
    if (aliased !== undefined && tokens[k + 1]?.value !== '(' && !negated(k)) out.add(aliased);
  }
  return out;
}
