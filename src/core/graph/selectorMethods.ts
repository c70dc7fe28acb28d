/**
 * dbt's selector methods (core/dbt/graph/selector_methods.py), evaluated on the normalized manifest. Each search
 * returns the indices (in the DbtGraph) of the members a `method:value` selects before graph operators apply.
 * Values a method cannot take (an unknown resource type, a four-part source) throw SelectorError, as dbt raises.
 */
import type { ManifestNode } from '../manifest/types';
import { closestMatch } from './closestMatch';
import type { DbtGraph } from './dbtGraph';
import { fnmatch, hasWildcard } from './fnmatch';
import type { MethodName, SelectionCriteria } from './parseSelector';
import { isAbsolutePath, pathGlob, pathSegments } from './pathGlob';
import { SelectorError } from './selectorError';

/** Resource types kept in the manifest's `nodes` map, dbt's "parsed nodes". */
const PARSED_TYPES: ReadonlySet<string> = new Set(['model', 'seed', 'snapshot', 'test', 'operation', 'analysis', 'sql_operation', 'rpc']);

export const isParsed = (n: ManifestNode): boolean => PARSED_TYPES.has(n.resourceType);

/** dbt's NodeType values: what `resource_type:` accepts. */
export const NODE_TYPES: readonly string[] = [
  'model', 'analysis', 'test', 'snapshot', 'operation', 'seed', 'rpc', 'sql_operation', 'doc', 'source', 'macro',
  'exposure', 'metric', 'group', 'saved_query', 'semantic_model', 'unit_test', 'fixture', 'function',
];

const ACCESS_LEVELS = ['private', 'protected', 'public'];
const VERSION_KINDS = ['latest', 'prerelease', 'old', 'none'];
const TEST_TYPES = ['generic', 'singular', 'data', 'unit', 'schema'];

type Search = (graph: DbtGraph, value: string, args: readonly string[]) => Set<number>;

/** The members `criteria` selects by its method alone (no graph operators, no indirect tests). */
export function searchMethod(graph: DbtGraph, criteria: SelectionCriteria): Set<number> {
  const search = SEARCHES[criteria.method as keyof typeof SEARCHES] as Search | undefined;
  if (!search) throw new SelectorError(`The '${criteria.method}' method is not supported here`, criteria.method);
  return search(graph, criteria.value, criteria.methodArgs);
}

const SEARCHES = {
  fqn: searchFqn,
  tag: (g: DbtGraph, v: string) => byKey(tagIndex(g), v),
  group: (g: DbtGraph, v: string) =>
    scan(g, (n) => (isParsed(n) || n.resourceType === 'metric') && !!n.config.group && fnmatch(n.config.group, v)),
  access: (g: DbtGraph, v: string) => scan(g, (n) => n.resourceType === 'model' && n.config.access === v, 'model'),
  source: searchSource,
  exposure: (g: DbtGraph, v: string) => searchPackageAndName(g, v, 'exposure', 'exposure'),
  metric: (g: DbtGraph, v: string) => searchPackageAndName(g, v, 'metric', 'metric'),
  semantic_model: (g: DbtGraph, v: string) => searchPackageAndName(g, v, 'semantic_model', 'semantic model'),
  saved_query: (g: DbtGraph, v: string) => searchPackageAndName(g, v, 'saved_query', 'saved query'),
  unit_test: (g: DbtGraph, v: string) => searchPackageAndName(g, v, 'unit_test', 'unit test'),
  path: searchPath,
  // dbt 1.8+ matches the file name or its stem (`file:orders` as well as `file:orders.sql`).
  file: (g: DbtGraph, v: string) => byKey(g.index('file', (n) => fileNames(n.originalFilePath)), v),
  package: (g: DbtGraph, v: string) => byKey(g.index('package', (n) => [n.packageName]), packageSelector(g, v)),
  config: searchConfig,
  resource_type: searchResourceType,
  test_name: (g: DbtGraph, v: string) =>
    scan(g, (n) =>
      (n.resourceType === 'test' && n.testMetadata !== null && fnmatch(n.testMetadata.name, v)) ||
      (n.resourceType === 'unit_test' && fnmatch(n.name, v))),
  test_type: searchTestType,
  version: searchVersion,
} satisfies Partial<Record<MethodName, Search>>;

