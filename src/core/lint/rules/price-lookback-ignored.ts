import { effectiveStrategy } from '../heavySignals';
import { ifTagSpan } from '../ifTagSpan';
import { configOf } from '../modelConfig';
import { incrementalFilters } from '../source/incrementalFilters';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * Phase 2 of a price-gap refill re-derives every price consumer (`<price root>+`, minus the refill cohort) by
 * widening `price_lookback_days`, which only the lookback macro reads. An incremental model in that lineage whose
 * incremental filter does not call the macro (an `is_incremental()` filter of its own, or no filter) keeps its
 * stale rows: the seed's "two missed models in the gpay chain" that left zeros in
 * api_execution_gpay_volume_payments_by_token_daily. One call of the macro anywhere in the model satisfies the rule.
 * The price root itself, the cohort (Phase 1 rewrites it by month) and microbatch models (backfilled by event time)
 * are left out. Needs the manifest for the lineage. Docs: docs/rules/price-lookback-ignored.md.
 */
export const priceLookbackIgnored: LintRule = {
  id: 'price-lookback-ignored',
  description: 'An incremental model downstream of the price root filters through the lookback macro, so a wider price_lookback_days re-derives it.',
  defaultSeverity: 'warning',
  needsManifest: true,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    const src = model.source;
    if (!src || !model.node || !ctx.priceLineage.has(model.uniqueId)) return [];
    if (model.name === p.priceRoot || model.tags.includes(p.refillTag)) return [];
    const cfg = configOf(model);
    if (cfg.materialized() !== 'incremental' || effectiveStrategy(model, ctx) === 'microbatch') return [];
    const filters = incrementalFilters(src, p.lookbackMacro);
    if (filters.some((f) => f.kind === 'lookback-macro')) return [];

    const parents = ctx.graph?.parents(model.uniqueId).map((id) => ctx.graph!.node(id)).filter((n) => n && ctx.priceLineage.has(n.uniqueId)) ?? [];
    const via = parents.some((n) => n!.name === p.priceRoot) ? null : parents[0];
    const reads = via ? `reads prices through \`${via.name}\`` : `reads \`${p.priceRoot}\``;
    const block = filters.find((f) => f.kind === 'is-incremental-block')?.block;
    const what = block
      ? `its is_incremental() filter does not call ${p.lookbackMacro}`
      : `it has no incremental filter through ${p.lookbackMacro}`;
    const message =
      `\`${model.name}\` ${reads} but ${what}: widening ${p.vars.lookbackDays} for a price-gap refill leaves its stale ` +
      `rows in place. Filter with {{ ${p.lookbackMacro}(...) }} instead.`;
    const loc = block ? { file: model.file, range: src.rangeOf(ifTagSpan(block, src.text)) } : cfg.locate(['incremental_strategy', 'materialized']);
    return [{ message, uniqueId: model.uniqueId, file: loc.file, range: loc.range, fix: null }];
  },
};
