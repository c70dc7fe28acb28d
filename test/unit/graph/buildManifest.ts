import { normalizeManifest, type Manifest } from '../../../src/core/manifest';

/**
 * One graph member of a hand-built manifest. The unique id decides the rest, as dbt builds ids:
 * `model.pkg.name`, `model.pkg.name.v2` (a versioned model), `source.pkg.source_name.table`, `test.pkg.name`...
 */
export interface MemberSpec {
  id: string;
  deps?: string[];
  tags?: string[];
  /** original_file_path; default `models/<name>.sql` and the like. */
  path?: string;
  /** patch_path without the `pkg://` prefix. */
  patch?: string;
  fqn?: string[];
  config?: Record<string, unknown>;
  /** A generic test's name (test_metadata.name); a test without it is singular. */
  testName?: string;
  latestVersion?: string | number;
  access?: string;
  group?: string;
}

const KEY_OF: Record<string, string> = {
  source: 'sources',
  exposure: 'exposures',
  metric: 'metrics',
  semantic_model: 'semantic_models',
  saved_query: 'saved_queries',
  unit_test: 'unit_tests',
  function: 'functions',
};

const FOLDER_OF: Record<string, string> = { seed: 'seeds', snapshot: 'snapshots', analysis: 'analyses', test: 'tests' };
const EXT_OF: Record<string, string> = { seed: 'csv' };

/** A v12-shaped manifest.json object for the given members, normalized like a real one. */
export function buildManifest(members: MemberSpec[], projectName: string | null = 'pkg'): Manifest {
  const json: Record<string, Record<string, unknown>> = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.10.0',
      ...(projectName === null ? {} : { project_name: projectName }),
    },
    nodes: {},
    sources: {},
    exposures: {},
    metrics: {},
    semantic_models: {},
    saved_queries: {},
    unit_tests: {},
    functions: {},
  };
  for (const m of members) {
    const [type = '', pkg = '', ...rest] = m.id.split('.');
    const node: Record<string, unknown> = {
      unique_id: m.id,
      resource_type: type,
      package_name: pkg,
      depends_on: { nodes: m.deps ?? [], macros: [] },
      tags: m.tags ?? [],
      config: { enabled: true, tags: m.tags ?? [], ...m.config, ...(m.group ? { group: m.group } : {}) },
    };
    let name = rest.join('.');
    let version: string | undefined;
    let versionValue: string | number | undefined;
    if (type === 'source') {
      node.source_name = rest[0];
      name = rest.slice(1).join('.');
    } else if (type === 'model' && rest.length === 2 && /^v/.test(rest[1]!)) {
      name = rest[0]!;
      version = rest[1]!.slice(1);
      // dbt writes integer versions as numbers.
      versionValue = /^\d+$/.test(version) ? Number(version) : version;
      node.version = versionValue;
      node.latest_version = m.latestVersion ?? null;
    } else if (type === 'unit_test') {
      name = rest[rest.length - 1]!;
    }
    node.name = name;
    const defaultPath =
      type === 'source'
        ? 'models/sources.yml'
        : `${FOLDER_OF[type] ?? 'models'}/${version !== undefined ? `${name}_v${version}` : name}.${EXT_OF[type] ?? (type === 'model' || type === 'test' || type === 'snapshot' ? 'sql' : 'yml')}`;
    node.original_file_path = m.path ?? defaultPath;
    node.path = node.original_file_path;
    node.patch_path = m.patch ? `${pkg}://${m.patch}` : null;
    node.fqn = m.fqn ?? (type === 'source' ? [pkg, rest[0] ?? '', name] : version !== undefined ? [pkg, name, `v${version}`] : [pkg, name]);
    if (m.testName) node.test_metadata = { name: m.testName, kwargs: {}, namespace: null };
    if (m.access) node.access = m.access;
    if (m.group) node.group = m.group;
    json[KEY_OF[type] ?? 'nodes']![m.id] = node;
  }
  return normalizeManifest(json, 'built-manifest.json');
}
