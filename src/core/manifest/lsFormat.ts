import type { ManifestNode } from './types';

/** The `--output` formats of `dbt ls`. */
export const LS_OUTPUTS = ['selector', 'name', 'path', 'json'] as const;
export type LsOutput = (typeof LS_OUTPUTS)[number];

/** The keys `dbt ls --output json` prints when no `--output-keys` are given (dbt's ListTask.ALLOWED_KEYS). */
export const LS_JSON_KEYS: readonly string[] = [
  'alias',
  'name',
  'package_name',
  'depends_on',
  'tags',
  'config',
  'resource_type',
  'source_name',
  'original_file_path',
  'unique_id',
];

/** Resource types `dbt ls --output selector` prints as `<type>:<package>.<name>` instead of the fqn. */
const PREFIXED_TYPES = new Set(['exposure', 'metric', 'saved_query', 'semantic_model']);

/** dbt's `search_name`: `name.vN` for versioned models, `source_name.name` for sources, else the name. */
export function searchName(node: ManifestNode): string {
  if (node.resourceType === 'source' && node.sourceName) return `${node.sourceName}.${node.name}`;
  if (node.version !== null && node.resourceType === 'model') return `${node.name}.v${node.version}`;
  return node.name;
}

/** A unit test's `versioned_name` (`name_vN` when it tests one version of a versioned model). */
function versionedName(node: ManifestNode): string {
  return node.version !== null ? `${node.name}_v${node.version}` : node.name;
}

export function selectorOf(node: ManifestNode): string {
  if (node.resourceType === 'source') return `source:${node.packageName}.${node.sourceName ?? ''}.${node.name}`;
  if (node.resourceType === 'unit_test') return `unit_test:${node.packageName}.${versionedName(node)}`;
  if (PREFIXED_TYPES.has(node.resourceType)) return `${node.resourceType}:${node.packageName}.${node.name}`;
  return node.fqn.join('.');
}

const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * Python's `json.dumps` with its default separators and `ensure_ascii`, so `--output json` lines read the same
 * as dbt's (`{"name": "x", "tags": ["a", "b"]}`). Key order is the manifest's, as dbt's `to_dict` writes both.
 * Built on V8's own pretty-printer, whose line breaks then become Python's separators: JSON escapes every newline
 * inside strings, so a newline in the output is always structure. Thousands of nodes a second, no per-token code.
 */
export function pythonJsonDumps(value: unknown): string {
  const text = (JSON.stringify(value, null, 1) ?? 'null')
    .replace(/([[{])\n */g, '$1')
    .replace(/\n *([\]}])/g, '$1')
    .replace(/,\n */g, ', ');
  NON_ASCII.lastIndex = 0;
  return NON_ASCII.test(text) ? text.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

function valueAt(raw: Readonly<Record<string, unknown>>, key: string): unknown {
  let cur: unknown = raw;
  for (const part of key.split('.')) {
    cur = typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur;
}

/** One line of `dbt ls` output for `node`. */
export function formatLsLine(node: ManifestNode, output: LsOutput, outputKeys?: readonly string[]): string {
  switch (output) {
    case 'selector':
      return selectorOf(node);
    case 'name':
      return searchName(node);
    case 'path':
      return node.originalFilePath;
    case 'json': {
      const obj: Record<string, unknown> = {};
      if (outputKeys && outputKeys.length > 0) {
        // dbt prints the requested keys in the order given; a dotted key (`config.materialized`) is looked up
        // nested and printed only when it has a value.
        for (const key of outputKeys) {
          const v = key.includes('.') ? valueAt(node.raw, key) : node.raw[key];
          if (v !== undefined && (v !== null || !key.includes('.'))) obj[key] = v;
        }
      } else {
        const wanted = new Set(LS_JSON_KEYS);
        for (const [k, v] of Object.entries(node.raw)) if (wanted.has(k)) obj[k] = v;
      }
      return pythonJsonDumps(obj);
    }
  }
}
