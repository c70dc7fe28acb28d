import { strategyExpressionFix } from '../fixes';
import { configOf } from '../modelConfig';
import { isThreeBranchStrategy } from '../source/isThreeBranchStrategy';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * A model tagged for the refill must choose its strategy per invocation: `append` when the refill passes
 * `start_month` (or the runner passes `incremental_end_date`), else the default (delete+insert). A plain
 * `incremental_strategy='delete+insert'` makes Phase 1 issue ALTER TABLE DELETE mutations over a whole month, which
 * fail with Code: 341 on big aggregations. The manifest holds only the rendered value, so this rule reads the
 * kwarg in the model's `config()`; a strategy set only in a .yml or dbt_project.yml cannot be the expression and is
 * reported there. Models known not to be incremental are left to refill-append-engine.
 * Docs: docs/rules/refill-append-strategy.md.
 */
export const refillAppendStrategy: LintRule = {
  id: 'refill-append-strategy',
  description: 'A model tagged for the refill chooses append during a refill and its usual strategy otherwise (the three-branch expression).',
  defaultSeverity: 'error',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    if (!model.tags.includes(p.refillTag) || !model.source) return [];
    const cfg = configOf(model);
    const materialized = cfg.materialized();
    if (materialized !== null && materialized !== 'incremental') return [];
    const kw = cfg.kwarg('incremental_strategy');
    if (kw && isThreeBranchStrategy(kw, p.vars)) return [];

    const expression = `('append' if (var('${p.vars.startMonth}', none) or var('${p.vars.incrementalEndDate}', none)) else '${p.defaultStrategy}')`;
    const setting = cfg.get('incremental_strategy');
    let what: string;
    if (kw) what = `its incremental_strategy is \`${kw.valueText.replace(/\s+/g, ' ')}\``;
    else if (typeof setting.value === 'string') what = `its config() sets no incremental_strategy (the project's is '${setting.value}')`;
    else what = 'its config() sets no incremental_strategy';
    const message =
      `\`${model.name}\` is tagged ${p.refillTag} but ${what}, not the three-branch expression: a month refill still ` +
      `runs delete+insert mutations, which fail with Code: 341 on a whole month. Use incremental_strategy=${expression}.`;
    const loc = cfg.locate(['incremental_strategy']);
    return [{
      message,
      uniqueId: model.node ? model.uniqueId : null,
      file: loc.file,
      range: loc.range,
      fix: strategyExpressionFix(model.source, model.file, p),
    }];
  },
};
