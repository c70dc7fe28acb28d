import * as path from 'node:path';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';
import { loadManifest, normalizeManifest, readProject, type DbtProject, type Manifest } from '../../../src/core/manifest';
import type { PriceGapInput } from '../../../src/core/plan';

export const EXAMPLE_DIR = path.resolve(__dirname, '../../../examples/price-gap');

let example: { project: DbtProject; manifest: Manifest } | null = null;

/** examples/price-gap and its committed manifest, read once. */
export function exampleProject(): { project: DbtProject; manifest: Manifest } {
  if (!example) {
    const project = readProject(EXAMPLE_DIR);
    example = { project, manifest: loadManifest(project.manifestPath) };
  }
  return example;
}

/** The runbook's worked example on the example project: from 2026-04-17, today 2026-04-27, dbt at /app. */
export function workedExample(extra: Partial<PriceGapInput> = {}): PriceGapInput {
  const { project, manifest } = exampleProject();
  return { project, manifest, profile: DEFAULT_PROFILE, fromDate: '2026-04-17', today: '2026-04-27', projectDir: '/app', profilesDir: '/app', ...extra };
}

export interface ModelSpec {
  name: string;
  deps?: string[];
  tags?: string[];
  /** Config keys as the manifest writes them (partition_by, unique_key, materialized, begin, ...). */
  config?: Record<string, unknown>;
  columns?: string[];
  compiled?: string;
  /** The model's SQL as written (`raw_code`). */
  raw?: string;
  schema?: string;
  alias?: string;
}

const REFILL_CONFIG = { materialized: 'incremental', engine: 'ReplacingMergeTree()', partition_by: 'toStartOfMonth(date)', unique_key: '(date, id)' };

/** A refill-cohort model with the usual ClickHouse config; `config` overrides it. */
export function cohort(name: string, deps: string[] = [], config: Record<string, unknown> = {}, columns: string[] = ['date', 'id', 'value_usd']): ModelSpec {
  return { name, deps, tags: ['refill_append'], config: { ...REFILL_CONFIG, ...config }, columns };
}

/** A v12-shaped manifest of models in package `shop` (deps by model name), normalized like a real one. */
export function buildModels(specs: ModelSpec[]): Manifest {
  const nodes: Record<string, unknown> = {};
  for (const s of specs) {
    const id = `model.shop.${s.name}`;
    nodes[id] = {
      unique_id: id,
      resource_type: 'model',
      package_name: 'shop',
      name: s.name,
      fqn: ['shop', s.name],
      path: `${s.name}.sql`,
      original_file_path: `models/${s.name}.sql`,
      schema: s.schema ?? 'dbt',
      database: s.schema ?? 'dbt',
      alias: s.alias ?? s.name,
      tags: s.tags ?? [],
      config: { enabled: true, materialized: 'view', tags: s.tags ?? [], ...s.config },
      depends_on: { nodes: (s.deps ?? []).map((d) => `model.shop.${d}`), macros: [] },
      columns: Object.fromEntries((s.columns ?? []).map((c) => [c, { name: c, description: '' }])),
      ...(s.compiled !== undefined ? { compiled_code: s.compiled } : {}),
      ...(s.raw !== undefined ? { raw_code: s.raw } : {}),
    };
  }
  const json = {
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.9.4', project_name: 'shop', adapter_type: 'clickhouse' },
    nodes,
    sources: {},
    exposures: {},
    metrics: {},
    semantic_models: {},
    saved_queries: {},
    unit_tests: {},
  };
  return normalizeManifest(json, 'built-manifest.json');
}

/** A price root, `prices`, and the canary model the default options look for. */
export const PRICE_ROOT: ModelSpec = { name: 'prices', columns: ['date', 'symbol', 'price'] };

export function syntheticInput(specs: ModelSpec[], extra: Partial<PriceGapInput> = {}): PriceGapInput {
  return {
    project: { root: '/work/shop', name: 'shop' },
    manifest: buildModels(specs),
    profile: { ...DEFAULT_PROFILE, priceRoot: 'prices' },
    fromDate: '2026-04-17',
    today: '2026-04-27',
    canary: { model: specs.find((s) => s.tags?.includes('refill_append'))?.name ?? 'prices', filter: "id = 'GNO'", valueColumn: 'value_usd' },
    ...extra,
  };
}
