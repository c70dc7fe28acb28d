import type { ManifestNode } from '../../manifest/types';
import { effectiveStrategy } from '../heavySignals';
import { configOf, type ConfigKey } from '../modelConfig';
import type { Span } from '../source/types';
import type { LintContext, LintRule, ModelContext, RuleFinding } from '../types';

/**
 * A microbatch model (incremental with `incremental_strategy='microbatch'`) needs `event_time`, `batch_size` (hour, day, month or year) and `begin` for dbt to plan its
 * batches; and each upstream model or source it reads should declare `event_time`, or dbt cannot filter that input
 * to the batch and reads it in full for every batch of a backfill. Seeds and snapshots are lookups and not checked;
 * an input read with `.render()` (dbt's opt-out of batch filtering) is deliberate and not reported. One finding for
 * the missing or invalid keys, one per unfiltered input (at its `ref()`/`source()` call). Without the manifest's node
 * a key missing from config() may be set in a .yml or dbt_project.yml, so it is not reported missing.
 * Docs: docs/rules/microbatch-config.md.
 */

const BATCH_SIZES = ['hour', 'day', 'month', 'year'];
const REQUIRED: ConfigKey[] = ['event_time', 'batch_size', 'begin'];

function quoted(arg: string | undefined): string | null {
  const m = /^\s*(['"])(.*)\1\s*$/.exec(arg ?? '');
  return m ? m[2]! : null;
}

/** Where the model's SQL reads `parent` (`ref('x')`, `source('s', 't')`), and whether it opts out with .render(). */
function readOf(text: string, parent: ManifestNode): { span: Span; rendered: boolean } | null {
  const re = /\b(ref|source)\s*\(([^()]*)\)(\s*\.\s*render\s*\(\s*\))?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const args = m[2]!.split(',').filter((a) => !/=/.test(a)).map(quoted);
    let hit = false;
    if (m[1] === 'source' && parent.resourceType === 'source') hit = args[0] === parent.sourceName && args[1] === parent.name;
    else if (m[1] === 'ref' && parent.resourceType !== 'source') {
      hit = args.length === 1 ? args[0] === parent.name : args[0] === parent.packageName && args[1] === parent.name;
    }
    if (hit) return { span: { start: m.index, end: m.index + m[0].length }, rendered: m[3] !== undefined };
  }
  return null;
}

export const microbatchConfig: LintRule = {
  id: 'microbatch-config',
  description: 'A microbatch model sets event_time, batch_size and begin, and every model or source it reads declares event_time.',
  defaultSeverity: 'warning',
  needsManifest: false,
  check(model: ModelContext, ctx: LintContext): RuleFinding[] {
    const cfg = configOf(model);
    if (cfg.materialized() !== 'incremental' || effectiveStrategy(model, ctx) !== 'microbatch') return [];
    const uniqueId = model.node ? model.uniqueId : null;
    const out: RuleFinding[] = [];

    const missing = !model.node ? [] : REQUIRED.filter((k) => {
      const v = cfg.get(k).value;
      return v === undefined || v === null || v === '';
    });
    const batchSize = cfg.string('batch_size');
    const badBatch = batchSize !== null && !BATCH_SIZES.includes(batchSize.toLowerCase()) ? batchSize : null;
    if (missing.length > 0 || badBatch !== null) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`without ${missing.join(', ')}`);
      if (badBatch !== null) parts.push(`with batch_size '${badBatch}' (dbt takes ${BATCH_SIZES.join(', ')})`);
      const message =
        `\`${model.name}\` is a microbatch model ${parts.join(' and ')}: dbt needs event_time, batch_size and begin ` +
        `to plan its batches, and refuses the model without them. Add them to config().`;
      const loc = cfg.locate(badBatch !== null && missing.length === 0 ? ['batch_size'] : missing);
      out.push({ message, uniqueId, file: loc.file, range: loc.range, fix: null });
    }

    const graph = ctx.graph;
    if (graph && model.node && graph.has(model.uniqueId)) {
      for (const id of graph.parents(model.uniqueId)) {
        const parent = graph.node(id);
        if (!parent || (parent.resourceType !== 'model' && parent.resourceType !== 'source')) continue;
        if (parent.config.eventTime) continue;
        const read = model.source ? readOf(model.source.code, parent) : null;
        if (read?.rendered) continue;
        const label = parent.resourceType === 'source' ? `the source ${parent.sourceName ?? ''}.${parent.name}` : `the model ${parent.name}`;
        const where = parent.resourceType === 'source' ? 'under the source table\'s config: in its .yml' : 'in its config()';
        const message =
          `\`${model.name}\` is microbatch but reads ${label}, which declares no event_time: dbt cannot filter it to ` +
          `the batch, so every batch of a backfill reads all of it. Set event_time ${where}, or read it with ` +
          `.render() if a full read is intended.`;
        const loc = read && model.source ? { file: model.file, range: model.source.rangeOf(read.span) } : cfg.locate([]);
        out.push({ message, uniqueId, file: loc.file, range: loc.range, fix: null });
      }
    }
    return out;
  },
};
