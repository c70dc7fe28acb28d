import { createHash } from 'node:crypto';
import { PROJECT, macroId, type MacroDef } from './macros';
import { DATABASE, adapterConfig, hooksOf, relationOf } from './modelSql';
import { columnsOf, type ModelSpec, type ProjectPlan, type SeedSpec, type SnapshotSpec, type SourceTable, type TestSpec } from './projectPlan';
import { columnDef } from './vocabulary';

/**
 * Manifest entries in the shape dbt 1.9 writes (schema v12), key for key and in the same order as the nodes of a
 * real ClickHouse project's manifest (test/fixtures/manifests/gnosischain__dbt-cerebro__v12.json).
 */

type Json = Record<string, unknown>;

const DOCS = { show: true, node_color: null };
const CONTRACT = { enforced: false, alias_types: true };

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export function layerOf(spec: Pick<ModelSpec, 'kind'>): string {
  return spec.kind === 'stg' ? 'staging' : spec.kind === 'int' ? 'intermediate' : 'marts';
}

export function modelPath(spec: ModelSpec): string {
  return `${layerOf(spec)}/${spec.domain}/${spec.name}.sql`;
}

export function schemaYmlPath(spec: ModelSpec): string {
  return `models/${layerOf(spec)}/${spec.domain}/schema.yml`;
}

export function sourcesYmlPath(domain: string): string {
  return `models/staging/${domain}/sources.yml`;
}

export function uniqueIdOf(name: string, plan: ProjectPlan): string {
  const p = plan.producers.get(name);
  if (!p) throw new Error(`unknown ref ${name}`);
  return `${p.resourceType}.${PROJECT}.${name}`;
}

export function sourceId(source: string, table: string): string {
  return `source.${PROJECT}.${source}.${table}`;
}

function columnsJson(names: readonly string[], describe = true): Json {
  const out: Json = {};
  for (const n of names) {
    const def = columnDef(n);
    out[n] = { name: n, description: describe ? def.description : '', meta: {}, data_type: def.type, constraints: [], quote: null, tags: [], granularity: null };
  }
  return out;
}

const hookJson = (sql: string): Json => ({ sql, transaction: true, index: null });

/** Macros a model's raw SQL and config call. */
function macrosOf(raw: string, spec: ModelSpec): string[] {
  const out: string[] = [];
  if (/is_incremental\(\)/.test(raw)) out.push('macro.dbt_clickhouse.is_incremental');
  if (raw.includes('apply_monthly_incremental_filter(')) out.push(`macro.${PROJECT}.apply_monthly_incremental_filter`);
  for (const m of hooksOf(spec).macros) out.push(`macro.${PROJECT}.${m}`);
  return out;
}

