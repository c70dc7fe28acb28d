import type { ModelSource } from '../source/types';
import type { Fix } from '../types';
import { insertKwargs, newConfigBlock, toTextEdit, type OffsetEdit } from './configEdits';

/** Adds `full_refresh=false`, or sets an existing `full_refresh` (true, or any expression) to false. */
export function fullRefreshFalseFix(src: ModelSource, file: string): Fix {
  const kwarg = src.kwarg('full_refresh');
  // Python-style capitals when the call writes its literals that way.
  const literal = /\b(True|False|None)\b/.test(src.config === null ? '' : src.text.slice(src.config.span.start, src.config.span.end)) ? 'False' : 'false';
  let edit: OffsetEdit | null;
  if (kwarg !== undefined) {
    edit = kwarg.value.kind === 'bool' && !kwarg.value.value ? null : { ...kwarg.valueSpan, newText: literal };
  } else if (src.config === null) {
    edit = newConfigBlock(src, [['full_refresh', literal]]);
  } else {
    edit = insertKwargs(src, src.config, [['full_refresh', literal]]);
  }
  return {
    kind: 'full-refresh-false',
    title: kwarg === undefined ? `Add full_refresh=${literal}` : `Set full_refresh=${literal}`,
    changes: [{ file, edits: edit === null ? [] : [toTextEdit(src, edit)] }],
  };
}
