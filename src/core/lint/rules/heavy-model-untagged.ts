import { addTagFix } from '../fixes';
import { effectiveStrategy, heavySignals } from '../heavySignals';
import { configOf } from '../modelConfig';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * An incremental model that looks heavy but is not in the refill cohort: a price-gap refill would rewrite it in
 * Phase 2 with delete+insert over a widened lookback, the ALTER TABLE DELETE mutation that runs out of memory on big
 * aggregations (Code: 341), instead of Phase 1's append + OPTIMIZE. The evidence and its exact criteria are in
 * ../heavySignals.ts and docs/rules/heavy-model-untagged.md; the message names every piece that fired.
 * Microbatch models are left out: dbt backfills them batch by batch (`--event-time-start/--event-time-end`).
 */
export const heavyModelUntagged: LintRule = {
  id: 'heavy-model-untagged',
  description: 'An incremental model that looks heavy (window functions, exact distinct counts, month-wide GROUP BYs, slow or out-of-memory runs) is tagged for the refill.',
  defaultSeverity: 'warning',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    if (model.tags.includes(p.refillTag)) return [];
    const cfg = configOf(model);
    if (cfg.materialized() !== 'incremental' || effectiveStrategy(model, ctx) === 'microbatch') return [];
    const signals = heavySignals(model, ctx);
    if (signals.length === 0) return [];

    const message =
      `\`${model.name}\` looks heavy (${signals.map((s) => s.text).join('; ')}) but is not tagged ${p.refillTag}: ` +
      `a price-gap refill would rewrite it with delete+insert over a widened lookback, whose mutation can run out of ` +
      `memory (Code: 341). Tag it ${p.refillTag} and make it refill-ready (hooks, strategy expression, month filter).`;
    const loc = cfg.locate(['tags']);
    return [{
      message,
      uniqueId: model.node ? model.uniqueId : null,
      file: loc.file,
      range: loc.range,
      fix: model.source ? addTagFix(model.source, model.file, p.refillTag) : null,
    }];
  },
};
