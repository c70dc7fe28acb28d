import type { RecoveryProfile } from '../profile/recoveryProfile';
import { isThreeBranchStrategy } from '../source/isThreeBranchStrategy';
import { tokenizeJinja } from '../source/jinjaText';
import type { ModelSource } from '../source/types';
import type { Fix } from '../types';
import { insertKwargs, newConfigBlock, quoteOf, quoted, toTextEdit, type OffsetEdit } from './configEdits';

/**
 * Makes `incremental_strategy` the three-branch expression
 * `('append' if (var('<startMonth>', none) or var('<incrementalEndDate>', none)) else '<strategy>')`, the `else`
 * keeping the current strategy (a plain string other than append, or the string `else` of a conditional), else
 * the profile's default. Null when it already is, for microbatch, and for a model the source says is not
 * incremental.
 */
export function strategyExpressionFix(src: ModelSource, file: string, profile: RecoveryProfile): Fix | null {
  const kwarg = src.kwarg('incremental_strategy');
  if (kwarg !== undefined && isThreeBranchStrategy(kwarg, profile.vars)) return null;
  const materialized = src.kwarg('materialized')?.value;
  if (materialized?.kind === 'string' && materialized.value !== 'incremental') return null;
  let strategy = profile.defaultStrategy;
  if (kwarg?.value.kind === 'string') {
    if (kwarg.value.value === 'microbatch') return null;
    if (kwarg.value.value !== 'append' && kwarg.value.value.trim() !== '') strategy = kwarg.value.value;
  } else if (kwarg !== undefined) {
    strategy = elseString(src.text, kwarg.valueSpan.start, kwarg.valueSpan.end) ?? strategy;
    if (strategy === 'append' || strategy === 'microbatch') strategy = profile.defaultStrategy;
  }
  const q = quoteOf(src, kwarg?.valueSpan);
  const { startMonth, incrementalEndDate } = profile.vars;
  const expression =
    `(${quoted('append', q)} if (var(${quoted(startMonth, q)}, none) or var(${quoted(incrementalEndDate, q)}, none))` +
    ` else ${quoted(strategy, q)})`;
  let edit: OffsetEdit;
  if (kwarg !== undefined) edit = { ...kwarg.valueSpan, newText: expression };
  else if (src.config === null) edit = newConfigBlock(src, [['incremental_strategy', expression]]);
  else edit = insertKwargs(src, src.config, [['incremental_strategy', expression]]);
  return {
    kind: 'strategy-expression',
    title: `Make incremental_strategy 'append' during a month refill, else '${strategy}'`,
    changes: [{ file, edits: [toTextEdit(src, edit)] }],
  };
}

/** The string after the last top-level `else` of a conditional expression, when it is a lone string. */
function elseString(text: string, start: number, end: number): string | null {
  const tokens = tokenizeJinja(text, start, end);
  let depth = 0;
  let at = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.type === 'op' && (t.value === '(' || t.value === '[' || t.value === '{')) depth++;
    else if (t?.type === 'op' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
    else if (t?.type === 'name' && t.value === 'else' && depth <= 1) at = k;
  }
  if (at < 0) return null;
  const rest = tokens.slice(at + 1).filter((t) => !(t.type === 'op' && t.value === ')'));
  return rest.length === 1 && rest[0]?.type === 'string' ? rest[0].value : null;
}
