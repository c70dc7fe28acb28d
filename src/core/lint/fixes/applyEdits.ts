import { LineIndex } from '../source/lineIndex';
import type { TextEdit } from '../types';

/**
 * The text after the edits, which must not overlap (any order; inserts at one position keep their array order,
 * as LSP applies them). Throws on overlapping edits: that is a bug in the fix, not in the user's text.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const lines = new LineIndex(text);
  const spans = edits
    .map((e, i) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText, i }))
    .sort((a, b) => a.start - b.start || a.i - b.i);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at || s.end < s.start) throw new Error(`applyEdits: overlapping edits at offset ${s.start}`);
    out += text.slice(at, s.start) + s.newText;
    at = s.end;
  }
  return out + text.slice(at);
}
