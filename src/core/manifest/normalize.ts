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

const EMPTY: string[] = [];

/**
 * The strings of `v`. Returns the manifest's own array when it holds only strings (the usual case): on a
 * 100 MB manifest, copying every list would double the garbage the collector must walk.
 */
function strArray(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return EMPTY;
  for (const x of v) if (typeof x !== 'string') return v.filter((y): y is string => typeof y === 'string');
  return v as string[];
}

/** `values` without repeats, in first-seen order; the same array when it has none. */
function dedupe(values: string[]): string[] {
  if (values.length < 2) return values;
  if (values.length < 16) {
    for (let i = 1; i < values.length; i++) if (values.lastIndexOf(values[i]!, i - 1) !== -1) return [...new Set(values)];
    return values;
  }
  const set = new Set(values);
  return set.size === values.length ? values : [...set];
}

/** Node-level tags: `tags` already holds the config's tags in every dbt version; merge only if it does not. */
function mergeTags(nodeTags: string[], configTags: string[]): string[] {
  if (configTags.length === 0) return dedupe(nodeTags);
  for (const t of configTags) if (!nodeTags.includes(t)) return dedupe(nodeTags.concat(configTags));
  return dedupe(nodeTags);
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

/**
 * A manifest node read on demand. What every selection touches (ids, names, fqn, tags, lineage, path) is read
 * when the node is made; the rest (config, refs, code, relation...) on first access, then kept. On a manifest of
 * 30,000 nodes that is most of the cost of reading it after JSON.parse, for a CLI call that needs little of it.
 */
class LazyNode implements ManifestNode {
  readonly uniqueId: string;
  readonly resourceType: ResourceType;
  readonly name: string;
  readonly packageName: string;
  readonly fqn: string[];
  readonly originalFilePath: string;
  readonly tags: string[];
  readonly dependsOn: string[];
  private cachedConfig: NodeConfig | undefined;
  private cachedRefs: Ref[] | undefined;
  private cachedSources: Array<[string, string]> | undefined;
  private cachedTestMetadata: TestMetadata | null | undefined;

  constructor(
    readonly raw: Json,
    key: (typeof MEMBER_KEYS)[number],
  ) {
    const uniqueId = str(raw.unique_id);
    if (!uniqueId) throw new Error('node without unique_id');
    this.uniqueId = uniqueId;
    this.resourceType = resourceTypeOf(raw, key);
    this.name = str(raw.name) ?? uniqueId.split('.').pop() ?? uniqueId;
    this.packageName = str(raw.package_name) ?? uniqueId.split('.')[1] ?? '';
    const fqn = strArray(raw.fqn);
    this.fqn = fqn.length > 0 ? fqn : [this.name];
    this.originalFilePath = str(raw.original_file_path) ?? str(raw.path) ?? '';
    const config = raw.config;
    this.tags = mergeTags(strArray(raw.tags), isObject(config) ? strArray(config.tags) : EMPTY);
    this.dependsOn = isObject(raw.depends_on) ? strArray(raw.depends_on.nodes) : EMPTY;
  }

  get config(): NodeConfig {
    return (this.cachedConfig ??= normalizeConfig(isObject(this.raw.config) ? this.raw.config : {}, this.raw));
  }
  get refs(): Ref[] {
    return (this.cachedRefs ??= normalizeRefs(this.raw.refs));
  }
  get sources(): Array<[string, string]> {
    return (this.cachedSources ??= normalizeSources(this.raw.sources));
  }
  get testMetadata(): TestMetadata | null {
    if (this.cachedTestMetadata === undefined) this.cachedTestMetadata = normalizeTestMetadata(this.raw.test_metadata);
    return this.cachedTestMetadata;
  }
  get dependsOnMacros(): string[] {
    return isObject(this.raw.depends_on) ? strArray(this.raw.depends_on.macros) : EMPTY;
  }
  get path(): string {
    return str(this.raw.path) ?? '';
  }
  get patchPath(): string | null {
    return str(this.raw.patch_path);
  }
  get checksum(): string | null {
    return sha256Of(this.raw.checksum);
  }
  get rawCode(): string | null {
    return str(this.raw.raw_code) ?? str(this.raw.raw_sql);
  }
  get compiledCode(): string | null {
    return str(this.raw.compiled_code) ?? str(this.raw.compiled_sql);
  }
  get language(): string | null {
    return str(this.raw.language) ?? (this.raw.raw_sql !== undefined ? 'sql' : null);
  }
  get database(): string | null {
    return str(this.raw.database);
  }
  get schema(): string | null {
    return str(this.raw.schema);
  }
  get alias(): string | null {
    return str(this.raw.alias) ?? str(this.raw.identifier);
  }
  get relationName(): string | null {
    return str(this.raw.relation_name);
  }
  get description(): string {
    return str(this.raw.description) ?? '';
  }
  get version(): string | number | null {
    return versionOf(this.raw.version);
  }
  get latestVersion(): string | number | null {
    return versionOf(this.raw.latest_version);
  }
  get attachedNode(): string | null {
    return str(this.raw.attached_node);
  }
  get sourceName(): string | null {
    return str(this.raw.source_name);
  }
}

export function normalizeNode(node: Json, key: (typeof MEMBER_KEYS)[number] = 'nodes'): ManifestNode {
  return new LazyNode(node, key);
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
  const fileChecksums = new Map<string, string>();
  const rootPackage = metadata.projectName;
  const noteFile = (n: Json): void => {
    const file = n.original_file_path;
    const sum = sha256Of(n.checksum);
    if (typeof file === 'string' && sum && (!rootPackage || n.package_name === rootPackage)) fileChecksums.set(file, sum);
  };
  let disabledCount = 0;
  for (const key of MEMBER_KEYS) {
    const members = json[key];
    if (!isObject(members)) continue;
    // for-in, not Object.entries: no pair array per node on manifests of tens of thousands of nodes.
    for (const id in members) {
      const value = members[id];
      if (!isObject(value)) continue;
      noteFile(value);
      // dbt keeps most disabled nodes under `disabled`, but tests disabled by config stay in `nodes` with
      // enabled=false. dbt's selector never returns them, and nothing can depend on them, so they are left out.
      if (isObject(value.config) && value.config.enabled === false) {
        disabledCount++;
        continue;
      }
      const node = normalizeNode(value.unique_id === undefined ? { ...value, unique_id: id } : value, key);
      nodes.set(node.uniqueId, node);
    }
  }
  if (isObject(json.disabled)) {
    for (const list of Object.values(json.disabled)) {
      const entries = Array.isArray(list) ? list : [list];
      disabledCount += entries.length;
      for (const d of entries) if (isObject(d)) noteFile(d);
    }
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
    const listed = dedupe(Array.isArray(fromMap) ? strArray(fromMap) : node.dependsOn);
    const parents = listed.every((p) => nodes.has(p)) ? listed : listed.filter((p) => nodes.has(p));
    parentMap.set(node.uniqueId, parents);
    if (!childMap.has(node.uniqueId)) childMap.set(node.uniqueId, []);
    for (const p of parents) pushTo(childMap, p, node.uniqueId);
  }
  return { parentMap, childMap };
}
