import { Linter } from '../../../src/core/lint/linter';
import { DEFAULT_PROFILE, type RecoveryProfile } from '../../../src/core/lint/profile/recoveryProfile';
import type { Finding } from '../../../src/core/lint/types';
import { normalizeManifest, type Manifest } from '../../../src/core/manifest';
import { parseRunResults, type RunResults } from '../../../src/core/manifest/runResults';

/** A model of a hand-made project: its file text, and what `dbt parse` would have put in the manifest. */
export interface TestModel {
  name: string;
  /** The .sql as it is now; also the manifest's raw_code unless `parsedFrom` says otherwise. */
  sql: string;
  /** The source the manifest was parsed from (a stale manifest), default `sql`. */
  parsedFrom?: string;
  /** The rendered config the manifest holds (dbt's merge of dbt_project.yml, .yml and config()). */
  config?: Record<string, unknown>;
  tags?: string[];
  dependsOn?: string[];
  /** `models/schema.yml` when a properties file configures it. */
  yml?: string;
  /** Not in the manifest at all (written since the last parse). */
  unparsed?: boolean;
}

export interface TestSource {
  source: string;
  table: string;
  eventTime?: string;
}

export const PKG = 'shop';
export const fileOf = (name: string): string => `models/${name}.sql`;
export const idOf = (name: string): string => `model.${PKG}.${name}`;

export function manifestOf(models: readonly TestModel[], sources: readonly TestSource[] = [], seeds: readonly string[] = []): Manifest {
  const nodes: Record<string, unknown> = {};
  for (const m of models) {
    if (m.unparsed) continue;
    nodes[idOf(m.name)] = {
      unique_id: idOf(m.name),
      resource_type: 'model',
      name: m.name,
      package_name: PKG,
      path: `${m.name}.sql`,
      original_file_path: fileOf(m.name),
      patch_path: m.yml ? `${PKG}://${m.yml}` : null,
      fqn: [PKG, m.name],
      tags: m.tags ?? [],
      config: { enabled: true, materialized: 'view', tags: m.tags ?? [], ...m.config },
      depends_on: { nodes: m.dependsOn ?? [], macros: [] },
      raw_code: m.parsedFrom ?? m.sql,
      language: 'sql',
    };
  }
  for (const s of seeds) {
    nodes[`seed.${PKG}.${s}`] = { unique_id: `seed.${PKG}.${s}`, resource_type: 'seed', name: s, package_name: PKG, original_file_path: `seeds/${s}.csv`, fqn: [PKG, s], config: { enabled: true } };
  }
  const srcs: Record<string, unknown> = {};
  for (const s of sources) {
    const id = `source.${PKG}.${s.source}.${s.table}`;
    srcs[id] = {
      unique_id: id,
      resource_type: 'source',
      name: s.table,
      source_name: s.source,
      package_name: PKG,
      original_file_path: 'models/sources.yml',
      fqn: [PKG, s.source, s.table],
      config: { enabled: true, ...(s.eventTime ? { event_time: s.eventTime } : {}) },
    };
  }
  return normalizeManifest(
    { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: PKG, dbt_version: '1.9.4' }, nodes, sources: srcs },
    'target/manifest.json',
  );
}

export function runResultsOf(results: Array<{ name: string; seconds: number; status?: string; message?: string }>): RunResults {
  return parseRunResults(
    JSON.stringify({
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json' },
      results: results.map((r) => ({
        unique_id: idOf(r.name),
        status: r.status ?? 'success',
        execution_time: r.seconds,
        timing: [{ name: 'execute', started_at: '2026-04-01T00:00:00Z', completed_at: '2026-04-01T00:10:00Z' }],
        message: r.message ?? 'OK',
        failures: null,
      })),
      elapsed_time: 1,
    }),
    'target/run_results.json',
  );
}

export interface Harness {
  linter: Linter;
  files: Map<string, string>;
  lint(): Finding[];
}

export function harness(
  models: readonly TestModel[],
  opts: { manifest?: Manifest | null; sources?: TestSource[]; seeds?: string[]; profile?: Partial<RecoveryProfile>; runResults?: RunResults | null; ymls?: Record<string, string> } = {},
): Harness {
  const files = new Map<string, string>();
  for (const m of models) files.set(fileOf(m.name), m.sql);
  for (const [file, text] of Object.entries(opts.ymls ?? {})) files.set(file, text);
  const manifest = opts.manifest === undefined ? manifestOf(models, opts.sources, opts.seeds) : opts.manifest;
  const read = (file: string): string | null => files.get(file) ?? null;
  const linter = new Linter({
    project: { root: '/project', name: PKG, modelPaths: ['models'] },
    manifest,
    runResults: opts.runResults ?? null,
    profile: { ...DEFAULT_PROFILE, ...opts.profile },
    readFile: read,
    listModelFiles: () => [...files.keys()].filter((f) => f.endsWith('.sql')).sort(),
  });
  return { linter, files, lint: () => linter.lintProject(read) };
}

/** A refill-ready model (the seed's contract), to break one piece at a time. */
export const READY_CONFIG = `{{
    config(
        materialized='incremental',
        incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert'),
        engine='ReplacingMergeTree()',
        order_by='(date, token_address)',
        unique_key='(date, token_address)',
        partition_by='toStartOfMonth(date)',
        full_refresh=false,
        pre_hook=refill_safe_pre_hook(),
        post_hook=refill_safe_post_hook(),
        tags=['production', 'refill_append']
    )
}}`;

export const READY_BODY = `
{% set start_month = var('start_month', none) %}
{% set end_month = var('end_month', none) %}

SELECT date, token_address, sum(balance) AS supply
FROM {{ ref('balances') }}
WHERE 1 = 1
{% if start_month and end_month %}
  AND toStartOfMonth(date) >= toDate('{{ start_month }}')
  AND toStartOfMonth(date) <= toDate('{{ end_month }}')
{% else %}
  {{ apply_monthly_incremental_filter('date', 'date', true) }}
{% endif %}
GROUP BY date, token_address
`;

/** The manifest's rendered config of READY_CONFIG. */
export const READY_RENDERED: Record<string, unknown> = {
  materialized: 'incremental',
  incremental_strategy: 'delete+insert',
  engine: 'ReplacingMergeTree()',
  order_by: '(date, token_address)',
  unique_key: '(date, token_address)',
  partition_by: 'toStartOfMonth(date)',
  full_refresh: false,
  'pre-hook': [
    { sql: 'SET max_memory_usage = 8589934592', transaction: true, index: null },
    { sql: 'SET max_bytes_before_external_group_by = 2147483648', transaction: true, index: null },
    { sql: 'SET max_bytes_before_external_sort = 2147483648', transaction: true, index: null },
    { sql: "SET join_algorithm = 'grace_hash'", transaction: true, index: null },
  ],
  'post-hook': [
    { sql: 'SET max_memory_usage = 0', transaction: true, index: null },
    { sql: 'SET max_bytes_before_external_group_by = 0', transaction: true, index: null },
    { sql: 'SET max_bytes_before_external_sort = 0', transaction: true, index: null },
    { sql: "SET join_algorithm = 'default'", transaction: true, index: null },
  ],
};
