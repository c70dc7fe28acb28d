import { blank, sourceScan } from './parseModelSource';
import type { ModelSource, Span } from './types';

const masks = new WeakMap<ModelSource, string>();

/**
 * The source with comments, SQL quoted literals and every Jinja construct blanked (same offsets, line breaks
 * kept): what is left is SQL the model writes itself, for keyword searches that must not match a string or a
 * comment. Computed once per source.
 */
export function maskedSql(src: ModelSource): string {
  let mask = masks.get(src);
  if (mask === undefined) {
    const scan = sourceScan(src);
    const spans: Span[] = [...scan.commentSpans, ...scan.sqlStringSpans, ...scan.jinjaSpans];
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    mask = blank(src.text, spans);
    masks.set(src, mask);
  }
  return mask;
}
