import type {
  Hook,
  Manifest,
  ManifestMetadata,
  ManifestNode,
  NodeConfig,
  Ref,
  ResourceType,
  TestMetadata,
} from './types';
import { ManifestError } from './manifestError';

type Json = Record<string, unknown>;

/** Top-level manifest keys whose values are maps of graph members, in dbt's linker order. */
const MEMBER_KEYS = [
  'nodes',
  'sources',
  'exposures',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
  'functions',
] as const;

const MIN_SCHEMA = 4;
const MAX_KNOWN_SCHEMA = 12;
/** dbt Fusion writes "v20" manifests that are v12-shaped. */
const FUSION_SCHEMA = 20;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function strArray(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string');
}

function dedupe(values: readonly string[]): string[] {
  return values.length < 2 ? [...values] : [...new Set(values)];
}

/** `https://schemas.getdbt.com/dbt/manifest/v12.json` -> 12. */
export function schemaVersionOf(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  const m = /\/manifest\/v(\d+)(?:\.json)?\s*$/.exec(url);
  return m ? Number(m[1]) : null;
}

function normalizeHooks(v: unknown): Hook[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const hooks: Hook[] = [];
  for (const [i, h] of list.entries()) {
    if (typeof h === 'string') {
      hooks.push({ sql: h, transaction: true, index: i });
    } else if (isObject(h) && typeof h.sql === 'string') {
      hooks.push({
        sql: h.sql,
        transaction: typeof h.transaction === 'boolean' ? h.transaction : true,
        index: typeof h.index === 'number' ? h.index : null,
      });
    }
  }
  return hooks;
}

function normalizeUniqueKey(v: unknown): string | string[] | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return strArray(v);
  return null;
}

function normalizeConfig(raw: Json, node: Json): NodeConfig {
  const fullRefresh = raw.full_refresh;
  const lookback = raw.lookback;
  return {
    enabled: raw.enabled !== false,
    materialized: str(raw.materialized),
    incrementalStrategy: str(raw.incremental_strategy),
    uniqueKey: normalizeUniqueKey(raw.unique_key),
    preHook: normalizeHooks(raw['pre-hook'] ?? raw.pre_hook),
    postHook: normalizeHooks(raw['post-hook'] ?? raw.post_hook),
    fullRefresh: typeof fullRefresh === 'boolean' ? fullRefresh : null,
    eventTime: str(raw.event_time),
    batchSize: str(raw.batch_size),
    lookback: typeof lookback === 'number' ? lookback : null,
    begin: str(raw.begin),
    engine: str(raw.engine),
    orderBy: raw.order_by ?? null,
    partitionBy: raw.partition_by ?? null,
    access: str(node.access) ?? str(raw.access),
    group: str(node.group) ?? str(raw.group),
    raw,
  };
}

/** Refs before v9 are `["name"]` or `["package", "name"]` (a third item may be a version); after, objects. */
function normalizeRefs(v: unknown): Ref[] {
  if (!Array.isArray(v)) return [];
  const refs: Ref[] = [];
  for (const r of v) {
    if (Array.isArray(r)) {
      const parts = strArray(r);
      if (parts.length === 1) refs.push({ name: parts[0]!, package: null, version: null });
      else if (parts.length >= 2) refs.push({ name: parts[1]!, package: parts[0]!, version: null });
    } else if (isObject(r) && typeof r.name === 'string') {
      const version = r.version;
      refs.push({
        name: r.name,
        package: str(r.package),
        version: typeof version === 'string' || typeof version === 'number' ? version : null,
      });
    }
  }
  return refs;
}

function normalizeSources(v: unknown): Array<[string, string]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[string, string]> = [];
  for (const s of v) {
    const parts = strArray(s);
    if (parts.length >= 2) out.push([parts[0]!, parts[1]!]);
  }
  return out;
}

function normalizeTestMetadata(v: unknown): TestMetadata | null {
  if (!isObject(v) || typeof v.name !== 'string') return null;
  return { name: v.name, namespace: str(v.namespace), kwargs: isObject(v.kwargs) ? v.kwargs : {} };
}

