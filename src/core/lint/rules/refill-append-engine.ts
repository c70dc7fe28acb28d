import { configOf, DYNAMIC, type ConfigKey } from '../modelConfig';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * Phase 1 appends the month again and then runs `OPTIMIZE TABLE ... PARTITION <month> FINAL DEDUPLICATE` to collapse
 * the old and new rows. That only works for an incremental model on a ReplacingMergeTree-family engine
 * (ReplacingMergeTree, ReplicatedReplacingMergeTree, SharedReplacingMergeTree), partitioned by exactly one month
 * expression (`toStartOfMonth(...)` or `toYYYYMM(...)`, so that one month is one partition), with a unique key or
 * an order by to deduplicate on. Every failing part is named; the finding points at the first one's kwarg.
 * A key the linter cannot know (no manifest and not in `config()`, or written as an expression it cannot render)
 * is not reported. Docs: docs/rules/refill-append-engine.md.
 */

const REPLACING = /^\s*(?:Replicated|Shared)?ReplacingMergeTree\s*(?:\(|$)/i;
const MONTH_PARTITION = /^\s*\(?\s*(?:toStartOfMonth|toYYYYMM)\s*\(((?:[^()]|\([^()]*\))*)\)\s*\)?\s*$/i;

function partitionExpressions(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  return null;
}

function nonEmpty(v: unknown): boolean {
  if (typeof v === 'string') return v.trim() !== '' && v.trim() !== '()' && v.trim().toLowerCase() !== 'tuple()';
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false;
}

export const refillAppendEngine: LintRule = {
  id: 'refill-append-engine',
  description: 'A model tagged for the refill can be deduplicated by OPTIMIZE ... PARTITION ... FINAL DEDUPLICATE: incremental, ReplacingMergeTree, one month per partition, a unique key or order by.',
  defaultSeverity: 'error',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const p = ctx.profile;
    if (!model.tags.includes(p.refillTag)) return [];
    const cfg = configOf(model);
    // Without the manifest, a key missing from config() may still be set in a .yml or dbt_project.yml.
    const knowsUnset = model.node !== null;
    const fails: Array<{ key: ConfigKey; reason: string }> = [];

    const materialized = cfg.get('materialized');
    if (typeof materialized.value === 'string' && materialized.value !== 'incremental') {
      fails.push({ key: 'materialized', reason: `it is materialized as ${materialized.value}, not incremental (a refill appends to it)` });
    }
    const engine = cfg.get('engine');
    if (typeof engine.value === 'string') {
      if (!REPLACING.test(engine.value)) fails.push({ key: 'engine', reason: `its engine ${engine.value} is not a ReplacingMergeTree, so duplicates are never collapsed` });
    } else if (engine.value === undefined && knowsUnset) {
      fails.push({ key: 'engine', reason: 'it sets no engine (dbt-clickhouse then creates a MergeTree, which never collapses duplicates)' });
    }
    const partition = cfg.get('partition_by');
    if (partition.value !== DYNAMIC && !(partition.value === undefined && !knowsUnset)) {
      const exprs = partitionExpressions(partition.value);
      if (!exprs || exprs.length === 0) {
        fails.push({ key: 'partition_by', reason: 'it has no partition_by, so there is no month partition to OPTIMIZE' });
      } else if (exprs.length !== 1 || !MONTH_PARTITION.test(exprs[0]!)) {
        fails.push({ key: 'partition_by', reason: `its partition_by ${exprs.join(', ')} is not one month (toStartOfMonth(...) or toYYYYMM(...)), so a month is not one partition` });
      }
    }
    const uniqueKey = cfg.get('unique_key');
    const orderBy = cfg.get('order_by');
    const unknownKeys = [uniqueKey, orderBy].some((s) => s.value === DYNAMIC || (s.value === undefined && !knowsUnset));
    if (!unknownKeys && !nonEmpty(uniqueKey.value) && !nonEmpty(orderBy.value)) {
      fails.push({ key: 'unique_key', reason: 'it has neither unique_key nor order_by to deduplicate on' });
    }
    if (fails.length === 0) return [];

    const message =
      `\`${model.name}\` is tagged ${p.refillTag} but OPTIMIZE ... PARTITION ... FINAL DEDUPLICATE cannot deduplicate its ` +
      `month: ${fails.map((f) => f.reason).join('; ')}. A refill would leave the appended month duplicated.`;
    const loc = cfg.locate(fails[0]!.key === 'unique_key' ? ['unique_key', 'order_by'] : [fails[0]!.key]);
    return [{ message, uniqueId: model.node ? model.uniqueId : null, file: loc.file, range: loc.range, fix: null }];
  },
};