// --- helpers ----------------------------------------------------------------------------------------------------

function scan(graph: DbtGraph, pred: (n: ManifestNode) => boolean, type?: string): Set<number> {
  const out = new Set<number>();
  if (type !== undefined) {
    for (const i of ofType(graph, type)) if (pred(graph.nodeAt(i))) out.add(i);
  } else {
    for (let i = 0; i < graph.size; i++) if (pred(graph.nodeAt(i))) out.add(i);
  }
  return out;
}

function ofType(graph: DbtGraph, type: string): readonly number[] {
  return graph.index('resource_type', (n) => [n.resourceType]).get(type) ?? [];
}

/** Members whose key (tag, package, file name...) fnmatches the pattern: a lookup, or a pass over distinct keys. */
function byKey(index: ReadonlyMap<string, readonly number[]>, pattern: string): Set<number> {
  if (!hasWildcard(pattern)) return new Set(index.get(pattern) ?? []);
  const out = new Set<number>();
  for (const [key, list] of index) if (fnmatch(key, pattern)) for (const i of list) out.add(i);
  return out;
}

const tagIndex = (g: DbtGraph): ReadonlyMap<string, readonly number[]> => g.index('tag', (n) => n.tags);

// --- fqn --------------------------------------------------------------------------------------------------------

interface FqnInfo {
  fqn: readonly string[];
  unscoped: readonly string[];
  flat: readonly string[];
  unscopedFlat: readonly string[];
  versioned: boolean;
}

const flatten = (fqn: readonly string[]): string[] => fqn.flatMap((s) => s.split('.'));

/** Sources are not searched by fqn (dbt's `non_source_nodes`); everything else is. */
function fqnInfo(graph: DbtGraph): ReadonlyArray<FqnInfo | null> {
  return graph.memo('fqn', () =>
    Array.from({ length: graph.size }, (_, i) => {
      const n = graph.nodeAt(i);
      if (n.resourceType === 'source') return null;
      const unscoped = n.fqn.slice(1);
      return {
        fqn: n.fqn,
        unscoped,
        flat: flatten(n.fqn),
        unscopedFlat: flatten(unscoped),
        versioned: n.resourceType === 'model' && n.version !== null,
      };
    }),
  );
}

/**
 * dbt's `is_selected_node`: the selector equals the fqn's last part (for a versioned model, its model name, or the
 * last two parts joined with `_`: `dim_customers_v2`, `dim_customers.v2`), or it is a prefix of the fqn split on
 * dots, or, from its first part with a wildcard on, it fnmatches the rest of the fqn joined with dots (dbt 1.6+;
 * before, only a bare `*` part was a wildcard).
 */
export function isSelectedNode(fqn: readonly string[], flat: readonly string[], selector: string, parts: readonly string[], versioned: boolean): boolean {
  if (fqn.length === 0) return false;
  if (versioned) {
    if (fqn.length >= 2 && fqn[fqn.length - 2] === selector) return true;
    if (fqn.slice(-2).join('_') === parts.slice(-2).join('_')) return true;
  } else if (fqn[fqn.length - 1] === selector) {
    return true;
  }
  if (flat.length < parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (hasWildcard(part)) return fnmatch(flat.slice(i).join('.'), parts.slice(i).join('.'));
    if (flat[i] !== part) return false;
  }
  return true;
}

/** dbt's `QualifiedNameSelectorMethod.node_is_match`: the fqn as is, or without its package (any package). */
function fqnMatches(info: FqnInfo, selector: string, parts: readonly string[]): boolean {
  return (
    isSelectedNode(info.fqn, info.flat, selector, parts, info.versioned) ||
    isSelectedNode(info.unscoped, info.unscopedFlat, selector, parts, info.versioned)
  );
}

