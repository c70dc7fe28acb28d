import { splitTopLevel, trimSpan } from '../source/jinjaText';
import type { ModelSource } from '../source/types';
import type { Fix } from '../types';
import { eolOf, indentBefore, insertKwargs, newConfigBlock, quoteOf, quoted, toTextEdit, type OffsetEdit } from './configEdits';

/**
 * Adds `tag` to the model's `config(tags=...)`: appended to an existing list in its style (quotes, separator,
 * one item per line), a string `tags='x'` made a list, another expression concatenated with `+ ['tag']`; else a
 * `tags=[...]` kwarg, else a new `{{ config(tags=[...]) }}` at the top. No edit when the tag is already there.
 */
export function addTagFix(src: ModelSource, file: string, tag: string): Fix {
  const title = `Add the ${tag} tag`;
  const edit = tagEdit(src, tag);
  return { kind: 'add-tag', title, changes: [{ file, edits: edit === null ? [] : [toTextEdit(src, edit)] }] };
}

function tagEdit(src: ModelSource, tag: string): OffsetEdit | null {
  const { text } = src;
  const config = src.config;
  const kwarg = src.kwarg('tags');
  if (config === null) return newConfigBlock(src, [['tags', `[${quoted(tag, "'")}]`]]);
  if (kwarg === undefined) return insertKwargs(src, config, [['tags', `[${quoted(tag, quoteOf(src))}]`]]);
  const q = quoteOf(src, kwarg.valueSpan);
  const item = quoted(tag, q);
  const { value, valueSpan } = kwarg;
  switch (value.kind) {
    case 'string':
      if (value.value === tag) return null;
      return { ...valueSpan, newText: `[${kwarg.valueText}, ${item}]` };
    case 'none':
      return { ...valueSpan, newText: `[${item}]` };
    case 'list': {
      if (value.items.some((i) => i.kind === 'string' && i.value === tag)) return null;
      if (text[valueSpan.start] !== '[') {
        // A tuple (a tuple plus a list does not render): the same items as a list.
        const items = splitTopLevel(text, valueSpan.start + 1, valueSpan.end - 1)
          .map((p) => trimSpan(text, p))
          .filter((p) => p.end > p.start)
          .map((p) => text.slice(p.start, p.end));
        return { ...valueSpan, newText: `[${[...items, item].join(', ')}]` };
      }
      const close = valueSpan.end - 1;
      const items = splitTopLevel(text, valueSpan.start + 1, close).map((p) => trimSpan(text, p));
      const filled = items.filter((p) => p.end > p.start);
      const lastItem = filled[filled.length - 1];
      if (lastItem === undefined) return { start: close, end: close, newText: item };
      let sep: string;
      const second = filled[1];
      if (second !== undefined) {
        sep = text.slice((filled[0] as typeof lastItem).end, second.start);
      } else {
        const ind = indentBefore(text, lastItem.start);
        sep = ind === null ? ', ' : ',' + eolOf(text) + ind;
      }
      const trailing = items.length > filled.length && (items[items.length - 1] as typeof lastItem).end === (items[items.length - 1] as typeof lastItem).start;
      if (trailing) {
        const comma = text.indexOf(',', lastItem.end);
        return { start: comma + 1, end: comma + 1, newText: sep.slice(sep.indexOf(',') + 1) + item + ',' };
      }
      return { start: lastItem.end, end: lastItem.end, newText: sep + item };
    }
    case 'call':
      return { start: valueSpan.end, end: valueSpan.end, newText: ` + [${item}]` };
    default:
      break;
  }
  // Any other expression: concatenate, parenthesized so a conditional stays whole.
  return { ...valueSpan, newText: `(${kwarg.valueText}) + [${item}]` };
}
