/**
 * A stand-in for `dbt parse` + `dbt compile` (dbt-core 1.9.4 with dbt-clickhouse) for test and dev tooling: dbt does
 * not run on this machine, and the product drives the user's dbt, so only our tests use this. It reads a project the
 * way dbt does and writes a schema-v12 manifest with dbt's key set, nesting and key order (checked against the Gnosis
 * manifest in test/fixtures/manifests), compiled as against an empty warehouse: `is_incremental()` is false.
 *
 * Not modelled: packages (dbt_packages/), versioned models, python models, analyses, singular tests, semantic
 * layer, docs blocks, model-level (not column-level) generic tests, `+enabled: false`, and the macro table is the
 * project's macros plus the few dbt/dbt-clickhouse macros its nodes use (dbt writes all ~600 of them).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { pythonJsonDumps } from '../../src/core/manifest/lsFormat';
import builtins from './dbt-builtins.json';
import { genericTestHash, genericTestNames } from './genericTests';
import { JinjaRenderer, Relation, macroBlocks, type RenderContext } from './jinjaRenderer';

export interface ParseOptions {
  /** profiles.yml target; default: the profile's `target`. */
  target?: string;
  /** `--vars`: override the project's vars. */
  vars?: Record<string, unknown>;
  /** Folder of profiles.yml; default: the project folder. */
  profilesDir?: string;
  /** Environment for `env_var()`; default: process.env. */
  env?: Record<string, string | undefined>;
  /** Written as metadata.generated_at; fixed by default so the manifest changes only when the sources do. */
  generatedAt?: string;
  invocationId?: string;
  /** Seeds' `root_path`; dbt writes the absolute project folder. Default '/app', the seed's `--project-dir`. */
  rootPath?: string;
  /** Fail like dbt 1.9 on a microbatch model without `begin` (dbt stops `dbt parse` there); default false. */
}

type Json = Record<string, unknown>;

export const DBT_VERSION = '1.9.4';
export const DEFAULT_GENERATED_AT = '2026-04-27T00:00:00.000000Z';
export const DEFAULT_INVOCATION_ID = '00000000-0000-4000-8000-000000000000';
/** Every `created_at`: dbt writes parse time; fixed here (2026-04-27) for a stable manifest. Not a whole number, so
 * it prints as a float the way Python does. */
const CREATED_AT = 1777248000.5;
const ADAPTER_PACKAGE = 'dbt_clickhouse';

export class DbtParseError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Config defaults, in dbt 1.9's dataclass field order (which is the manifest's key order).

function baseNodeConfig(materialized: string): Json {
  return {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: [],
    meta: {},
    group: null,
    materialized,
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
    unique_key: null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: { show: true, node_color: null },
    contract: { enforced: false, alias_types: true },
    event_time: null,
    concurrent_batches: null,
  };
}

function defaultConfig(resourceType: string): Json {
  switch (resourceType) {
    case 'model':
      return { ...baseNodeConfig('view'), access: 'protected' };
    case 'seed':
      return { ...baseNodeConfig('seed'), delimiter: ',', quote_columns: null };
    case 'snapshot':
      return {
        ...baseNodeConfig('snapshot'),
        strategy: null,
        target_schema: null,
        target_database: null,
        updated_at: null,
        check_cols: null,
        snapshot_meta_column_names: { dbt_valid_to: null, dbt_valid_from: null, dbt_scd_id: null, dbt_updated_at: null, dbt_is_deleted: null },
        dbt_valid_to_current: null,
      };
    case 'test':
      return {
        enabled: true,
        alias: null,
        schema: 'dbt_test__audit',
        database: null,
        tags: [],
        meta: {},
        group: null,
        materialized: 'test',
        severity: 'ERROR',
        store_failures: null,
        store_failures_as: null,
        where: null,
        limit: null,
        fail_calc: 'count(*)',
        warn_if: '!= 0',
        error_if: '!= 0',
      };
    default:
      throw new Error(`no config defaults for ${resourceType}`);
  }
}

/** Keys dbt appends instead of replacing when configs from several places meet. */
const APPENDED = new Set(['tags', 'pre-hook', 'post-hook', 'packages']);
const MERGED = new Set(['meta', 'grants', 'docs', 'persist_docs', 'quoting', 'column_types', 'contract', 'snapshot_meta_column_names']);

function configKey(key: string): string {
  const k = key.startsWith('+') ? key.slice(1) : key;
  if (k === 'pre_hook') return 'pre-hook';
  if (k === 'post_hook') return 'post-hook';
  return k;
}

