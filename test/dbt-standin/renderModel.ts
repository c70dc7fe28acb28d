/**
 * TEST CODE: renders one model's Jinja as `dbt run` does at execution time, for the stand-in's executors: with the
 * run's `--vars` over the project's, `is_incremental()` as the caller measured it on the warehouse (the parse stand-in
 * compiles against an empty warehouse, where it is always false), `ref()`/`source()`/`this` from the manifest, and the
 * project's own macros. Uses the parse stand-in's nunjucks bridge (jinjaRenderer.ts) and its limits.
 *
 * Returns the SQL and the model's config as its `config()` call renders with these vars: dbt re-renders the config
 * at run time, so `incremental_strategy=('append' if var('start_month', none) ... else 'delete+insert')` is 'append'
 * in a month refill although the manifest (parsed without the var) says 'delete+insert'.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Manifest, ManifestNode } from '../../src/core/manifest/types';
import { JinjaRenderer, Relation, macroBlocks, type MacroSource } from './jinjaRenderer';

export interface RenderModelInput {
  node: ManifestNode;
  manifest: Manifest;
  projectDir: string;
  /** `--vars` of the run (over the project's `vars:`). */
  vars: Readonly<Record<string, unknown>>;
  /** What `is_incremental()` answers: the relation exists as a table, the model is incremental, no full refresh. */
  isIncremental: boolean;
  /** The target's name and schema (`target.name`, `target.schema`). */
  target: { name: string; schema: string };
}

export interface RenderedModel {
  sql: string;
  /** The node's config from the manifest with its `config()` call, rendered with the run's vars, on top (keys as
   * dbt writes them in the manifest: `pre-hook`, `incremental_strategy`, ...). */
  config: Record<string, unknown>;
}

type Json = Record<string, unknown>;

interface ProjectJinja {
  renderer: JinjaRenderer;
  vars: Json;
  isIncremental: { value: boolean };
}

/** Per project folder: its macros compiled once per process (a dbt run renders many models). */
const projects = new Map<string, ProjectJinja>();

function sqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = path.join(dir, e);
      return statSync(p).isDirectory() ? sqlFiles(p) : e.endsWith('.sql') ? [p] : [];
    });
}

function projectJinja(projectDir: string): ProjectJinja {
  const known = projects.get(projectDir);
  if (known) return known;
  const y = parseYaml(readFileSync(path.join(projectDir, 'dbt_project.yml'), 'utf8')) as Json;
  const name = String(y.name);
  const macroPaths = Array.isArray(y['macro-paths']) ? (y['macro-paths'] as string[]) : ['macros'];
  const macros: MacroSource[] = macroPaths.flatMap((mp) =>
    sqlFiles(path.join(projectDir, mp)).flatMap((f) => macroBlocks(readFileSync(f, 'utf8')).map((b) => ({ uniqueId: `macro.${name}.${b.name}`, name: b.name, sql: b.sql }))),
  );
  const renderer = new JinjaRenderer(macros);
  const isIncremental = { value: false };
  renderer.addBuiltinMacro('is_incremental', 'macro.dbt_clickhouse.is_incremental', () => isIncremental.value);
  const p: ProjectJinja = { renderer, vars: typeof y.vars === 'object' && y.vars !== null ? (y.vars as Json) : {}, isIncremental };
  projects.set(projectDir, p);
  return p;
}

function relationOfNode(n: ManifestNode): Relation {
  const identifier = n.resourceType === 'source' && typeof n.raw.identifier === 'string' ? n.raw.identifier : (n.alias ?? n.name);
  return new Relation(n.database ?? '', n.schema ?? '', identifier);
}

/** dbt's config keys: `pre_hook` is written `pre-hook`. */
function configKey(k: string): string {
  return k === 'pre_hook' ? 'pre-hook' : k === 'post_hook' ? 'post-hook' : k;
}

export function renderModel(input: RenderModelInput): RenderedModel {
  const { node, manifest, projectDir, target } = input;
  const code = node.rawCode;
  if (code === null) throw new Error(`${node.uniqueId} has no raw_code in the manifest`);
  const jinja = projectJinja(projectDir);
  const vars: Json = { ...jinja.vars, ...input.vars };
  const refable = new Map<string, ManifestNode>();
  for (const n of manifest.nodes.values()) {
    if (n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot') refable.set(n.name, n);
  }
  const called: Json = {};
  const config = Object.assign(
    (...args: unknown[]) => {
      const last = args[args.length - 1];
      if (typeof last === 'object' && last !== null) {
        for (const [k, v] of Object.entries(last as Json)) if (k !== '__keywords') called[configKey(k)] = v;
      }
      return '';
    },
    {
      get: (key: unknown, dflt: unknown = null) => {
        const k = configKey(String(key));
        return k in called ? called[k] : (node.config.raw[k] ?? dflt);
      },
    },
  );
  const context = {
    execute: true,
    this: relationOfNode(node),
    model: { name: node.name, config: node.config.raw },
    target: { name: target.name, target_name: target.name, schema: target.schema, type: 'clickhouse', database: '' },
    project_name: manifest.metadata.projectName ?? '',
    config,
    var: (name: unknown, dflt?: unknown): unknown => {
      const key = String(name);
      if (key in vars) return vars[key];
      if (dflt !== undefined) return dflt;
      throw new Error(`Required var '${key}' not found in config`);
    },
    env_var: (key: unknown, dflt?: unknown): unknown => process.env[String(key)] ?? dflt ?? '',
    ref: (...args: unknown[]) => {
      const name = String(args[args.length === 1 ? 0 : 1]);
      const n = refable.get(name);
      if (!n) throw new Error(`Node ${node.name} depends on a node named '${name}' which was not found`);
      return relationOfNode(n);
    },
    source: (sourceName: unknown, tableName: unknown) => {
      const n = manifest.nodes.get(`source.${node.packageName}.${String(sourceName)}.${String(tableName)}`);
      if (!n) throw new Error(`Node ${node.name} depends on a source named '${String(sourceName)}.${String(tableName)}' which was not found`);
      return relationOfNode(n);
    },
    log: () => '',
    print: () => '',
    flags: { FULL_REFRESH: false, WHICH: 'run' },
    exceptions: {
      raise_compiler_error: (msg: unknown) => {
        throw new Error(`Compilation Error in model ${node.name}: ${String(msg)}`);
      },
      warn: () => '',
    },
  };
  jinja.isIncremental.value = input.isIncremental;
  const sql = jinja.renderer.render(code, context).output;
  return { sql: sql.trim(), config: { ...node.config.raw, ...called } };
}
