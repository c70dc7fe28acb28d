/**
 * The normalized view of a dbt `manifest.json` (schema v4 to v12, and the v12-shaped "v20" of the Fusion engine).
 * Every later feature (lint, plans, comparisons) reads this, never the raw JSON.
 */

export type ResourceType =
  | 'model'
  | 'seed'
  | 'snapshot'
  | 'test'
  | 'source'
  | 'exposure'
  | 'metric'
  | 'semantic_model'
  | 'saved_query'
  | 'unit_test'
  | 'operation'
  | 'analysis'
  | 'sql_operation'
  | 'function';

/** A pre-hook or post-hook, from the hyphenated `pre-hook` / `post-hook` config keys. */
export interface Hook {
  sql: string;
  transaction: boolean;
  index: number | null;
}

/** A `ref()` in one shape for every schema version (`[["name"]]` before v9, `{name, package, version}` after). */
export interface Ref {
  name: string;
  package: string | null;
  version: string | number | null;
}

export interface NodeConfig {
  enabled: boolean;
  materialized: string | null;
  incrementalStrategy: string | null;
  uniqueKey: string | string[] | null;
  preHook: Hook[];
  postHook: Hook[];
  /** `full_refresh` as configured: `false` protects a model from `--full-refresh`; `null` means unset. */
  fullRefresh: boolean | null;
  eventTime: string | null;
  batchSize: string | null;
  lookback: number | null;
  begin: string | null;
  /** Adapter keys (ClickHouse `engine`, `order_by`, `partition_by`, ...) stay in `raw`; these are the common ones. */
  engine: string | null;
  orderBy: unknown;
  partitionBy: unknown;
  access: string | null;
  group: string | null;
  /** The config exactly as the manifest holds it (hyphenated keys included), for `config.<key>:` selection. */
  raw: Readonly<Record<string, unknown>>;
}

export interface TestMetadata {
  /** The generic test's name (`unique`, `not_null`, `accepted_values`, ...). */
  name: string;
  namespace: string | null;
  kwargs: Readonly<Record<string, unknown>>;
}

export interface ManifestNode {
  uniqueId: string;
  resourceType: ResourceType;
  name: string;
  packageName: string;
  fqn: string[];
  /** Path relative to the package's resource folder (`staging/stg_orders.sql`). */
  path: string;
  /** Path relative to the package root (`models/staging/stg_orders.sql`). */
  originalFilePath: string;
  /** `package://models/schema.yml` as dbt writes it, or null. */
  patchPath: string | null;
  /** sha256 of the node's file as dbt read it (`checksum.checksum` when its name is sha256), else null. */
  checksum: string | null;
  /** Node-level tags, deduplicated, in first-seen order. */
  tags: string[];
  config: NodeConfig;
  /** `depends_on.nodes`: unique ids of parents. */
  dependsOn: string[];
  dependsOnMacros: string[];
  refs: Ref[];
  /** `[source_name, table_name]` pairs. */
  sources: Array<[string, string]>;
  rawCode: string | null;
  compiledCode: string | null;
  language: string | null;
  database: string | null;
  schema: string | null;
  alias: string | null;
  relationName: string | null;
  description: string;
  /** Versioned models: the version of this node, and the latest version of its model. */
  version: string | number | null;
  latestVersion: string | number | null;
  /** Tests: the generic test's metadata (null for singular tests). */
  testMetadata: TestMetadata | null;
  /** Tests: the node a generic test is attached to (`attached_node`, v8+), else null. */
  attachedNode: string | null;
  /** Sources: `source_name`; other nodes: null. */
  sourceName: string | null;
  /** The node object exactly as read from the manifest (for `--output json`). */
  raw: Readonly<Record<string, unknown>>;
}

export interface ManifestMetadata {
  /** 4 to 12; the Fusion engine's "v20" is read as 12-shaped and reported here as 20. */
  schemaVersion: number;
  dbtVersion: string | null;
  adapterType: string | null;
  projectName: string | null;
  generatedAt: string | null;
  invocationId: string | null;
}

export interface Manifest {
  metadata: ManifestMetadata;
  /** Every selectable node keyed by unique id: nodes, sources, exposures, metrics, semantic models, saved
   * queries, unit tests (and functions). Disabled nodes are not here (dbt keeps them in `disabled`). */
  nodes: ReadonlyMap<string, ManifestNode>;
  /** unique id -> unique ids it depends on. From `parent_map` when present, else from `depends_on.nodes`. */
  parentMap: ReadonlyMap<string, readonly string[]>;
  /** unique id -> unique ids that depend on it. From `child_map` when present, else computed. */
  childMap: ReadonlyMap<string, readonly string[]>;
  /** Names of groups defined in the project (for `group:` selection and messages). */
  groups: readonly string[];
  /** Number of disabled nodes (kept only as a count; they are not part of the graph). */
  disabledCount: number;
  /** The root project's own files (`original_file_path`, enabled and disabled nodes) -> sha256, to tell when a
   * model file no longer matches the manifest. */
  fileChecksums: ReadonlyMap<string, string>;
  /** Things worth telling the user that did not stop the read (a schema newer than this release knows). */
  warnings: string[];
}
