import type { JinjaIfBlock, Span } from './source/types';

/** The `{% if ... %}` tag of a block alone (a finding on a whole block would underline all of it). */
export function ifTagSpan(block: JinjaIfBlock, text: string): Span {
  let end = block.thenSpan.start;
  while (end > block.span.start && /\s/.test(text[end - 1] ?? '')) end--;
  return { start: block.span.start, end };
}
