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