function searchFqn(graph: DbtGraph, value: string): Set<number> {
  const infos = fqnInfo(graph);
  const parts = value.split('.');
  const out = new Set<number>();
  const check = (i: number): void => {
    const info = infos[i];
    if (info && fqnMatches(info, value, parts)) out.add(i);
  };
  if (hasWildcard(parts[0]!)) {
    for (let i = 0; i < infos.length; i++) check(i);
    return out;
  }
  // Without a wildcard in the first part, a match must share its last part(s) or its first part with the
  // selector, so an index on those finds every candidate; each is then checked with dbt's rule.
  const index = graph.index('fqn-keys', (n) => {
    if (n.resourceType === 'source') return [];
    const unscoped = n.fqn.slice(1);
    const keys = [flatten(n.fqn)[0] ?? '', flatten(unscoped)[0] ?? ''];
    if (n.resourceType === 'model' && n.version !== null) keys.push(n.fqn[n.fqn.length - 2] ?? '', n.fqn.slice(-2).join('_'));
    else keys.push(n.fqn[n.fqn.length - 1] ?? '');
    return keys;
  });
  for (const key of [value, parts.slice(-2).join('_'), parts[0]!]) for (const i of index.get(key) ?? []) check(i);
  return out;
}

// --- sources, exposures, metrics, semantic models, saved queries, unit tests -------------------------------------

function searchSource(graph: DbtGraph, value: string): Set<number> {
  const parts = value.split('.');
  let pkg = '*';
  let source: string;
  let table = '*';
  if (parts.length === 1) source = parts[0]!;
  else if (parts.length === 2) [source, table] = parts as [string, string];
  else if (parts.length === 3) [pkg, source, table] = parts as [string, string, string];
  else {
    throw new SelectorError(
      `Invalid source selector value '${value}': sources are selected as source_name, source_name.table_name or package_name.source_name.table_name`,
      value,
    );
  }
  return scan(
    graph,
    (n) => fnmatch(n.packageName, pkg) && fnmatch(n.sourceName ?? '', source) && fnmatch(n.name, table),
    'source',
  );
}

function searchPackageAndName(graph: DbtGraph, value: string, type: string, label: string): Set<number> {
  const parts = value.split('.');
  let pkg = '*';
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [pkg, name] = parts as [string, string];
  else {
    throw new SelectorError(
      `Invalid ${label} selector value '${value}': a ${label} is selected as its name or package_name.name`,
      value,
    );
  }
  return scan(graph, (n) => fnmatch(n.packageName, pkg) && fnmatch(n.name, name), type);
}

// --- path, file, package ----------------------------------------------------------------------------------------

interface PathInfo {
  file: readonly string[];
  patch: readonly string[] | null;
}

function pathInfo(graph: DbtGraph): readonly PathInfo[] {
  return graph.memo('path', () =>
    Array.from({ length: graph.size }, (_, i) => {
      const n = graph.nodeAt(i);
      const patch = n.patchPath?.split('://')[1];
      return { file: pathSegments(n.originalFilePath), patch: patch === undefined ? null : pathSegments(patch) };
    }),
  );
}

function searchPath(graph: DbtGraph, value: string): Set<number> {
  if (isAbsolutePath(value)) {
    throw new SelectorError(`Invalid path selector '${value}': paths are relative to the project root (models/staging, not /models/staging)`, value);
  }
  const matches = pathGlob(value);
  const infos = pathInfo(graph);
  const out = new Set<number>();
  infos.forEach((info, i) => {
    if ((info.patch !== null && matches(info.patch)) || matches(info.file)) {
      out.add(i);
      return;
    }
    for (let k = info.file.length - 1; k >= 0; k--) {
      if (matches(info.file.slice(0, k))) {
        out.add(i);
        return;
      }
    }
  });
  return out;
}

/** `Path(p).name` and `Path(p).stem`, as Python's pathlib splits them. */
export function fileNames(path: string): string[] {
  const name = pathSegments(path).pop() ?? '';
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 && dot < name.length - 1 ? name.slice(0, dot) : name;
  return stem === name ? [name] : [name, stem];
}

/** `package:this` names the root project (dbt 1.6+), which the manifest's metadata records. */
function packageSelector(graph: DbtGraph, value: string): string {
  const project = graph.manifest.metadata.projectName;
  return value === 'this' && project !== null ? project : value;
}

// --- config -----------------------------------------------------------------------------------------------------

type Descent = { found: true; value: unknown } | { found: false };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** dbt's `_getattr_descend` on the config: attribute, then item; `pre_hook` is serialized as `pre-hook`. */
export function descendConfig(config: unknown, keys: readonly string[]): Descent {
  let value = config;
  for (const key of keys) {
    if (!isRecord(value)) return { found: false };
    if (Object.hasOwn(value, key)) value = value[key];
    else if (key.includes('_') && Object.hasOwn(value, key.replace(/_/g, '-'))) value = value[key.replace(/_/g, '-')];
    else return { found: false };
  }
  return { found: true, value };
}

