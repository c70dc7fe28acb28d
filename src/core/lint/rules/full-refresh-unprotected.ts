import { fullRefreshFalseFix } from '../fixes';
import { effectiveStrategy, heavySignals } from '../heavySignals';
import { configOf, DYNAMIC } from '../modelConfig';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * A large incremental (or microbatch) model without `full_refresh: false`: a `dbt run --full-refresh` typed during a
 * recovery rebuilds its whole history instead of the broken window. Large means any of: in the refill cohort,
 * microbatch, heavy by the evidence of heavy-model-untagged, its last run took at least `large_run_seconds`, or
 * no run of it in run_results.json (its size is unknown, and protecting a small model costs nothing: bounded
 * refreshes with --event-time-start/--event-time-end, or removing the flag, stay possible). A model whose last run
 * was quicker than the threshold, with no other reason, is small. `full_refresh` written as an expression is
 * not judged, nor a model the manifest does not know (or no manifest) without `full_refresh` in its config(): a
 * folder's `+full_refresh: false` in dbt_project.yml is the usual way to protect models. Docs: docs/rules/full-refresh-unprotected.md.
 */
export const fullRefreshUnprotected: LintRule = {
  id: 'full-refresh-unprotected',
  description: 'A large incremental or microbatch model sets full_refresh=false, so an accidental --full-refresh cannot rebuild its history.',
  defaultSeverity: 'warning',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    const cfg = configOf(model);
    if (cfg.materialized() !== 'incremental') return [];
    const fullRefresh = cfg.get('full_refresh').value;
    if (fullRefresh === false || fullRefresh === DYNAMIC) return [];
    // Without the manifest's node, `+full_refresh: false` may come from dbt_project.yml or a .yml: unknown.
    if (fullRefresh === undefined && !model.node) return [];

    const reasons: string[] = [];
    if (model.tags.includes(p.refillTag)) reasons.push(`in the ${p.refillTag} cohort`);
    if (effectiveStrategy(model, ctx) === 'microbatch') reasons.push('microbatch');
    const run = model.node ? ctx.runResults?.results.get(model.uniqueId) : undefined;
    if (run && run.executionTime >= p.largeRunSeconds) reasons.push(`last run ${Math.round(run.executionTime)} s`);
    const heavy = heavySignals(model, ctx).filter((s) => s.kind !== 'run-time');
    if (heavy.length > 0) reasons.push(`heavy: ${heavy.map((s) => s.text).join('; ')}`);
    if (!run) reasons.push(ctx.runResults ? 'no run of it in run_results.json, so its size is unknown' : 'no run_results.json, so its size is unknown');
    if (reasons.length === 0) return [];

    const setTo = fullRefresh === true ? 'sets full_refresh=true' : 'has no full_refresh=false';
    const message =
      `\`${model.name}\` is an incremental model (${reasons.join('; ')}) that ${setTo}: a \`dbt run --full-refresh\` ` +
      `during a recovery would rebuild its whole history instead of the broken window. Add full_refresh=false.`;
    const loc = cfg.locate(['full_refresh']);
    return [{
      message,
      uniqueId: model.node ? model.uniqueId : null,
      file: loc.file,
      range: loc.range,
      fix: model.source ? fullRefreshFalseFix(model.source, model.file) : null,
    }];
  },
};
