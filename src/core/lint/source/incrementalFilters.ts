import { tokenizeJinja } from './jinjaText';
import { maskedSql } from './maskedSql';
import type { JinjaIfBlock, MacroCall, ModelSource, Span } from './types';

export interface IncrementalFilter {
  kind: 'lookback-macro' | 'is-incremental-block';
  span: Span;
  call?: MacroCall;
  block?: JinjaIfBlock;
}

/**
 * Where the model filters its incremental read, in source order: each `{{ <lookbackMacro>(...) }}` call, and each
 * outermost `{% if is_incremental() %}` block that calls no lookback macro (a bypass). Only a block whose body
 * opens with `WHERE`, `AND` or `OR` is a filter; one that adds a CTE, a join or a column is not.
 */
export function incrementalFilters(src: ModelSource, lookbackMacro: string): IncrementalFilter[] {
  const isLookback = (c: MacroCall): boolean => c.name === lookbackMacro || c.name.endsWith('.' + lookbackMacro);
  const calls = src.macroCalls.filter(isLookback);
  const out: IncrementalFilter[] = calls.map((call) => ({ kind: 'lookback-macro', span: call.span, call }));
  const sql = maskedSql(src);
  let outer: Span | null = null;
  for (const block of src.ifBlocks) {
    if (!testsIsIncremental(block.condition)) continue;
    if (outer !== null && block.span.start < outer.end) continue;
    outer = block.span;
    if (calls.some((c) => c.span.start >= block.span.start && c.span.end <= block.span.end)) continue;
    if (!/^\s*(where|and|or)\b/i.test(sql.slice(block.thenSpan.start, block.thenSpan.end))) continue;
    out.push({ kind: 'is-incremental-block', span: block.span, block });
  }
  out.sort((a, b) => a.span.start - b.span.start);
  return out;
}

/** `is_incremental()` tested positively (`not is_incremental()` is the full-refresh branch). */
function testsIsIncremental(condition: string): boolean {
  const tokens = tokenizeJinja(condition);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.type === 'name' && t.value === 'is_incremental' && tokens[k + 1]?.value === '(' && tokens[k - 1]?.value !== 'not') return true;
  }
  return false;
}