/**
 * dbt's `ConfigSelectorMethod` comparison: the (text) selector equals a text value, or is a member of a list value;
 * `true`/`false` in any case match booleans. Numbers are never equal to the text selector in dbt (`"1" == 1` is
 * false in Python), so they do not match. `config.severity` compares case-insensitively.
 */
export function configValueMatches(value: unknown, selector: string, caseInsensitive: boolean): boolean {
  const upper = selector.toUpperCase();
  const eq = (x: unknown): boolean => typeof x === 'string' && (caseInsensitive ? x.toUpperCase() === upper : x === selector);
  if (Array.isArray(value)) {
    // Python's `True in [1]` is true (1 == True), so 1 and 0 count as booleans in a list.
    return value.some(eq) || (upper === 'TRUE' && value.some((x) => x === true || x === 1)) || (upper === 'FALSE' && value.some((x) => x === false || x === 0));
  }
  return eq(value) || (upper === 'TRUE' && value === true) || (upper === 'FALSE' && value === false);
}

const isConfigurable = (n: ManifestNode): boolean => isParsed(n) || n.resourceType === 'source';

function searchConfig(graph: DbtGraph, value: string, args: readonly string[]): Set<number> {
  const caseInsensitive = args.length === 1 && args[0] === 'severity';
  return scan(graph, (n) => {
    if (!isConfigurable(n)) return false;
    const d = descendConfig(n.config.raw, args);
    return d.found && configValueMatches(d.value, value, caseInsensitive);
  });
}

// --- resource_type, test_type, version --------------------------------------------------------------------------

function searchResourceType(graph: DbtGraph, value: string): Set<number> {
  if (!NODE_TYPES.includes(value)) {
    const suggestion = closestMatch(value, NODE_TYPES);
    throw new SelectorError(
      `'${value}' is not a resource type (resource_type:${value})${suggestion ? `; did you mean '${suggestion}'?` : `; the types are ${NODE_TYPES.join(', ')}`}`,
      value,
      suggestion,
    );
  }
  return new Set(ofType(graph, value));
}

type TestKind = 'generic' | 'singular' | 'unit';

function testKind(n: ManifestNode): TestKind | null {
  if (n.resourceType === 'unit_test') return 'unit';
  if (n.resourceType !== 'test') return null;
  return n.testMetadata !== null ? 'generic' : 'singular';
}