export function modelNode(spec: ModelSpec, raw: string, compiled: string, plan: ProjectPlan, createdAt: number): Json {
  const path = modelPath(spec);
  const hooks = hooksOf(spec);
  const adapter = adapterConfig(spec);
  const meta = { owner: spec.owner, authoritative: spec.anchor, generated_by: 'schema-writer' };
  const access = spec.kind === 'api' ? 'public' : 'protected';
  const { unique_key: uniqueKey, ...adapterRest } = adapter;
  const config: Json = {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    // dbt appends the tags of the schema .yml config to those of the SQL config call, duplicates and all.
    tags: spec.documented ? [...spec.tags, ...spec.tags] : [...spec.tags],
    meta: spec.documented ? meta : {},
    group: null,
    materialized: spec.materialized,
    incremental_strategy: spec.materialized === 'incremental' ? spec.strategy : null,
    batch_size: null,
    lookback: 1,
    begin: null,
    persist_docs: {},
    'post-hook': hooks.post.map(hookJson),
    'pre-hook': hooks.pre.map(hookJson),
    quoting: {},
    column_types: {},
    full_refresh: null,
    unique_key: uniqueKey ?? null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: DOCS,
    contract: CONTRACT,
    event_time: null,
    concurrent_batches: null,
    access,
    ...adapterRest,
  };
  const unrendered: Json = { materialized: spec.materialized };
  if (spec.materialized === 'incremental') unrendered.incremental_strategy = spec.strategy;
  Object.assign(unrendered, adapter);
  if (hooks.pre.length > 0) unrendered['pre-hook'] = hooks.pre;
  if (hooks.post.length > 0) unrendered['post-hook'] = hooks.post;
  unrendered.tags = spec.tags;
  if (spec.documented) {
    unrendered.meta = meta;
    if (access === 'public') unrendered.access = access;
  }
  return {
    database: DATABASE,
    schema: DATABASE,
    name: spec.name,
    resource_type: 'model',
    package_name: PROJECT,
    path,
    original_file_path: `models/${path}`,
    unique_id: `model.${PROJECT}.${spec.name}`,
    fqn: [PROJECT, layerOf(spec), spec.domain, spec.name],
    alias: spec.name,
    checksum: { name: 'sha256', checksum: sha256(raw) },
    config,
    tags: spec.tags,
    description: spec.documented ? spec.description : '',
    columns: spec.documented ? columnsJson(columnsOf(spec)) : {},
    meta: spec.documented ? meta : {},
    group: null,
    docs: DOCS,
    patch_path: spec.documented ? `${PROJECT}://${schemaYmlPath(spec)}` : null,
    build_path: null,
    unrendered_config: unrendered,
    created_at: createdAt,
    relation_name: relationOf(spec.name, plan),
    raw_code: raw,
    language: 'sql',
    refs: spec.parents.map((name) => ({ name, package: null, version: null })),
    sources: spec.sources.map(([s, t]) => [s, t]),
    metrics: [],
    depends_on: {
      macros: macrosOf(raw, spec),
      nodes: [...spec.parents.map((p) => uniqueIdOf(p, plan)), ...spec.sources.map(([s, t]) => sourceId(s, t))],
    },
    compiled_path: `target/compiled/${PROJECT}/models/${path}`,
    compiled: true,
    compiled_code: compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { ...CONTRACT, checksum: null },
    access,
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
    primary_key: [],
    time_spine: null,
  };
}

/** What a generic test is attached to: a model (by name) or a source table. */
export type TestTarget = { kind: 'model'; spec: ModelSpec } | { kind: 'source'; table: SourceTable };

export interface TestNode {
  id: string;
  node: Json;
  parents: string[];
}

function testName(t: TestSpec, target: string): string {
  switch (t.kind) {
    case 'not_null':
    case 'unique':
      return `${t.kind}_${target}_${t.column!}`;
    case 'accepted_values':
      return `accepted_values_${target}_${t.column!}__${t.values!.join('__')}`;
    case 'relationships':
      return `relationships_${target}_${t.column!}__${t.field!}__ref_${t.to!}_`;
    case 'unique_combination_of_columns':
      return `dbt_utils_unique_combination_of_columns_${target}_${t.columns!.join('__')}`;
  }
}

function testCompiled(t: TestSpec, rel: string, plan: ProjectPlan): string {
  const c = t.column ?? '';
  switch (t.kind) {
    case 'not_null':
      return `\n    \n    \n\n\n\nselect ${c}\nfrom ${rel}\nwhere ${c} is null\n\n\n`;
    case 'unique':
      return `\n    \n    \n\nselect\n    ${c} as unique_field,\n    count(*) as n_records\n\nfrom ${rel}\nwhere ${c} is not null\ngroup by ${c}\nhaving count(*) > 1\n\n\n`;
    case 'accepted_values':
      return `\n    \n    \n\nwith all_values as (\n\n    select\n        ${c} as value_field,\n        count(*) as n_records\n\n    from ${rel}\n    group by ${c}\n\n)\n\nselect *\nfrom all_values\nwhere value_field not in (\n    ${t.values!.map((v) => `'${v}'`).join(',')}\n)\n\n\n`;
    case 'relationships':
      return `\n    \n    \n\nwith child as (\n    select ${c} as from_field\n    from ${rel}\n    where ${c} is not null\n),\n\nparent as (\n    select ${t.field!} as to_field\n    from ${relationOf(t.to!, plan)}\n)\n\nselect\n    from_field\n\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\n\nwhere parent.to_field is null\n\n\n`;
    case 'unique_combination_of_columns': {
      const cols = t.columns!.join(', ');
      return `\n\n\n\n\n\nwith validation_errors as (\n\n    select\n        ${cols}\n    from ${rel}\n    group by ${cols}\n    having count(*) > 1\n\n)\n\nselect *\nfrom validation_errors\n\n\n`;
    }
  }
}

