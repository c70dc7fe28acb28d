import type { RecoveryProfile } from '../profile/recoveryProfile';
import { hookSettings } from '../source/hookSettings';
import { tokenizeJinja } from '../source/jinjaText';
import type { ConfigKwarg, ModelSource } from '../source/types';
import type { Fix } from '../types';
import { insertKwargs, newConfigBlock, toTextEdit, type OffsetEdit } from './configEdits';

/**
 * Adds `pre_hook=<preHookMacro>()` and `post_hook=<postHookMacro>()`. A hook the user already has is kept: the
 * pre-hook macro goes first (`M() + [existing]`, `M() + existing` for a list) so its caps hold while the user's
 * hooks run, the post-hook macro last (`[existing] + M()`) so the reset comes after them. A side whose macro is
 * already called is left alone.
 */
export function addHooksFix(src: ModelSource, file: string, profile: RecoveryProfile): Fix {
  const pre = `${profile.hooks.preHookMacro}()`;
  const post = `${profile.hooks.postHookMacro}()`;
  const title = `Add the ${pre}/${post} hooks`;
  const edits: OffsetEdit[] = [];
  const missing: Array<[string, string]> = [];
  const sides: Array<['pre_hook' | 'post_hook', string, string]> = [
    ['pre_hook', profile.hooks.preHookMacro, pre],
    ['post_hook', profile.hooks.postHookMacro, post],
  ];
  for (const [name, macro, call] of sides) {
    const kwarg = src.kwarg([name, name.replace('_', '-')]);
    if (kwarg === undefined) missing.push([name, call]);
    else if (!hookSettings(kwarg.value).macros.includes(macro)) edits.push(...keepExisting(src, kwarg, call, name === 'pre_hook'));
  }
  if (missing.length > 0) edits.push(src.config === null ? newConfigBlock(src, missing) : insertKwargs(src, src.config, missing));
  return { kind: 'add-hooks', title, changes: [{ file, edits: edits.map((e) => toTextEdit(src, e)) }] };
}

function keepExisting(src: ModelSource, kwarg: ConfigKwarg, call: string, first: boolean): OffsetEdit[] {
  const { start, end } = kwarg.valueSpan;
  const around = (before: string, after: string): OffsetEdit[] => [
    { start, end: start, newText: before },
    { start: end, end, newText: after },
  ];
  const v = kwarg.value;
  if (v.kind === 'none' || (v.kind === 'list' && v.items.length === 0) || (v.kind === 'string' && v.value.trim() === '')) {
    return [{ start, end, newText: call }];
  }
  if (v.kind === 'list' && src.text[start] === '[') return first ? around(`${call} + `, '') : around('', ` + ${call}`);
  // A tuple plus a list does not render: make it a list.
  if (v.kind === 'list') return first ? around(`${call} + (`, ' | list)') : around('(', ` | list) + ${call}`);
  if (v.kind === 'expression' && isListValued(src.text, start, end)) return first ? around(`${call} + (`, ')') : around('(', `) + ${call}`);
  return first ? around(`${call} + [`, ']') : around('[', `] + ${call}`);
}

/** A concatenation with a list literal operand (`a() + ['x']`, `['x'] + b`) is a list. */
function isListValued(text: string, start: number, end: number): boolean {
  const tokens = tokenizeJinja(text, start, end);
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.type !== 'op') continue;
    if (t.value === '[' && depth === 0 && (k === 0 || tokens[k - 1]?.value === '+')) return true;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
  }
  return false;
}