function searchTestType(graph: DbtGraph, value: string): Set<number> {
  let kinds: TestKind[];
  // dbt writes `selector in ("data")`: ("data") is a string, so any part of the word ("dat", "a") is accepted
  // as well; the same holds for "singular" and "unit". Kept for exact parity.
  if (value === 'generic' || value === 'schema') kinds = ['generic'];
  else if ('data'.includes(value)) kinds = ['generic', 'singular'];
  else if ('singular'.includes(value)) kinds = ['singular'];
  else if ('unit'.includes(value)) kinds = ['unit'];
  else {
    const suggestion = closestMatch(value, TEST_TYPES);
    throw new SelectorError(
      `Invalid test type selector '${value}': expected "generic", "singular", "unit" or "data"${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      value,
      suggestion,
    );
  }
  return scan(graph, (n) => {
    const kind = testKind(n);
    return kind !== null && kinds.includes(kind);
  });
}

/** Python's `float()` of a version, or null where it raises ValueError. */
function pyFloat(v: string | number): number | null {
  if (typeof v === 'number') return v;
  const s = v.trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return Number(s);
  if (/^[+-]?(?:inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return null;
}

/** dbt's `UnparsedVersion.__lt__`: numerically when both parse as floats, else as text. */
export function versionLess(a: string | number, b: string | number): boolean {
  const x = pyFloat(a);
  const y = pyFloat(b);
  return x !== null && y !== null ? x < y : String(a) < String(b);
}

const truthy = (v: string | number | null): v is string | number => v !== null && v !== '' && v !== 0;

function searchVersion(graph: DbtGraph, value: string): Set<number> {
  if (!VERSION_KINDS.includes(value)) {
    const suggestion = closestMatch(value, VERSION_KINDS);
    throw new SelectorError(
      `Invalid version type selector '${value}': expected one of "latest", "prerelease", "old" or "none"${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      value,
      suggestion,
    );
  }
  return scan(
    graph,
    (n) => {
      const { version, latestVersion } = n;
      switch (value) {
        case 'latest':
          return version !== null && version === latestVersion;
        case 'prerelease':
          return truthy(version) && truthy(latestVersion) && versionLess(latestVersion, version);
        case 'old':
          return truthy(version) && truthy(latestVersion) && versionLess(version, latestVersion);
        default:
          return version === null;
      }
    },
    'model',
  );
}

// --- when nothing matches -----------------------------------------------------------------------------------------

interface Miss {
  lead: string;
  candidates: Iterable<string>;
  /** Default: 'no node matches it'. */
  reason?: string;
  note?: string;
  /** The bad token when it is not the value (a config key that no node has), the word compared with candidates. */
  token?: string;
  word?: string;
  suggestionFor?: (s: string) => string;
  /** A suggestion known to work, used instead of the closest candidate. */
  fixed?: string;
}

/**
 * The error for a criterion whose method selects no member at all, with the nearest existing value from the
 * graph as a suggestion (closest node name, tag, path, config value...).
 */
export function noMatchError(graph: DbtGraph, c: SelectionCriteria, arg: 'select' | 'exclude'): SelectorError {
  const miss = describeMiss(graph, c);
  const where = c.raw === c.value ? `--${arg}` : `--${arg} '${c.raw}'`;
  const found = miss.fixed ?? closestMatch(miss.word ?? c.value, miss.candidates);
  const suggestion = found === null ? null : miss.fixed !== undefined ? found : (miss.suggestionFor?.(found) ?? found);
  const message =
    `${miss.lead} in ${where}: ${miss.reason ?? 'no node matches it'}.` +
    (suggestion ? ` Did you mean '${suggestion}'?` : '') +
    (miss.note ? ` ${miss.note}` : '');
  return new SelectorError(message, miss.token ?? c.value, suggestion);
}

function describeMiss(graph: DbtGraph, c: SelectionCriteria): Miss {
  const v = c.value;
  const nodes = Array.from({ length: graph.size }, (_, i) => graph.nodeAt(i));
  switch (c.method) {
    case 'fqn': {
      const lead = `Unknown ${v.includes('.') ? 'name' : 'model'} '${v}'`;
      // A wildcard pattern is matched against the whole fqn (package.folder.name), so `stg_*` matches nothing.
      if (hasWildcard(v) && !v.startsWith('*') && searchFqn(graph, `*${v}`).size > 0) {
        return { lead, candidates: [], fixed: `*${v}`, note: 'A pattern is matched against the whole fqn, from the package name on (package.folder.name).' };
      }
      return { lead, candidates: fqnCandidates(graph, v.includes('.')) };
    }
    case 'tag':
      return { lead: `Unknown tag '${v}'`, candidates: tagIndex(graph).keys() };
    case 'group':
      return {
        lead: `Unknown group '${v}'`,
        candidates: new Set([...graph.manifest.groups, ...nodes.flatMap((n) => (n.config.group ? [n.config.group] : []))]),
      };
    case 'access':
      return { lead: `Access level '${v}'`, candidates: ACCESS_LEVELS };
    case 'source': {
      const depth = v.split('.').length;
      return {
        lead: `Unknown source '${v}'`,
        candidates: ofType(graph, 'source').map((i) => {
          const n = graph.nodeAt(i);
          const full = [n.packageName, n.sourceName ?? '', n.name];
          return (depth === 1 ? full.slice(1, 2) : depth === 2 ? full.slice(1) : full).join('.');
        }),
      };
    }
    case 'exposure':
    case 'metric':
    case 'semantic_model':
    case 'saved_query':
    case 'unit_test': {
      const qualified = v.includes('.');
      return {
        lead: `Unknown ${c.method.replace('_', ' ')} '${v}'`,
        candidates: ofType(graph, c.method).map((i) => {
          const n = graph.nodeAt(i);
          return qualified ? `${n.packageName}.${n.name}` : n.name;
        }),
      };
    }
    case 'path':
      return { lead: `Unknown path '${v}'`, candidates: pathCandidates(graph) };
    case 'file':
      return { lead: `Unknown file '${v}'`, candidates: graph.index('file', (n) => fileNames(n.originalFilePath)).keys() };
    case 'package': {
      const note =
        v === 'this' && graph.manifest.metadata.projectName === null
          ? 'This manifest does not record the root project\'s name (metadata.project_name, written by dbt 1.6+), so \'this\' cannot be resolved: name the package.'
          : undefined;
      return { lead: `Unknown package '${v}'`, candidates: graph.index('package', (n) => [n.packageName]).keys(), note };
    }
    case 'config':
      return configMiss(nodes, c);
    case 'resource_type':
      return { lead: `Resource type '${v}'`, candidates: [], note: `The manifest has no enabled ${v} nodes.` };
    case 'test_name':
      return {
        lead: `Unknown test name '${v}'`,
        candidates: new Set(nodes.flatMap((n) => (n.testMetadata ? [n.testMetadata.name] : n.resourceType === 'unit_test' ? [n.name] : []))),
      };
    case 'test_type':
      return { lead: `Test type '${v}'`, candidates: [], note: 'The manifest has no tests of that type.' };
    case 'version':
      return { lead: `Version '${v}'`, candidates: [], note: ofType(graph, 'model').length === 0 ? 'The manifest has no models.' : undefined };
    default:
      return { lead: `'${c.raw}'`, candidates: [] };
  }
}

function fqnCandidates(graph: DbtGraph, dotted: boolean): Set<string> {
  const out = new Set<string>();
  for (const info of fqnInfo(graph)) {
    if (!info) continue;
    const { fqn } = info;
    if (info.versioned) {
      const base = fqn[fqn.length - 2] ?? '';
      out.add(base).add(`${base}_${fqn[fqn.length - 1]}`);
    } else {
      out.add(fqn[fqn.length - 1] ?? '');
    }
    out.add(info.flat[0] ?? '').add(info.unscopedFlat[0] ?? '');
    if (dotted) {
      for (const flat of [info.flat, info.unscopedFlat]) for (let k = 2; k <= flat.length; k++) out.add(flat.slice(0, k).join('.'));
    }
  }
  out.delete('');
  return out;
}

function pathCandidates(graph: DbtGraph): Set<string> {
  const out = new Set<string>();
  for (const info of pathInfo(graph)) {
    for (let k = 1; k <= info.file.length; k++) out.add(info.file.slice(0, k).join('/'));
    if (info.patch) out.add(info.patch.join('/'));
  }
  return out;
}

function configMiss(nodes: readonly ManifestNode[], c: SelectionCriteria): Miss {
  const keyPath = c.methodArgs.join('.');
  const lead = `config.${keyPath} value '${c.value}'`;
  const values = new Set<string>();
  let found = false;
  let numeric = false;
  for (const n of nodes) {
    if (!isConfigurable(n)) continue;
    const d = descendConfig(n.config.raw, c.methodArgs);
    if (!d.found) continue;
    found = true;
    for (const x of Array.isArray(d.value) ? (d.value as unknown[]) : [d.value]) {
      if (typeof x === 'string') values.add(x);
      else if (typeof x === 'boolean') values.add(String(x));
      else if (typeof x === 'number' && String(x) === c.value.trim()) numeric = true;
    }
  }
  if (!found) {
    const parentKeys = new Set<string>();
    for (const n of nodes) {
      if (!isConfigurable(n)) continue;
      const parent = descendConfig(n.config.raw, c.methodArgs.slice(0, -1));
      if (parent.found && isRecord(parent.value)) for (const k of Object.keys(parent.value)) parentKeys.add(k.replace(/-/g, '_'));
    }
    const prefix = ['config', ...c.methodArgs.slice(0, -1)].join('.');
    const bad = c.methodArgs[c.methodArgs.length - 1] ?? '';
    return {
      lead: `Config key 'config.${keyPath}'`,
      reason: 'no node has it',
      candidates: parentKeys,
      token: `config.${keyPath}`,
      word: bad,
      suggestionFor: (key) => `${prefix}.${key}`,
    };
  }
  return {
    lead,
    candidates: values,
    note: numeric
      ? `config.${keyPath} holds the number ${c.value.trim()} here, but dbt compares config values as text, so a number never matches; dbt selects nothing for this either.`
      : undefined,
  };
}