export function testNode(t: TestSpec, target: TestTarget, plan: ProjectPlan, createdAt: number): TestNode {
  const targetName = target.kind === 'model' ? target.spec.name : `${target.table.source}_${target.table.table}`;
  const name = (target.kind === 'source' ? 'source_' : '') + testName(t, targetName);
  const ymlPath = target.kind === 'model' ? schemaYmlPath(target.spec) : sourcesYmlPath(target.table.domain);
  const folder = ymlPath.split('/').slice(1, -1);
  const hash = md5(`${name}:${ymlPath}`);
  // dbt shortens long test names to keep file names below 64 characters, and sets the alias to match.
  const file = name.length > 63 ? `${name.slice(0, 30)}_${hash}` : name;
  const modelArg = target.kind === 'model' ? `ref('${target.spec.name}')` : `source('${target.table.source}', '${target.table.table}')`;
  const kwargs: Json = {};
  if (t.kind === 'accepted_values') kwargs.values = t.values;
  if (t.kind === 'relationships') {
    kwargs.to = `ref('${t.to!}')`;
    kwargs.field = t.field;
  }
  if (t.kind === 'unique_combination_of_columns') kwargs.combination_of_columns = t.columns;
  else kwargs.column_name = t.column;
  kwargs.model = `{{ get_where_subquery(${modelArg}) }}`;
  const namespace = t.kind === 'unique_combination_of_columns' ? 'dbt_utils' : null;
  const macro = namespace ? `macro.dbt_utils.test_${t.kind}` : `macro.dbt.test_${t.kind}`;
  const configCall: string[] = [];
  const unrendered: Json = {};
  if (t.severity === 'warn') {
    configCall.push('severity="warn"');
    unrendered.severity = 'warn';
  }
  if (file !== name) {
    configCall.push(`alias="${file}"`);
    unrendered.alias = file;
  }
  const raw = `{{ ${namespace ? `${namespace}.` : ''}test_${t.kind}(**_dbt_generic_test_kwargs) }}${configCall.length > 0 ? `{{ config(${configCall.join(',')}) }}` : ''}`;
  const refs: string[] = [];
  if (t.kind === 'relationships') refs.push(t.to!);
  if (target.kind === 'model') refs.push(target.spec.name);
  const parents = [
    ...refs.map((r) => uniqueIdOf(r, plan)),
    ...(target.kind === 'source' ? [sourceId(target.table.source, target.table.table)] : []),
  ];
  const rel = target.kind === 'model' ? relationOf(target.spec.name, plan) : `\`${target.table.source}\`.\`${target.table.table}\``;
  const id = `test.${PROJECT}.${name}.${hash.slice(0, 10)}`;
  const node: Json = {
    database: DATABASE,
    schema: 'dbt_test__audit',
    name,
    resource_type: 'test',
    package_name: PROJECT,
    path: `${file}.sql`,
    original_file_path: ymlPath,
    unique_id: id,
    fqn: [PROJECT, ...folder, name],
    alias: file,
    checksum: { name: 'none', checksum: '' },
    config: {
      enabled: true,
      alias: file !== name ? file : null,
      schema: 'dbt_test__audit',
      database: null,
      tags: [],
      meta: {},
      group: null,
      materialized: 'test',
      severity: t.severity === 'warn' ? 'warn' : 'ERROR',
      store_failures: null,
      store_failures_as: null,
      where: null,
      limit: null,
      fail_calc: 'count(*)',
      warn_if: '!= 0',
      error_if: '!= 0',
    },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: DOCS,
    patch_path: null,
    build_path: null,
    unrendered_config: unrendered,
    created_at: createdAt,
    relation_name: null,
    raw_code: raw,
    language: 'sql',
    refs: refs.map((r) => ({ name: r, package: null, version: null })),
    sources: target.kind === 'source' ? [[target.table.source, target.table.table]] : [],
    metrics: [],
    depends_on: { macros: [macro, 'macro.dbt.get_where_subquery'], nodes: parents },
    compiled_path: `target/compiled/${PROJECT}/${ymlPath}/${file}.sql`,
    compiled: true,
    compiled_code: testCompiled(t, rel, plan),
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { ...CONTRACT, checksum: null },
    column_name: t.column,
    file_key_name: target.kind === 'model' ? `models.${target.spec.name}` : `sources.${target.table.source}`,
    attached_node: target.kind === 'model' ? `model.${PROJECT}.${target.spec.name}` : null,
    test_metadata: { name: t.kind, kwargs, namespace },
  };
  return { id, node, parents };
}

