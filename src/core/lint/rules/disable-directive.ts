import { disableDirectives } from '../disableDirectives';
import { RULE_IDS, type LintRule, type ModelContext, type RuleFinding } from '../types';

function nearest(word: string): string | null {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const here = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = here;
      }
    }
    return d[b.length]!;
  };
  const best = RULE_IDS.map((id) => ({ id, d: distance(word, id) })).sort((x, y) => x.d - y.d)[0]!;
  return best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.id : null;
}

/**
 * A `{# dbt-recovery-disable ... #}` comment names a rule that does not exist (a typo turns nothing off, silently,
 * which is the one thing a suppression must not do). Docs: docs/rules/disable-directive.md.
 */
export const disableDirective: LintRule = {
  id: 'disable-directive',
  description: 'Every rule a dbt-recovery-disable comment names exists, so the comment turns off what it says.',
  defaultSeverity: 'warning',
  needsManifest: false,
  check(model: ModelContext): RuleFinding[] {
    const src = model.source;
    if (!src) return [];
    const known = new Set<string>(RULE_IDS);
    return disableDirectives(src.text)
      .filter((d) => !known.has(d.id))
      .map((d) => {
        const near = nearest(d.id);
        return {
          message: `dbt-recovery-disable names \`${d.id}\`, which is not a rule, so it turns nothing off.${near ? ` Did you mean \`${near}\`?` : ''} The rules are listed in docs/rules/README.md.`,
          uniqueId: model.uniqueId,
          file: model.file,
          range: src.rangeOf(d.span),
          fix: null,
        };
      });
  },
};
