import { monthFilterFix } from '../fixes';
import { ifTagSpan } from '../ifTagSpan';
import { configOf } from '../modelConfig';
import { incrementalFilters } from '../source/incrementalFilters';
import { monthFilterBranch } from '../source/monthFilterBranch';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * A model tagged for the refill must read exactly the refilled month when the refill passes
 * `--vars '{start_month: ..., end_month: ...}'`: its SQL needs an `{% if start_month and end_month %}` branch (vars
 * tested directly or through `{% set %}` locals). Without it a month refill re-reads only the incremental lookback
 * and leaves the rest of the month as it was. The finding points at the incremental filter the branch should wrap
 * (the lookback macro call, else the `is_incremental()` block), else at `config()`. Models known not to be
 * incremental are left to refill-append-engine. Docs: docs/rules/refill-append-month-filter.md.
 */
export const refillAppendMonthFilter: LintRule = {
  id: 'refill-append-month-filter',
  description: 'A model tagged for the refill filters its source to the start_month/end_month window when those vars are set.',
  defaultSeverity: 'error',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    const src = model.source;
    if (!model.tags.includes(p.refillTag) || !src) return [];
    const cfg = configOf(model);
    const materialized = cfg.materialized();
    if (materialized !== null && materialized !== 'incremental') return [];
    if (monthFilterBranch(src, p.vars)) return [];

    const filter = incrementalFilters(src, p.lookbackMacro)[0];
    const loc = filter
      ? { file: model.file, range: src.rangeOf(filter.block ? ifTagSpan(filter.block, src.text) : filter.span) }
      : cfg.locate([]);
    const message =
      `\`${model.name}\` is tagged ${p.refillTag} but its SQL has no \`{% if ${p.vars.startMonth} and ${p.vars.endMonth} %}\` ` +
      `branch: a month refill re-reads only the incremental lookback, so the rest of the month keeps its wrong rows. ` +
      `Filter to toStartOfMonth(<date>) between the two vars in that branch, and keep the incremental filter in its else.`;
    return [{
      message,
      uniqueId: model.node ? model.uniqueId : null,
      file: loc.file,
      range: loc.range,
      fix: monthFilterFix(src, model.file, p),
    }];
  },
};