export function seedNode(seed: SeedSpec, csv: string, createdAt: number): Json {
  return {
    database: DATABASE,
    schema: DATABASE,
    name: seed.name,
    resource_type: 'seed',
    package_name: PROJECT,
    path: `${seed.name}.csv`,
    original_file_path: `seeds/${seed.name}.csv`,
    unique_id: `seed.${PROJECT}.${seed.name}`,
    fqn: [PROJECT, seed.name],
    alias: seed.name,
    checksum: { name: 'sha256', checksum: sha256(csv) },
    config: {
      enabled: true,
      alias: null,
      schema: null,
      database: null,
      tags: [],
      meta: {},
      group: null,
      materialized: 'seed',
      incremental_strategy: null,
      batch_size: null,
      lookback: 1,
      begin: null,
      persist_docs: {},
      'post-hook': [],
      'pre-hook': [],
      quoting: {},
      column_types: Object.fromEntries(seed.columns.map((c) => [c, columnDef(c).type])),
      full_refresh: null,
      unique_key: null,
      on_schema_change: 'ignore',
      on_configuration_change: 'apply',
      grants: {},
      packages: [],
      docs: DOCS,
      contract: CONTRACT,
      event_time: null,
      concurrent_batches: null,
      delimiter: ',',
      quote_columns: false,
      engine: 'MergeTree()',
      order_by: [seed.key],
    },
    tags: [],
    description: seed.description,
    columns: columnsJson(seed.columns),
    meta: {},
    group: null,
    docs: DOCS,
    patch_path: `${PROJECT}://seeds/seeds.yml`,
    build_path: null,
    unrendered_config: { quote_columns: false, engine: 'MergeTree()', order_by: [seed.key] },
    created_at: createdAt,
    relation_name: `\`${DATABASE}\`.\`${seed.name}\``,
    raw_code: '',
    root_path: '/app',
    depends_on: { macros: [] },
  };
}

