import type { Span } from './source/types';

/** One rule id named in a `{# dbt-recovery-disable ... #}` comment, with where it is in the file. */
export interface DirectiveId {
  id: string;
  span: Span;
}

/**
 * The rule ids a model file turns off for itself: every `{# dbt-recovery-disable RULE[, RULE ...] [-- reason] #}`
 * Jinja comment in it (dbt drops Jinja comments, so the directive never reaches the SQL). Ids are separated by
 * commas or spaces; what follows `--` is the reason, for the reader.
 */
export function disableDirectives(text: string): DirectiveId[] {
  const out: DirectiveId[] = [];
  const directive = /\{#-?\s*dbt-recovery-disable\b([\s\S]*?)-?#\}/g;
  for (let m = directive.exec(text); m; m = directive.exec(text)) {
    const bodyStart = m.index + m[0].indexOf(m[1]!, m[0].indexOf('dbt-recovery-disable') + 'dbt-recovery-disable'.length);
    const reasonAt = m[1]!.indexOf('--');
    const ids = reasonAt >= 0 ? m[1]!.slice(0, reasonAt) : m[1]!;
    const word = /[^\s,]+/g;
    for (let w = word.exec(ids); w; w = word.exec(ids)) out.push({ id: w[0], span: { start: bodyStart + w.index, end: bodyStart + w.index + w[0].length } });
  }
  return out;
}
