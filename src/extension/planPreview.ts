import type { ModelInfoResult } from '../protocol/projectStatus';

const ROLE_WORDS: Record<ModelInfoResult['roles'][number], string> = {
  'refill-cohort': 'in the refill cohort (Phase 1)',
  'price-lineage': 'a price lineage consumer (Phase 2)',
  'downstream-of-cohort': 'downstream of the refill cohort (Phase 3)',
};

function roles(info: ModelInfoResult): string {
  if (!info.uniqueId) return 'not in the manifest yet: run `dbt parse` first';
  return info.roles.length > 0 ? info.roles.map((r) => ROLE_WORDS[r]).join(', ') : 'outside the price-gap recovery';
}

/** The outline of the price-gap refill for a model, until the planner that fills in dates and SQL lands. */
export function refillPreview(info: ModelInfoResult): string {
  return [
    `# Refill after price gap: ${info.name}`,
    '',
    `\`${info.file}\` is ${roles(info)}; ${info.upstream} models upstream, ${info.downstream} downstream.`,
    '',
    'The recovery this project will run, with the selectors of its recovery profile (dbt-recovery.yml):',
    '',
    `1. **Phase 1**, per affected month: the refill cohort \`${info.phases.cohort}\` rewritten in append mode with`,
    '   `--vars \'{"start_month": M, "end_month": M}\'`, layer by layer, each table\'s month partition deduplicated',
    "   with `OPTIMIZE TABLE ... PARTITION 'M' FINAL DEDUPLICATE` before the next layer reads it.",
    '2. **Canary**: an adjacent-day ratio scan over the refilled months stops the run on a jump.',
    `3. **Phase 2**: \`dbt run --select ${info.phases.phase2}\` with a widened lookback var.`,
    `4. **Phase 3**: \`dbt run --select ${info.phases.phase3}\`.`,
    '5. **Verification**: per-day counts of zero or NULL `*_usd` values in the refilled window.',
    '',
    '> Planning with a gap date, the exact commands and SQL, running with a journal, resume and approval gates',
    '> arrive with the "Refill after price gap" workflow. Until then `dbt-recovery ls --select <selector>` lists',
    '> each phase\'s models.',
    '',
  ].join('\n');
}

/** The outline of a dev build / compare / promote for a model. */
export function devBuildPreview(info: ModelInfoResult): string {
  return [
    `# Plan dev build: ${info.name}`,
    '',
    `\`${info.file}\` is ${roles(info)}; ${info.downstream} models downstream would need a rebuild after a promotion.`,
    '',
    '1. Resolve the dev and prod relations; for a backfill, clone prod into dev first.',
    `2. \`dbt run -s ${info.name}\` against the dev target (a plan that would pass \`--target prod\` is refused).`,
    '3. Compare dev with prod inside the warehouse: row and key counts, schema, values by key, top outliers.',
    '4. Show the exact promotion statement and the comparison, and wait for an explicit approval.',
    '5. Promote (clone dev into prod), verify at once, and list the downstream rebuilds.',
    '',
    '> This plan view, the run and the diff view arrive with the "Dev build" workflow.',
    '',
  ].join('\n');
}