export function snapshotNode(snap: SnapshotSpec, raw: string, compiled: string, fileText: string, createdAt: number): Json {
  const cfg = { unique_key: snap.uniqueKey, strategy: 'timestamp', target_schema: 'snapshots', updated_at: 'updated_at' };
  return {
    database: DATABASE,
    schema: 'snapshots',
    name: snap.name,
    resource_type: 'snapshot',
    package_name: PROJECT,
    path: `${snap.name}.sql`,
    original_file_path: `snapshots/${snap.name}.sql`,
    unique_id: `snapshot.${PROJECT}.${snap.name}`,
    fqn: [PROJECT, snap.name, snap.name],
    alias: snap.name,
    checksum: { name: 'sha256', checksum: sha256(fileText) },
    config: {
      enabled: true,
      alias: null,
      schema: null,
      database: null,
      tags: [],
      meta: {},
      group: null,
      materialized: 'snapshot',
      incremental_strategy: null,
      batch_size: null,
      lookback: 1,
      begin: null,
      persist_docs: {},
      'post-hook': [],
      'pre-hook': [],
      quoting: {},
      column_types: {},
      full_refresh: null,
      unique_key: snap.uniqueKey,
      on_schema_change: 'ignore',
      on_configuration_change: 'apply',
      grants: {},
      packages: [],
      docs: DOCS,
      contract: CONTRACT,
      event_time: null,
      concurrent_batches: null,
      strategy: 'timestamp',
      target_schema: 'snapshots',
      target_database: null,
      updated_at: 'updated_at',
      check_cols: null,
      snapshot_meta_column_names: { dbt_valid_to: null, dbt_valid_from: null, dbt_scd_id: null, dbt_updated_at: null, dbt_is_deleted: null },
      dbt_valid_to_current: null,
    },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: DOCS,
    patch_path: null,
    build_path: null,
    unrendered_config: cfg,
    created_at: createdAt,
    relation_name: `\`snapshots\`.\`${snap.name}\``,
    raw_code: raw,
    language: 'sql',
    refs: [],
    sources: [[snap.source.source, snap.source.table]],
    metrics: [],
    depends_on: { macros: [], nodes: [sourceId(snap.source.source, snap.source.table)] },
    compiled_path: `target/compiled/${PROJECT}/snapshots/${snap.name}.sql`,
    compiled: true,
    compiled_code: compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { ...CONTRACT, checksum: null },
  };
}

export function sourceNode(t: SourceTable, sourceDescription: string, createdAt: number): Json {
  const path = sourcesYmlPath(t.domain);
  return {
    database: '',
    schema: t.source,
    name: t.table,
    resource_type: 'source',
    package_name: PROJECT,
    path,
    original_file_path: path,
    unique_id: sourceId(t.source, t.table),
    fqn: [PROJECT, 'staging', t.domain, t.source, t.table],
    source_name: t.source,
    source_description: sourceDescription,
    loader: '',
    identifier: t.table,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: t.timeColumn,
    freshness: { warn_after: { count: 26, period: 'hour' }, error_after: { count: 72, period: 'hour' }, filter: null },
    external: null,
    description: t.description,
    columns: columnsJson(t.columns),
    meta: {},
    source_meta: {},
    tags: [t.source],
    config: { enabled: true, event_time: null },
    patch_path: null,
    unrendered_config: {},
    relation_name: `\`${t.source}\`.\`${t.table}\``,
    created_at: createdAt,
    unrendered_database: null,
    unrendered_schema: t.source,
  };
}

export function macroNode(m: MacroDef, createdAt: number): Json {
  return {
    name: m.name,
    resource_type: 'macro',
    package_name: m.packageName,
    path: m.path,
    original_file_path: m.path,
    unique_id: macroId(m),
    macro_sql: m.sql,
    depends_on: { macros: m.dependsOn },
    description: m.description ?? '',
    meta: {},
    docs: DOCS,
    patch_path: m.description ? `${m.packageName}://macros/macros.yml` : null,
    arguments: [],
    created_at: createdAt,
    supported_languages: null,
  };
}

export interface ExposureSpec {
  name: string;
  label: string;
  owner: string;
  maturity: 'high' | 'medium' | 'low';
  dependsOn: string[];
  description: string;
}

export function exposureNode(e: ExposureSpec, createdAt: number): Json {
  return {
    name: e.name,
    resource_type: 'exposure',
    package_name: PROJECT,
    path: 'exposures.yml',
    original_file_path: 'models/exposures.yml',
    unique_id: `exposure.${PROJECT}.${e.name}`,
    fqn: [PROJECT, e.name],
    type: 'dashboard',
    owner: { email: `${e.owner}@example.org`, name: e.owner },
    description: e.description,
    label: e.label,
    maturity: e.maturity,
    meta: {},
    tags: [],
    config: { enabled: true, tags: [], meta: {} },
    unrendered_config: {},
    url: `https://dashboards.example.org/d/${e.name}`,
    depends_on: { macros: [], nodes: e.dependsOn.map((n) => `model.${PROJECT}.${n}`) },
    refs: e.dependsOn.map((name) => ({ name, package: null, version: null })),
    sources: [],
    metrics: [],
    created_at: createdAt,
  };
}