function asList(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function hooks(v: unknown): Json[] {
  return asList(v).map((h) =>
    typeof h === 'object' && h !== null && 'sql' in h
      ? { sql: (h as Json).sql, transaction: (h as Json).transaction ?? true, index: (h as Json).index ?? null }
      : { sql: String(h), transaction: true, index: null },
  );
}

/** Applies one layer of config (project folder, yml `config:`, SQL `config()`) onto `into`, dbt's merge rules. */
function applyConfig(into: Json, layer: Json): void {
  for (const [rawKey, value] of Object.entries(layer)) {
    const key = configKey(rawKey);
    if (key === 'pre-hook' || key === 'post-hook') {
      into[key] = [...asList(into[key]), ...hooks(value)];
    } else if (APPENDED.has(key)) {
      into[key] = [...asList(into[key]), ...asList(value)];
    } else if (MERGED.has(key) && isObject(value) && isObject(into[key])) {
      into[key] = { ...into[key], ...value };
    } else {
      into[key] = value;
    }
  }
}

function str(v: unknown, dflt: string): string {
  return typeof v === 'string' ? v : dflt;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Files

function readYaml(file: string): unknown {
  return parseYaml(readFileSync(file, 'utf8'));
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Files under `dir` ending in one of `exts`, depth first, names sorted: a stable stand-in for dbt's walk order. */
function walk(dir: string, exts: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(full);
  }
  return out;
}

const posix = (p: string): string => p.split(path.sep).join('/');

// ---------------------------------------------------------------------------------------------------------------

interface Project {
  dir: string;
  name: string;
  profile: string;
  modelPaths: string[];
  seedPaths: string[];
  snapshotPaths: string[];
  macroPaths: string[];
  testPaths: string[];
  analysisPaths: string[];
  vars: Json;
  configTrees: Record<string, Json>;
}

interface Target {
  name: string;
  profileName: string;
  schema: string;
  fields: Json;
}

function readProjectFile(dir: string): Project {
  const file = path.join(dir, 'dbt_project.yml');
  if (!existsSync(file)) throw new DbtParseError(`No dbt_project.yml found at expected path ${file}`);
  const raw = readYaml(file);
  if (!isObject(raw) || typeof raw.name !== 'string') throw new DbtParseError(`${file}: no project name`);
  const paths = (key: string, dflt: string): string[] => asList(raw[key] ?? [dflt]).map(String);
  const vars = isObject(raw.vars) ? raw.vars : {};
  return {
    dir,
    name: raw.name,
    profile: typeof raw.profile === 'string' ? raw.profile : raw.name,
    modelPaths: paths('model-paths', 'models'),
    seedPaths: paths('seed-paths', 'seeds'),
    snapshotPaths: paths('snapshot-paths', 'snapshots'),
    macroPaths: paths('macro-paths', 'macros'),
    testPaths: paths('test-paths', 'tests'),
    analysisPaths: paths('analysis-paths', 'analyses'),
    vars,
    configTrees: {
      model: isObject(raw.models) ? raw.models : {},
      seed: isObject(raw.seeds) ? raw.seeds : {},
      snapshot: isObject(raw.snapshots) ? raw.snapshots : {},
      test: isObject(raw.data_tests) ? raw.data_tests : isObject(raw.tests) ? raw.tests : {},
    },
  };
}

/**
 * The project-level config layers that apply to a node with this fqn, outermost first: `+key` entries at each
 * level of `models:` / `seeds:` ... that the fqn walks through.
 */
function projectConfigLayers(tree: Json, fqn: readonly string[]): Json[] {
  const layers: Json[] = [];
  let level: Json | undefined = tree;
  for (const part of fqn) {
    if (!level) break;
    const next: unknown = level[part];
    if (!isObject(next)) break;
    const own: Json = {};
    for (const [k, v] of Object.entries(next)) if (k.startsWith('+')) own[k.slice(1)] = v;
    layers.push(own);
    level = next;
  }
  return layers;
}

// ---------------------------------------------------------------------------------------------------------------

interface Parsed {
  project: Project;
  target: Target;
  renderer: JinjaRenderer;
  options: ParseOptions;
  nodes: Map<string, Json>;
  sources: Map<string, Json>;
  exposures: Map<string, Json>;
  macros: Map<string, Json>;
  /** name -> unique id of every refable node. */
  refable: Map<string, string>;
}

/** Reads a dbt project and returns the manifest dbt 1.9 would write for it after `dbt compile`. */
export function parseProject(dir: string, options: ParseOptions = {}): Json {
  const projectDir = path.resolve(dir);
  const project = readProjectFile(projectDir);
  const env = options.env ?? process.env;
  const target = readTarget(project, options, env);
  const macroSources = readMacros(project);
  const renderer = new JinjaRenderer([
    ...macroSources.map((m) => ({ uniqueId: m.unique_id as string, name: m.name as string, sql: m.macro_sql as string })),
    ...builtinTestMacros(),
  ]);
  renderer.addBuiltinMacro('is_incremental', `macro.${ADAPTER_PACKAGE}.is_incremental`, () => false);

  const p: Parsed = {
    project,
    target,
    renderer,
    options,
    nodes: new Map(),
    sources: new Map(),
    exposures: new Map(),
    macros: new Map(),
    refable: new Map(),
  };
  for (const m of macroSources) p.macros.set(m.unique_id as string, m);

  const properties = readPropertyFiles(p);
  const modelFiles = project.modelPaths.flatMap((mp) => walk(path.join(projectDir, mp), ['.sql']).map((f) => ({ f, mp })));
  const snapshotFiles = project.snapshotPaths.flatMap((sp) => walk(path.join(projectDir, sp), ['.sql']).map((f) => ({ f, mp: sp })));
  const seedFiles = project.seedPaths.flatMap((sp) => walk(path.join(projectDir, sp), ['.csv']).map((f) => ({ f, mp: sp })));

  // Names first, so a ref to a node parsed later resolves (dbt resolves refs after parsing everything).
  for (const { f } of [...modelFiles, ...snapshotFiles, ...seedFiles]) {
    const name = path.basename(f).replace(/\.(sql|csv)$/, '');
    const kind = f.endsWith('.csv') ? 'seed' : snapshotFiles.some((s) => s.f === f) ? 'snapshot' : 'model';
    if (kind === 'snapshot') {
      for (const b of snapshotBlocks(readFileSync(f, 'utf8'))) p.refable.set(b.name, `snapshot.${project.name}.${b.name}`);
    } else {
      p.refable.set(name, `${kind}.${project.name}.${name}`);
    }
  }
  for (const src of properties.sources) addSource(p, src);

  for (const { f, mp } of modelFiles) addModel(p, f, mp, properties.models.get(path.basename(f, '.sql')));
  for (const { f, mp } of snapshotFiles) addSnapshots(p, f, mp, properties.snapshots);
  for (const { f, mp } of seedFiles) addSeed(p, f, mp, properties.seeds.get(path.basename(f, '.csv')));
  for (const t of properties.tests) addGenericTest(p, t);
  for (const e of properties.exposures) addExposure(p, e);

  for (const m of builtins.macros) {
    const { arguments: args, supported_languages, ...rest } = m;
    p.macros.set(m.unique_id, { ...rest, arguments: args, created_at: CREATED_AT, supported_languages });
  }
  // dbt 1.9 refuses a microbatch model without `begin` at parse time, so no manifest exists for such a project.
  checkMicrobatch(p);
  return buildManifest(p);
}

function readTarget(project: Project, options: ParseOptions, env: Record<string, string | undefined>): Target {
  const dir = options.profilesDir ?? project.dir;
  const file = path.join(dir, 'profiles.yml');
  if (!existsSync(file)) throw new DbtParseError(`Could not find profile named '${project.profile}': no ${file}`);
  const all = readYaml(file);
  const profile = isObject(all) ? all[project.profile] : undefined;
  if (!isObject(profile) || !isObject(profile.outputs)) throw new DbtParseError(`Could not find profile named '${project.profile}'`);
  const name = options.target ?? (typeof profile.target === 'string' ? profile.target : 'dev');
  const output = profile.outputs[name];
  if (!isObject(output)) {
    throw new DbtParseError(`The profile '${project.profile}' does not have a target named '${name}'. Valid targets: ${Object.keys(profile.outputs).join(', ')}`);
  }
  const renderer = new JinjaRenderer([]);
  const envVar = (key: unknown, dflt?: unknown): unknown => {
    const v = env[String(key)];
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    throw new DbtParseError(`Env var required but not provided: '${String(key)}'`);
  };
  const fields: Json = {};
  for (const [k, v] of Object.entries(output)) {
    fields[k] = typeof v === 'string' ? renderer.render(v, { env_var: envVar }).output : v;
  }
  return { name, profileName: project.profile, schema: str(fields.schema, 'default'), fields };
}

function readMacros(project: Project): Json[] {
  const out: Json[] = [];
  for (const mp of project.macroPaths) {
    for (const file of walk(path.join(project.dir, mp), ['.sql'])) {
      const rel = posix(path.relative(project.dir, file));
      for (const b of macroBlocks(readFileSync(file, 'utf8'))) {
        out.push({
          name: b.name,
          resource_type: 'macro',
          package_name: project.name,
          path: rel,
          original_file_path: rel,
          unique_id: `macro.${project.name}.${b.name}`,
          macro_sql: b.sql,
          depends_on: { macros: [] as string[] },
          description: '',
          meta: {},
          docs: { show: true, node_color: null },
          patch_path: null,
          arguments: [],
          created_at: CREATED_AT,
          supported_languages: null,
        });
      }
    }
  }
  // dbt's static macro-call extraction: names called in the body that resolve to a macro (project first).
  const projectNames = new Map(out.map((m) => [m.name as string, m.unique_id as string]));
  const builtinNames = new Map<string, string>();
  for (const m of builtins.macros) if (!builtinNames.has(m.name) || m.package_name === ADAPTER_PACKAGE) builtinNames.set(m.name, m.unique_id);
  for (const m of out) {
    const deps: string[] = [];
    for (const call of (m.macro_sql as string).matchAll(/(?<![.\w])([A-Za-z_]\w*)\s*\(/g)) {
      const name = call[1] ?? '';
      if (name === m.name) continue;
      const id = projectNames.get(name) ?? builtinNames.get(name);
      if (id && !deps.includes(id)) deps.push(id);
    }
    (m.depends_on as { macros: string[] }).macros = deps;
  }
  return out;
}

/** dbt's generic tests and where-subquery macros, rendered for test nodes (is_incremental is a JS builtin). */
function builtinTestMacros(): Array<{ uniqueId: string; name: string; sql: string }> {
  const skip = new Set(['is_incremental', 'should_full_refresh', 'run_query', 'statement']);
  return builtins.macros.filter((m) => !skip.has(m.name)).map((m) => ({ uniqueId: m.unique_id, name: m.name, sql: m.macro_sql }));
}

// ---------------------------------------------------------------------------------------------------------------
// Property (yml) files

interface ColumnTest {
  testType: string;
  args: Json;
  config: Json;
}

interface NodeProps {
  name: string;
  file: string;
  yml: Json;
}

interface TestSpec {
  file: string;
  targetKind: 'models' | 'seeds' | 'snapshots' | 'sources';
  targetName: string;
  sourceName?: string;
  column: string;
  test: ColumnTest;
}

function readPropertyFiles(p: Parsed): {
  models: Map<string, NodeProps>;
  seeds: Map<string, NodeProps>;
  snapshots: Map<string, NodeProps>;
  sources: Array<{ file: string; source: Json; table: Json }>;
  tests: TestSpec[];
  exposures: Array<{ file: string; exposure: Json }>;
} {
  const { project } = p;
  const models = new Map<string, NodeProps>();
  const seeds = new Map<string, NodeProps>();
  const snapshots = new Map<string, NodeProps>();
  const sources: Array<{ file: string; source: Json; table: Json }> = [];
  const tests: TestSpec[] = [];
  const exposures: Array<{ file: string; exposure: Json }> = [];
  const dirs = [...project.modelPaths, ...project.seedPaths, ...project.snapshotPaths, ...project.macroPaths, ...project.testPaths, ...project.analysisPaths];
  const files = [...new Set(dirs.flatMap((d) => walk(path.join(project.dir, d), ['.yml', '.yaml'])))];
  for (const abs of files) {
    const file = posix(path.relative(project.dir, abs));
    const doc = readYaml(abs);
    if (!isObject(doc)) continue;
    for (const [kind, map] of [['models', models], ['seeds', seeds], ['snapshots', snapshots]] as const) {
      for (const yml of asList(doc[kind]).filter(isObject)) {
        const name = String(yml.name);
        map.set(name, { name, file, yml });
        for (const col of asList(yml.columns).filter(isObject)) {
          for (const t of columnTests(col)) tests.push({ file, targetKind: kind, targetName: name, column: String(col.name), test: t });
        }
      }
    }
    for (const source of asList(doc.sources).filter(isObject)) {
      for (const table of asList(source.tables).filter(isObject)) {
        sources.push({ file, source, table });
        for (const col of asList(table.columns).filter(isObject)) {
          for (const t of columnTests(col)) {
            tests.push({ file, targetKind: 'sources', targetName: String(table.name), sourceName: String(source.name), column: String(col.name), test: t });
          }
        }
      }
    }
    for (const exposure of asList(doc.exposures).filter(isObject)) exposures.push({ file, exposure });
  }
  return { models, seeds, snapshots, sources, tests, exposures };
}

function columnTests(col: Json): ColumnTest[] {
  const out: ColumnTest[] = [];
  for (const t of [...asList(col.data_tests), ...asList(col.tests)]) {
    if (typeof t === 'string') {
      out.push({ testType: t, args: {}, config: {} });
    } else if (isObject(t)) {
      const [testType, body] = Object.entries(t)[0] ?? [];
      if (!testType) continue;
      const args: Json = {};
      let config: Json = {};
      if (isObject(body)) {
        for (const [k, v] of Object.entries(body)) {
          if (k === 'config' && isObject(v)) config = v;
          else if (k === 'arguments' && isObject(v)) Object.assign(args, v);
          else args[k] = v;
        }
      }
      out.push({ testType, args, config });
    }
  }
  return out;
}

function columnsOf(yml: Json | undefined): Json {
  const out: Json = {};
  for (const col of asList(yml?.columns).filter(isObject)) {
    const name = String(col.name);
    out[name] = {
      name,
      description: typeof col.description === 'string' ? col.description : '',
      meta: isObject(col.meta) ? col.meta : {},
      data_type: typeof col.data_type === 'string' ? col.data_type : null,
      constraints: [],
      quote: typeof col.quote === 'boolean' ? col.quote : null,
      tags: asList(col.tags).map(String),
      granularity: null,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering a node

interface NodeRender {
  refs: Array<{ name: string; package: null; version: null }>;
  sources: Array<[string, string]>;
  config: Json;
  unrenderedCall: Json;
  macros: string[];
  compiled: string;
}

function relationOf(p: Parsed, schema: string, identifier: string): Relation {
  return new Relation(str(p.target.fields.database, ''), schema, identifier);
}

function baseContext(p: Parsed, execute: boolean): RenderContext {
  const { project, target, options } = p;
  const vars: Json = { ...project.vars, ...(options.vars ?? {}) };
  const env = options.env ?? process.env;
  return {
    execute,
    target: { ...target.fields, name: target.name, profile_name: target.profileName, target_name: target.name, type: target.fields.type ?? 'clickhouse', schema: target.schema, database: '' },
    project_name: project.name,
    var: (name: unknown, dflt?: unknown): unknown => {
      const key = String(name);
      if (key in vars) return vars[key];
      if (dflt !== undefined) return dflt;
      throw new DbtParseError(`Required var '${key}' not found in config`);
    },
    env_var: (key: unknown, dflt?: unknown): unknown => {
      const v = env[String(key)];
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      throw new DbtParseError(`Env var required but not provided: '${String(key)}'`);
    },
    log: () => '',
    print: () => '',
    run_query: () => null,
    flags: { FULL_REFRESH: false, STORE_FAILURES: false, WHICH: 'compile' },
    invocation_id: options.invocationId ?? DEFAULT_INVOCATION_ID,
    exceptions: {
      raise_compiler_error: (msg: unknown) => {
        throw new DbtParseError(`Compilation Error: ${String(msg)}`);
      },
      warn: () => '',
    },
    adapter: {
      // Returns a function that nunjucks calls with the render context as `this`, so it can find the macro.
      dispatch: (name: unknown) =>
        function (this: { lookup(n: string): unknown }, ...args: unknown[]): unknown {
          for (const candidate of [`clickhouse__${String(name)}`, `default__${String(name)}`, String(name)]) {
            const fn = this.lookup(candidate);
            if (typeof fn === 'function') return (fn as (...a: unknown[]) => unknown).apply(this, args);
          }
          throw new DbtParseError(`No macro named '${String(name)}' for adapter.dispatch`);
        },
    },
  };
}

/** Drops nunjucks' `__keywords` marker from a kwargs object. */
function kwargsOf(args: unknown[]): Json {
  const last = args[args.length - 1];
  if (!isObject(last)) return {};
  const { __keywords, ...rest } = last;
  void __keywords;
  return rest;
}

function renderNode(p: Parsed, code: string, self: Relation, nodeConfig: Json): NodeRender {
  const refs: NodeRender['refs'] = [];
  const sources: Array<[string, string]> = [];
  const unrenderedCall: Json = {};
  const callConfig: Json = {};
  const macros: string[] = [];

  const ctxFor = (execute: boolean): RenderContext => {
    const configFn = Object.assign(
      (...args: unknown[]) => {
        if (!execute) {
          const kw = kwargsOf(args);
          for (const [k, v] of Object.entries(kw)) {
            unrenderedCall[configKey(k)] = v;
          }
          applyConfig(callConfig, kw);
        }
        return '';
      },
      {
        get: (key: unknown, dflt: unknown = null) => {
          const k = configKey(String(key));
          if (k in callConfig) return callConfig[k];
          return k in nodeConfig && nodeConfig[k] !== null ? nodeConfig[k] : dflt;
        },
        require: (key: unknown) => callConfig[configKey(String(key))] ?? nodeConfig[configKey(String(key))],
      },
    );
    return {
      ...baseContext(p, execute),
      this: self,
      model: { name: self.identifier, config: nodeConfig },
      config: configFn,
      ref: (...args: unknown[]) => {
        const name = String(args[args.length === 1 ? 0 : 1]);
        if (!execute) refs.push({ name, package: null, version: null });
        const id = p.refable.get(name);
        if (!id) throw new DbtParseError(`Node ${self.identifier} depends on a node named '${name}' which was not found`);
        return refRelation(p, id, name);
      },
      source: (sourceName: unknown, tableName: unknown) => {
        const pair: [string, string] = [String(sourceName), String(tableName)];
        if (!execute) sources.push(pair);
        const src = p.sources.get(`source.${p.project.name}.${pair[0]}.${pair[1]}`);
        if (!src) throw new DbtParseError(`Node ${self.identifier} depends on a source named '${pair[0]}.${pair[1]}' which was not found`);
        return new Relation(String(src.database), String(src.schema), String(src.identifier));
      },
    };
  };

  const parsed = p.renderer.render(code, ctxFor(false));
  macros.push(...parsed.macros);
  Object.assign(nodeConfig, mergeConfig(nodeConfig, callConfig));
  const compiled = p.renderer.render(code, ctxFor(true));
  for (const m of compiled.macros) if (!macros.includes(m)) macros.push(m);
  return { refs, sources, config: callConfig, unrenderedCall, macros, compiled: compiled.output };
}

function mergeConfig(base: Json, layer: Json): Json {
  const out: Json = { ...base };
  applyConfig(out, layer);
  return out;
}

function refRelation(p: Parsed, id: string, name: string): Relation {
  const node = p.nodes.get(id);
  if (node) return relationOf(p, String(node.schema), String(node.alias));
  // Not parsed yet (a ref to a node later in walk order): its schema is the target's unless configured otherwise,
  // which this project never does for a refable node.
  return relationOf(p, p.target.schema, name);
}

function schemaFor(p: Parsed, config: Json): { database: string; schema: string } {
  const ctx = baseContext(p, false);
  const custom = typeof config.schema === 'string' ? config.schema : null;
  const customDb = typeof config.database === 'string' ? config.database : null;
  const has = (n: string): boolean => p.renderer.macroId(n)?.startsWith(`macro.${p.project.name}.`) ?? false;
  const schema = has('generate_schema_name')
    ? String(p.renderer.callMacro('generate_schema_name', [custom, null], ctx)).trim()
    : custom === null ? p.target.schema : `${p.target.schema}_${custom.trim()}`;
  const database = has('generate_database_name')
    ? String(p.renderer.callMacro('generate_database_name', [customDb, null], ctx)).trim()
    : customDb ?? '';
  return { database, schema };
}

// ---------------------------------------------------------------------------------------------------------------
// Nodes

function fqnOf(project: Project, resourcePath: string, name: string): string[] {
  const dirs = path.posix.dirname(resourcePath);
  return [project.name, ...(dirs === '.' ? [] : dirs.split('/')), name];
}

function unrenderedProjectConfig(layers: readonly Json[]): Json {
  const out: Json = {};
  for (const l of layers) for (const [k, v] of Object.entries(l)) out[configKey(k)] = v;
  return out;
}

function propsPatch(p: Parsed, props: NodeProps | undefined): { description: string; columns: Json; meta: Json; config: Json; tags: string[]; patchPath: string | null; docs: Json } {
  const yml = props?.yml;
  return {
    description: typeof yml?.description === 'string' ? yml.description : '',
    columns: columnsOf(yml),
    meta: isObject(yml?.meta) ? yml.meta : {},
    config: isObject(yml?.config) ? yml.config : {},
    tags: asList(yml?.tags).map(String),
    patchPath: props ? `${p.project.name}://${props.file}` : null,
    docs: isObject(yml?.docs) ? { show: true, node_color: null, ...yml.docs } : { show: true, node_color: null },
  };
}

function addModel(p: Parsed, file: string, modelPath: string, props: NodeProps | undefined): void {
  const { project } = p;
  const raw = readFileSync(file, 'utf8');
  const name = path.basename(file, '.sql');
  const originalFilePath = posix(path.relative(project.dir, file));
  const resourcePath = posix(path.relative(path.join(project.dir, modelPath), file));
  const fqn = fqnOf(project, resourcePath, name);
  const patch = propsPatch(p, props);

  const layers = projectConfigLayers(project.configTrees.model ?? {}, fqn);
  const config = defaultConfig('model');
  for (const l of layers) applyConfig(config, l);
  applyConfig(config, patch.config);
  if (Object.keys(patch.meta).length > 0) applyConfig(config, { meta: patch.meta });

  const self = relationOf(p, schemaFor(p, config).schema, name);
  const r = renderNode(p, raw, self, config);
  const finalConfig = orderedConfig('model', config);
  const { schema: finalSchema, database: finalDb } = schemaFor(p, finalConfig);
  const alias = typeof finalConfig.alias === 'string' ? finalConfig.alias : name;
  const unrendered = { ...unrenderedProjectConfig(layers), ...unrenderedFromYml(patch.config), ...r.unrenderedCall };

  p.nodes.set(`model.${project.name}.${name}`, {
    database: finalDb,
    schema: finalSchema,
    name,
    resource_type: 'model',
    package_name: project.name,
    path: resourcePath,
    original_file_path: originalFilePath,
    unique_id: `model.${project.name}.${name}`,
    fqn,
    alias,
    checksum: { name: 'sha256', checksum: sha256(raw) },
    config: finalConfig,
    tags: nodeTags(finalConfig, patch.tags),
    description: patch.description,
    columns: patch.columns,
    meta: finalConfig.meta,
    group: finalConfig.group,
    docs: finalConfig.docs,
    patch_path: patch.patchPath,
    build_path: null,
    unrendered_config: unrendered,
    created_at: CREATED_AT,
    relation_name: relationOf(p, finalSchema, alias).toString(),
    raw_code: raw,
    language: 'sql',
    refs: r.refs,
    sources: r.sources,
    metrics: [],
    depends_on: { macros: r.macros, nodes: dependsOnNodes(p, r) },
    compiled_path: `target/compiled/${project.name}/${originalFilePath}`,
    compiled: true,
    compiled_code: r.compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: Boolean((finalConfig.contract as Json | undefined)?.enforced), alias_types: true, checksum: null },
    access: finalConfig.access,
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
    primary_key: [],
    time_spine: null,
  });
}

function unrenderedFromYml(config: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) out[configKey(k)] = v;
  return out;
}

/** The defaults' keys first in dbt's order, then adapter keys (engine, order_by...) in the order they were set. */
function orderedConfig(resourceType: string, config: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(defaultConfig(resourceType))) out[k] = config[k];
  for (const [k, v] of Object.entries(config)) if (!(k in out)) out[k] = v;
  return out;
}

function nodeTags(config: Json, ymlTags: readonly string[]): string[] {
  return [...new Set([...asList(config.tags).map(String), ...ymlTags])];
}

function dependsOnNodes(p: Parsed, r: { refs: ReadonlyArray<{ name: string }>; sources: ReadonlyArray<[string, string]> }): string[] {
  // dbt resolves sources before refs (process_sources runs first), so sources lead.
  const out: string[] = [];
  for (const [s, t] of r.sources) {
    const id = `source.${p.project.name}.${s}.${t}`;
    if (!out.includes(id)) out.push(id);
  }
  for (const ref of r.refs) {
    const id = p.refable.get(ref.name);
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

function snapshotBlocks(text: string): Array<{ name: string; contents: string }> {
  const out: Array<{ name: string; contents: string }> = [];
  const re = /\{%-?\s*snapshot\s+([A-Za-z_]\w*)\s*-?%\}([\s\S]*?)\{%-?\s*endsnapshot\s*-?%\}/g;
  for (const m of text.matchAll(re)) out.push({ name: m[1] ?? '', contents: m[2] ?? '' });
  return out;
}

function addSnapshots(p: Parsed, file: string, snapshotPath: string, props: Map<string, NodeProps>): void {
  const { project } = p;
  const text = readFileSync(file, 'utf8');
  const originalFilePath = posix(path.relative(project.dir, file));
  const resourcePath = posix(path.relative(path.join(project.dir, snapshotPath), file));
  for (const block of snapshotBlocks(text)) {
    const name = block.name;
    const fqn = [...fqnOf(project, resourcePath, path.basename(file, '.sql')).slice(0, -1), name];
    const patch = propsPatch(p, props.get(name));
    const layers = projectConfigLayers(project.configTrees.snapshot ?? {}, fqn);
    const config = defaultConfig('snapshot');
    for (const l of layers) applyConfig(config, l);
    applyConfig(config, patch.config);
    const { schema } = schemaFor(p, config);
    // A snapshot's contents render on their own, with no trailing-newline trim of the file around them.
    const r = renderNode(p, `${block.contents}\n`, relationOf(p, schema, name), config);
    const finalConfig = orderedConfig('snapshot', config);
    const target = schemaFor(p, { ...finalConfig, schema: finalConfig.target_schema ?? finalConfig.schema });
    p.nodes.set(`snapshot.${project.name}.${name}`, {
      database: target.database,
      schema: target.schema,
      name,
      resource_type: 'snapshot',
      package_name: project.name,
      path: resourcePath,
      original_file_path: originalFilePath,
      unique_id: `snapshot.${project.name}.${name}`,
      fqn,
      alias: name,
      checksum: { name: 'sha256', checksum: sha256(text) },
      config: finalConfig,
      tags: nodeTags(finalConfig, patch.tags),
      description: patch.description,
      columns: patch.columns,
      meta: finalConfig.meta,
      group: null,
      docs: finalConfig.docs,
      patch_path: patch.patchPath,
      build_path: null,
      unrendered_config: { ...unrenderedProjectConfig(layers), ...unrenderedFromYml(patch.config), ...r.unrenderedCall },
      created_at: CREATED_AT,
      relation_name: relationOf(p, target.schema, name).toString(),
      raw_code: block.contents,
      language: 'sql',
      refs: r.refs,
      sources: r.sources,
      metrics: [],
      depends_on: { macros: r.macros, nodes: dependsOnNodes(p, r) },
      compiled_path: `target/compiled/${project.name}/${originalFilePath}`,
      compiled: true,
      compiled_code: r.compiled,
      extra_ctes_injected: true,
      extra_ctes: [],
      contract: { enforced: false, alias_types: true, checksum: null },
    });
  }
}

function addSeed(p: Parsed, file: string, seedPath: string, props: NodeProps | undefined): void {
  const { project, options } = p;
  const name = path.basename(file, '.csv');
  const originalFilePath = posix(path.relative(project.dir, file));
  const resourcePath = posix(path.relative(path.join(project.dir, seedPath), file));
  const fqn = fqnOf(project, resourcePath, name);
  const patch = propsPatch(p, props);
  const layers = projectConfigLayers(project.configTrees.seed ?? {}, fqn);
  const config = defaultConfig('seed');
  for (const l of layers) applyConfig(config, l);
  applyConfig(config, patch.config);
  const finalConfig = orderedConfig('seed', config);
  const { schema, database } = schemaFor(p, finalConfig);
  p.nodes.set(`seed.${project.name}.${name}`, {
    database,
    schema,
    name,
    resource_type: 'seed',
    package_name: project.name,
    path: resourcePath,
    original_file_path: originalFilePath,
    unique_id: `seed.${project.name}.${name}`,
    fqn,
    alias: name,
    checksum: { name: 'sha256', checksum: sha256(readFileSync(file)) },
    config: finalConfig,
    tags: nodeTags(finalConfig, patch.tags),
    description: patch.description,
    columns: patch.columns,
    meta: finalConfig.meta,
    group: null,
    docs: finalConfig.docs,
    patch_path: patch.patchPath,
    build_path: null,
    unrendered_config: { ...unrenderedProjectConfig(layers), ...unrenderedFromYml(patch.config) },
    created_at: CREATED_AT,
    relation_name: relationOf(p, schema, name).toString(),
    raw_code: '',
    root_path: options.rootPath ?? '/app',
    depends_on: { macros: [] },
  });
}

function addSource(p: Parsed, spec: { file: string; source: Json; table: Json }): void {
  const { project } = p;
  const { source, table, file } = spec;
  const sourceName = String(source.name);
  const tableName = String(table.name);
  const schema = typeof source.schema === 'string' ? source.schema : sourceName;
  const identifier = typeof table.identifier === 'string' ? table.identifier : tableName;
  const dirs = path.posix.dirname(file).split('/').slice(1);
  const freshness = isObject(table.freshness) ? table.freshness : isObject(source.freshness) ? source.freshness : {};
  const period = (v: unknown): Json => (isObject(v) ? { count: v.count ?? null, period: v.period ?? null } : { count: null, period: null });
  const tableConfig = isObject(table.config) ? table.config : {};
  const sourceConfig = isObject(source.config) ? source.config : {};
  const database = typeof source.database === 'string' ? source.database : str(p.target.fields.database, '');
  p.sources.set(`source.${project.name}.${sourceName}.${tableName}`, {
    database,
    schema,
    name: tableName,
    resource_type: 'source',
    package_name: project.name,
    path: file,
    original_file_path: file,
    unique_id: `source.${project.name}.${sourceName}.${tableName}`,
    fqn: [project.name, ...dirs, sourceName, tableName],
    source_name: sourceName,
    source_description: typeof source.description === 'string' ? source.description : '',
    loader: typeof source.loader === 'string' ? source.loader : '',
    identifier,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: typeof table.loaded_at_field === 'string' ? table.loaded_at_field : typeof source.loaded_at_field === 'string' ? source.loaded_at_field : null,
    freshness: { warn_after: period(freshness.warn_after), error_after: period(freshness.error_after), filter: null },
    external: null,
    description: typeof table.description === 'string' ? table.description : '',
    columns: columnsOf(table),
    meta: isObject(table.meta) ? table.meta : {},
    source_meta: isObject(source.meta) ? source.meta : {},
    tags: [...new Set([...asList(source.tags), ...asList(table.tags)].map(String))],
    config: { enabled: true, event_time: tableConfig.event_time ?? sourceConfig.event_time ?? null },
    patch_path: null,
    unrendered_config: { ...sourceConfig, ...tableConfig },
    relation_name: new Relation(database, schema, identifier).toString(),
    created_at: CREATED_AT,
    unrendered_database: typeof source.database === 'string' ? source.database : null,
    unrendered_schema: typeof source.schema === 'string' ? source.schema : null,
  });
}

function addGenericTest(p: Parsed, spec: TestSpec): void {
  const { project } = p;
  const { test, column } = spec;
  const isSource = spec.targetKind === 'sources';
  const targetName = isSource ? `${spec.sourceName}_${spec.targetName}` : spec.targetName;
  const targetExpr = isSource ? `source('${spec.sourceName}', '${spec.targetName}')` : `ref('${spec.targetName}')`;
  const kwargs: Json = { ...test.args, column_name: column, model: `{{ get_where_subquery(${targetExpr}) }}` };
  const testMetadata = { name: test.testType, kwargs, namespace: null };
  const [shortName, fullName] = genericTestNames(`${isSource ? 'source_' : ''}${test.testType}`, targetName, kwargs);
  const uniqueId = `test.${project.name}.${fullName}.${genericTestHash(fullName, testMetadata)}`;
  const macroName = `test_${test.testType}`;
  const macroId = p.renderer.macroId(macroName);
  if (!macroId) throw new DbtParseError(`${spec.file}: no generic test named '${test.testType}'`);

  const fileDirs = path.posix.dirname(spec.file).split('/').slice(1);
  const fqn = [project.name, ...fileDirs, fullName];
  const layers = projectConfigLayers(project.configTrees.test ?? {}, fqn);
  const config = defaultConfig('test');
  for (const l of layers) applyConfig(config, l);
  applyConfig(config, test.config);
  const { schema, database } = schemaFor(p, config);

  // dbt renders `{{ test_<name>(**_dbt_generic_test_kwargs) }}`; nunjucks has no `**`, so the kwargs are spelled out.
  const argExprs = Object.entries(kwargs).map(([k, v]) => {
    if (k === 'model') return `model=get_where_subquery(${targetExpr})`;
    if (k === 'to' && typeof v === 'string') return `to=${v}`;
    return `${k}=${JSON.stringify(v)}`;
  });
  const refs: Array<{ name: string; package: null; version: null }> = [];
  const sources: Array<[string, string]> = [];
  const recordRefs = (expr: string): void => {
    for (const m of expr.matchAll(/ref\(\s*'([^']+)'\s*\)/g)) refs.push({ name: m[1] ?? '', package: null, version: null });
    for (const m of expr.matchAll(/source\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)/g)) sources.push([m[1] ?? '', m[2] ?? '']);
  };
  if (typeof test.args.to === 'string') recordRefs(test.args.to);
  recordRefs(targetExpr);

  const ctx: RenderContext = {
    ...baseContext(p, true),
    config: Object.assign(() => '', { get: (k: unknown, d: unknown = null) => (config[String(k)] ?? d) }),
    ref: (name: unknown) => refRelation(p, p.refable.get(String(name)) ?? '', String(name)),
    source: (s: unknown, t: unknown) => {
      const src = p.sources.get(`source.${project.name}.${String(s)}.${String(t)}`);
      return new Relation(str(src?.database, ''), str(src?.schema, String(s)), str(src?.identifier, String(t)));
    },
  };
  const compiled = p.renderer.render(`{{ ${macroName}(${argExprs.join(', ')}) }}`, ctx);
  const macros = [macroId, ...compiled.macros.filter((m) => m !== macroId)];
  const deps = dependsOnNodes(p, { refs, sources });
  const attached = isSource ? null : p.refable.get(spec.targetName) ?? null;

  p.nodes.set(uniqueId, {
    database,
    schema,
    name: fullName,
    resource_type: 'test',
    package_name: project.name,
    path: `${shortName}.sql`,
    original_file_path: spec.file,
    unique_id: uniqueId,
    fqn,
    alias: shortName,
    checksum: { name: 'none', checksum: '' },
    config: orderedConfig('test', config),
    tags: nodeTags(config, []),
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: unrenderedFromYml(test.config),
    created_at: CREATED_AT,
    relation_name: null,
    raw_code: `{{ ${macroName}(**_dbt_generic_test_kwargs) }}`,
    language: 'sql',
    refs,
    sources,
    metrics: [],
    depends_on: { macros, nodes: deps },
    compiled_path: `target/compiled/${project.name}/${spec.file}/${shortName}.sql`,
    compiled: true,
    compiled_code: compiled.output,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
    column_name: column,
    file_key_name: isSource ? `sources.${spec.sourceName}` : `${spec.targetKind}.${spec.targetName}`,
    attached_node: attached,
    test_metadata: testMetadata,
  });

  // dbt 1.9 infers a model's primary key from its tests: unique + not_null on one column.
  if (attached?.startsWith('model.')) {
    const model = p.nodes.get(attached);
    if (model) model.__tests = [...asList(model.__tests), `${test.testType}:${column}`];
  }
}

function addExposure(p: Parsed, spec: { file: string; exposure: Json }): void {
  const { project } = p;
  const e = spec.exposure;
  const name = String(e.name);
  const refs: Array<{ name: string; package: null; version: null }> = [];
  const sources: Array<[string, string]> = [];
  for (const d of asList(e.depends_on).map(String)) {
    const ref = /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(d);
    const src = /source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)/.exec(d);
    if (ref) refs.push({ name: ref[1] ?? '', package: null, version: null });
    else if (src) sources.push([src[1] ?? '', src[2] ?? '']);
  }
  const owner = isObject(e.owner) ? e.owner : {};
  p.exposures.set(`exposure.${project.name}.${name}`, {
    name,
    resource_type: 'exposure',
    package_name: project.name,
    path: spec.file.split('/').slice(1).join('/'),
    original_file_path: spec.file,
    unique_id: `exposure.${project.name}.${name}`,
    fqn: [project.name, ...path.posix.dirname(spec.file).split('/').slice(1), name],
    type: e.type ?? null,
    owner: { email: owner.email ?? null, name: owner.name ?? null },
    description: typeof e.description === 'string' ? e.description : '',
    label: typeof e.label === 'string' ? e.label : null,
    maturity: typeof e.maturity === 'string' ? e.maturity : null,
    meta: isObject(e.meta) ? e.meta : {},
    tags: asList(e.tags).map(String),
    config: { enabled: true },
    unrendered_config: {},
    url: typeof e.url === 'string' ? e.url : null,
    depends_on: { macros: [], nodes: dependsOnNodes(p, { refs, sources }) },
    refs,
    sources,
    metrics: [],
    created_at: CREATED_AT,
  });
}

/** dbt 1.9's parse-time check (`check_valid_microbatch_config`), which stops `dbt parse`. */
function checkMicrobatch(p: Parsed): void {
  for (const n of p.nodes.values()) {
    const c = n.config as Json;
    if (n.resource_type !== 'model' || c.materialized !== 'incremental' || c.incremental_strategy !== 'microbatch') continue;
    if (typeof c.event_time !== 'string') throw new DbtParseError(`Microbatch model '${String(n.name)}' must provide an 'event_time' (string) config that indicates the name of the event time column.`);
    if (c.begin === null || c.begin === undefined) {
      throw new DbtParseError(`Microbatch model '${String(n.name)}' must provide a 'begin' (datetime) config that indicates the earliest timestamp the microbatch model should be built from.`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

function buildManifest(p: Parsed): Json {
  const { project, options } = p;
  // Primary keys, then drop the bookkeeping.
  for (const n of p.nodes.values()) {
    if (n.resource_type !== 'model') continue;
    const tests = asList(n.__tests).map(String);
    delete n.__tests;
    const cols = Object.keys(n.columns as Json);
    const both = cols.filter((c) => tests.includes(`unique:${c}`) && tests.includes(`not_null:${c}`));
    n.primary_key = both.length > 0 ? both : cols.filter((c) => tests.includes(`unique:${c}`));
  }

  const members = [...p.nodes.keys(), ...p.sources.keys(), ...p.exposures.keys()];
  const parents = new Map<string, string[]>(members.map((id) => [id, []]));
  const children = new Map<string, string[]>(members.map((id) => [id, []]));
  for (const [id, n] of [...p.nodes, ...p.exposures]) {
    for (const parent of (n.depends_on as { nodes?: string[] }).nodes ?? []) {
      parents.get(id)?.push(parent);
      children.get(parent)?.push(id);
    }
  }
  const sortedMap = (m: Map<string, string[]>): Json => Object.fromEntries([...m].map(([k, v]) => [k, [...new Set(v)].sort()]));

  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: DBT_VERSION,
      generated_at: options.generatedAt ?? DEFAULT_GENERATED_AT,
      invocation_id: options.invocationId ?? DEFAULT_INVOCATION_ID,
      env: {},
      project_name: project.name,
      project_id: createHash('md5').update(project.name).digest('hex'),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'clickhouse',
    },
    nodes: Object.fromEntries(p.nodes),
    sources: Object.fromEntries(p.sources),
    macros: Object.fromEntries(p.macros),
    docs: Object.fromEntries(builtins.docs.map((d) => [d.unique_id, d])),
    exposures: Object.fromEntries(p.exposures),
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
    parent_map: sortedMap(parents),
    child_map: sortedMap(children),
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
}

/** The manifest as dbt writes it: Python's json.dumps (one line, `", "` and `": "` separators, ASCII only). */
export function manifestText(manifest: Json): string {
  return pythonJsonDumps(manifest);
}
