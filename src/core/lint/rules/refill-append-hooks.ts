import { addHooksFix } from '../fixes';
import { configOf, type ConfigKey } from '../modelConfig';
import { hookSettings, parseSetStatements } from '../source/hookSettings';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * A model tagged for the refill (Phase 1: append + OPTIMIZE over a whole month) must cap its memory and spill big
 * GROUP BYs, sorts and joins to disk, or the month rewrite dies with Code: 241 (MEMORY_LIMIT_EXCEEDED); and it must
 * put the session back afterwards so the next model on the connection is not capped.
 *
 * The pre-hook is satisfied by a call of the profile's pre-hook macro, or by SET statements that establish every
 * required setting: written in the pre-hook itself, or rendered into the manifest's `pre-hook` by another macro
 * (read only while that part of `config()` is unchanged since the manifest was written). The post-hook likewise by
 * the post-hook macro, or a SET of every required setting (any value counts as a reset: the defaults differ by
 * setting and server). Docs: docs/rules/refill-append-hooks.md.
 */

interface HookState {
  written: boolean;
  macro: boolean;
  settings: Set<string>;
}

function hookState(model: ModelContext, key: ConfigKey, macroName: string): HookState {
  const cfg = configOf(model);
  const kw = cfg.kwarg(key);
  const settings = new Set<string>();
  let macro = false;
  if (kw) {
    const h = hookSettings(kw.value);
    macro = h.macros.some((m) => m === macroName || m.endsWith(`.${macroName}`));
    for (const s of h.setStatements) settings.add(s.setting.toLowerCase());
  }
  const setting = cfg.get(key);
  let rendered = false;
  if (setting.from === 'manifest' && model.node) {
    const hooks = key === 'pre_hook' ? model.node.config.preHook : model.node.config.postHook;
    for (const hook of hooks) for (const s of parseSetStatements(hook.sql)) settings.add(s.setting.toLowerCase());
    rendered = hooks.length > 0;
  }
  return { written: kw !== null || rendered, macro, settings };
}

export const refillAppendHooks: LintRule = {
  id: 'refill-append-hooks',
  description: 'A model tagged for the refill sets the spill-to-disk settings in a pre-hook and resets them in a post-hook.',
  defaultSeverity: 'error',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    if (!model.tags.includes(p.refillTag)) return [];
    const required = p.hooks.requiredSettings;
    const pre = hookState(model, 'pre_hook', p.hooks.preHookMacro);
    const post = hookState(model, 'post_hook', p.hooks.postHookMacro);
    const preMissing = pre.macro ? [] : required.filter((s) => !pre.settings.has(s.toLowerCase()));
    const postMissing = post.macro ? [] : required.filter((s) => !post.settings.has(s.toLowerCase()));
    if (preMissing.length === 0 && postMissing.length === 0) return [];

    const usage = `pre_hook=${p.hooks.preHookMacro}(), post_hook=${p.hooks.postHookMacro}()`;
    let message: string;
    if (!pre.written && !post.written) {
      message =
        `\`${model.name}\` is tagged ${p.refillTag} but has no spill-to-disk hooks: its month rewrite can fail with ` +
        `Code: 241 (MEMORY_LIMIT_EXCEEDED). Add ${usage}.`;
    } else {
      const parts: string[] = [];
      if (preMissing.length > 0) {
        parts.push(pre.written ? `its pre-hook does not set ${preMissing.join(', ')}` : `it has no pre-hook to set ${preMissing.join(', ')}`);
      }
      if (postMissing.length > 0) {
        parts.push(post.written ? `its post-hook does not reset ${postMissing.join(', ')}` : `it has no post-hook to reset ${postMissing.join(', ')}`);
      }
      const why = preMissing.length > 0
        ? 'its month rewrite can fail with Code: 241 (MEMORY_LIMIT_EXCEEDED)'
        : 'the next model on the same connection runs with its memory caps';
      message = `\`${model.name}\` is tagged ${p.refillTag} but ${parts.join(', and ')}: ${why}. Use ${usage}, or SET every one of ${required.join(', ')}.`;
    }
    const loc = configOf(model).locate(preMissing.length > 0 ? ['pre_hook', 'post_hook'] : ['post_hook', 'pre_hook']);
    return [{
      message,
      uniqueId: model.node ? model.uniqueId : null,
      file: loc.file,
      range: loc.range,
      fix: model.source ? addHooksFix(model.source, model.file, p) : null,
    }];
  },
};