function sha256Of(v: unknown): string | null {
  return isObject(v) && v.name === 'sha256' && typeof v.checksum === 'string' ? v.checksum : null;
}

function versionOf(v: unknown): string | number | null {
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

function resourceTypeOf(node: Json, key: (typeof MEMBER_KEYS)[number]): ResourceType {
  const rt = str(node.resource_type);
  if (rt) return rt as ResourceType;
  switch (key) {
    case 'sources':
      return 'source';
    case 'exposures':
      return 'exposure';
    case 'metrics':
      return 'metric';
    case 'semantic_models':
      return 'semantic_model';
    case 'saved_queries':
      return 'saved_query';
    case 'unit_tests':
      return 'unit_test';
    case 'functions':
      return 'function';
    case 'nodes':
      return 'model';
  }
}

export function normalizeNode(node: Json, key: (typeof MEMBER_KEYS)[number] = 'nodes'): ManifestNode {
  const uniqueId = str(node.unique_id);
  if (!uniqueId) throw new Error('node without unique_id');
  const config = normalizeConfig(isObject(node.config) ? node.config : {}, node);
  const dependsOn = isObject(node.depends_on) ? node.depends_on : {};
  const fqn = strArray(node.fqn);
  const name = str(node.name) ?? uniqueId.split('.').pop() ?? uniqueId;
  const resourceType = resourceTypeOf(node, key);
  return {
    uniqueId,
    resourceType,
    name,
    packageName: str(node.package_name) ?? uniqueId.split('.')[1] ?? '',
    fqn: fqn.length > 0 ? fqn : [name],
    path: str(node.path) ?? '',
    originalFilePath: str(node.original_file_path) ?? str(node.path) ?? '',
    patchPath: str(node.patch_path),
    checksum: sha256Of(node.checksum),
    tags: dedupe(strArray(node.tags).concat(strArray(config.raw.tags))),
    config,
    dependsOn: strArray(dependsOn.nodes),
    dependsOnMacros: strArray(dependsOn.macros),
    refs: normalizeRefs(node.refs),
    sources: normalizeSources(node.sources),
    rawCode: str(node.raw_code) ?? str(node.raw_sql),
    compiledCode: str(node.compiled_code) ?? str(node.compiled_sql),
    language: str(node.language) ?? (node.raw_sql !== undefined ? 'sql' : null),
    database: str(node.database),
    schema: str(node.schema),
    alias: str(node.alias) ?? str(node.identifier),
    relationName: str(node.relation_name),
    description: str(node.description) ?? '',
    version: versionOf(node.version),
    latestVersion: versionOf(node.latest_version),
    testMetadata: normalizeTestMetadata(node.test_metadata),
    attachedNode: str(node.attached_node),
    sourceName: str(node.source_name),
    raw: node,
  };
}

function normalizeMetadata(raw: unknown, file: string): ManifestMetadata {
  if (!isObject(raw)) {
    throw new ManifestError(file, 'has no "metadata" object, so it is not a dbt manifest.json', 'Point dbt Recovery at the manifest.json in your project\'s target/ folder, or run `dbt parse` to write one.');
  }
  const schemaVersion = schemaVersionOf(raw.dbt_schema_version);
  if (schemaVersion === null) {
    throw new ManifestError(file, `has no recognizable "metadata.dbt_schema_version" (found ${JSON.stringify(raw.dbt_schema_version)})`, 'Run `dbt parse` with dbt 1.0 or later to write a current manifest.');
  }
  if (schemaVersion < MIN_SCHEMA) {
    throw new ManifestError(file, `is schema v${schemaVersion} (dbt older than 1.0), which dbt Recovery does not read`, 'Upgrade the project to dbt 1.0 or later and run `dbt parse`.');
  }
  return {
    schemaVersion,
    dbtVersion: str(raw.dbt_version),
    adapterType: str(raw.adapter_type),
    projectName: str(raw.project_name),
    generatedAt: str(raw.generated_at),
    invocationId: str(raw.invocation_id),
  };
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Builds the normalized manifest from parsed JSON. `file` only names the source in errors.
 * Throws ManifestError on anything that is not a dbt manifest of a supported schema.
 */
export function normalizeManifest(json: unknown, file: string): Manifest {
  if (!isObject(json)) {
    throw new ManifestError(file, 'is not a JSON object, so it is not a dbt manifest.json', 'Run `dbt parse` to write a fresh manifest.');
  }
  const metadata = normalizeMetadata(json.metadata, file);
  const warnings: string[] = [];
  if (metadata.schemaVersion > MAX_KNOWN_SCHEMA && metadata.schemaVersion !== FUSION_SCHEMA) {
    warnings.push(`${file} is manifest schema v${metadata.schemaVersion}, newer than v${MAX_KNOWN_SCHEMA}: it was read as v${MAX_KNOWN_SCHEMA}; update dbt Recovery if something looks wrong.`);
  }
  if (!isObject(json.nodes)) {
    throw new ManifestError(file, 'has no "nodes" object', 'The file may be cut short or not a manifest: run `dbt parse` to write it again.');
  }

  const nodes = new Map<string, ManifestNode>();
  let disabledCount = 0;
  for (const key of MEMBER_KEYS) {
    const members = json[key];
    if (!isObject(members)) continue;
    for (const [id, value] of Object.entries(members)) {
      if (!isObject(value)) continue;
      const node = normalizeNode(value.unique_id === undefined ? { ...value, unique_id: id } : value, key);
      // dbt keeps most disabled nodes under `disabled`, but tests disabled by config stay in `nodes` with
      // enabled=false. dbt's selector never returns them, and nothing can depend on them, so they are left out.
      if (!node.config.enabled) {
        disabledCount++;
        continue;
      }
      nodes.set(node.uniqueId, node);
    }
  }

  const fileChecksums = new Map<string, string>();
  const rootPackage = metadata.projectName;
  const noteFile = (n: Json): void => {
    const file = str(n.original_file_path);
    const sum = sha256Of(n.checksum);
    if (file && sum && (!rootPackage || n.package_name === rootPackage)) fileChecksums.set(file, sum);
  };
  for (const n of nodes.values()) noteFile(n.raw);
  if (isObject(json.disabled)) {
    for (const list of Object.values(json.disabled)) {
      const entries = Array.isArray(list) ? list : [list];
      disabledCount += entries.length;
      for (const d of entries) if (isObject(d)) noteFile(d);
    }
  }
  if (isObject(json.nodes)) {
    for (const n of Object.values(json.nodes)) if (isObject(n) && isObject(n.config) && n.config.enabled === false) noteFile(n);
  }

  const { parentMap, childMap } = buildMaps(nodes, json.parent_map);
  const groups = isObject(json.groups)
    ? Object.values(json.groups).flatMap((g) => (isObject(g) && typeof g.name === 'string' ? [g.name] : []))
    : [];

  return { metadata, nodes, parentMap, childMap, groups, disabledCount, fileChecksums, warnings };
}

/**
 * Uses the manifest's `parent_map` when it has one (a node missing from it is filled in from `depends_on`), else
 * `depends_on.nodes`. The child map is always its inverse, which is what dbt writes as `child_map`, so the given
 * one is not read. Edges to ids that are not graph members are dropped, as dbt's linker would refuse them.
 */
function buildMaps(
  nodes: ReadonlyMap<string, ManifestNode>,
  rawParents: unknown,
): { parentMap: Map<string, string[]>; childMap: Map<string, string[]> } {
  const parentMap = new Map<string, string[]>();
  const childMap = new Map<string, string[]>();
  const given = isObject(rawParents) ? rawParents : null;
  for (const node of nodes.values()) {
    const fromMap = given ? given[node.uniqueId] : undefined;
    const parents = dedupe(Array.isArray(fromMap) ? strArray(fromMap) : node.dependsOn).filter((p) => nodes.has(p));
    parentMap.set(node.uniqueId, parents);
    if (!childMap.has(node.uniqueId)) childMap.set(node.uniqueId, []);
    for (const p of parents) pushTo(childMap, p, node.uniqueId);
  }
  return { parentMap, childMap };
}
