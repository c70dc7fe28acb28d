/**
 * The recovery-readiness linter of one dbt project: built once per (project, manifest, run results, profile), then
 * asked to lint the whole project (CLI, a manifest change) or one edited file (the language server, on every
 * keystroke). The source of a model is the truth for what its `config()` sets; the manifest supplies tags from
 * .yml files and dbt_project.yml, lineage, rendered hooks, and run results add run times and failures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { closestMatch } from '../graph/closestMatch';
import { DbtGraph } from '../graph/dbtGraph';
import { disableDirectives } from './disableDirectives';
import type { Manifest, ManifestNode } from '../manifest/types';
import type { RunResults } from '../manifest/runResults';
import { configOf, ModelConfig, plainValue, registerConfig, stringList, DYNAMIC, type YmlLocator } from './modelConfig';
import type { RecoveryProfile } from './profile/recoveryProfile';
import { RULES } from './rules';
import { parseModelSource } from './source/parseModelSource';
import type { ModelSource } from './source/types';
import type { YmlModelConfig } from './source/ymlModelConfig';
import { YmlModelIndex } from './ymlModelIndex';
import { RULE_IDS, type Finding, type LintContext, type LintRule, type ModelContext, type Range, type RuleId, type Severity } from './types';

/** The project as the linter needs it (a DbtProject from src/core/manifest/project.ts fits). */
export interface LintProject {
  /** Absolute path of the folder holding dbt_project.yml. */
  root: string;
  name: string;
  /** Model folders relative to the root. */
  modelPaths: string[];
}

/** Reads a project file by its project-relative path (`/` separators); null when it does not exist. */
export type ReadFile = (file: string) => string | null;

export interface LinterOptions {
  project: LintProject;
  manifest: Manifest | null;
  runResults?: RunResults | null;
  profile: RecoveryProfile;
  /** How files not handed over by the caller are read (properties .yml files, and model files for modelInfo);
   * each file is read once and cached. Default: from disk under the project root. */
  readFile?: ReadFile;
  /** Every `.sql` file under the model paths, project-relative. Default: a walk of the model paths on disk. */
  listModelFiles?: () => string[];
  rules?: readonly LintRule[];
}

/** Something about the whole project a face should show once (not tied to a model). */
export interface LintNotice {
  code: 'no-manifest' | 'price-root-missing';
  message: string;
}

export type ModelRole = 'refill-cohort' | 'price-lineage' | 'downstream-of-cohort';

export interface ModelInfo {
  uniqueId: string | null;
  name: string;
  file: string;
  roles: ModelRole[];
  /** Transitive counts of models upstream and downstream (0 without a manifest). */
  upstream: number;
  downstream: number;
  lastRun: { status: string; executionTime: number; completedAt: string | null; message: string | null } | null;
}

const SKIP_DIRS = new Set(['dbt_packages', 'dbt_modules', 'node_modules', 'target', 'logs', '.git']);

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function walkSql(root: string, dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walkSql(root, rel, out);
    } else if (e.isFile() && e.name.endsWith('.sql')) out.push(rel);
  }
}

/** `gnosis_dbt://models/x/schema.yml` -> `models/x/schema.yml`. */
function patchFile(patchPath: string | null): string | null {
  if (!patchPath) return null;
  const i = patchPath.indexOf('://');
  return i < 0 ? patchPath : patchPath.slice(i + 3);
}

function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    RULE_IDS.indexOf(a.ruleId) - RULE_IDS.indexOf(b.ruleId) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

function rangeUnion(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

/** A model's entry in a properties .yml, found (and the .yml parsed) only when a rule asks. */
class YmlLocation implements YmlLocator {
  private entry: YmlModelConfig | null | undefined;

  constructor(
    readonly file: string,
    private readonly find: () => YmlModelConfig | null,
  ) {}

  private get model(): YmlModelConfig | null {
    if (this.entry === undefined) this.entry = this.find();
    return this.entry;
  }

  keyRange(key: string): Range | null {
    const entry = this.model;
    const k = entry ? (entry.keys[`config.${key}`] ?? (key === 'tags' ? entry.keys.tags : undefined)) : undefined;
    return k ? rangeUnion(k.keyRange, k.valueRange) : null;
  }

  configRange(): Range | null {
    return this.model?.nameRange ?? null;
  }
}

export class Linter {
  readonly project: LintProject;
  readonly manifest: Manifest | null;
  readonly runResults: RunResults | null;
  readonly profile: RecoveryProfile;
  readonly rules: readonly LintRule[];
  /** True when there is no manifest: only source rules ran; faces say "run `dbt parse`". */
  readonly needsParse: boolean;
  readonly notices: LintNotice[] = [];
  /** How many model files the last lintProject read and linted. */
  lintedFiles = 0;

  private readonly ctx: LintContext;
  private readonly cohort = new Set<string>();
  private readonly graph: DbtGraph | null;
  /** Project models of the manifest by their project-relative file. */
  private readonly modelsByFile = new Map<string, ManifestNode>();
  private readonly ymlModels = new Map<string, string[]>();
  private readonly texts = new Map<string, string | null>();
  private readonly ymlIndexes = new Map<string, YmlModelIndex | null>();
  private readonly parsedRaw = new Map<string, ModelSource | null>();
  private readonly severities: Partial<Record<RuleId, Severity>>;
  private readonly readFile: ReadFile;
  private readonly listModelFiles: () => string[];
  private cohortDescendants: Set<string> | null = null;

  constructor(options: LinterOptions) {
    this.project = options.project;
    this.manifest = options.manifest;
    this.runResults = options.runResults ?? null;
    this.profile = options.profile;
    this.rules = options.rules ?? RULES;
    this.severities = options.profile.rules;
    const root = options.project.root;
    this.readFile = options.readFile ?? ((file) => {
      try {
        return readFileSync(path.join(root, file), 'utf8');
      } catch {
        return null;
      }
    });
    this.listModelFiles = options.listModelFiles ?? (() => {
      const out: string[] = [];
      for (const dir of options.project.modelPaths) walkSql(root, toPosix(path.normalize(dir)).replace(/\/$/, ''), out);
      return [...new Set(out)].sort();
    });
    this.needsParse = options.manifest === null;

    const manifest = options.manifest;
    this.graph = manifest ? DbtGraph.of(manifest) : null;
    let priceLineage = new Set<string>();
    if (manifest) {
      const pkg = manifest.metadata.projectName ?? options.project.name;
      let root: ManifestNode | null = null;
      for (const node of manifest.nodes.values()) {
        if (node.resourceType !== 'model') continue;
        if (node.packageName === pkg) {
          this.modelsByFile.set(node.originalFilePath, node);
          if (node.tags.includes(options.profile.refillTag)) this.cohort.add(node.uniqueId);
          const yml = patchFile(node.patchPath);
          if (yml) {
            const list = this.ymlModels.get(yml);
            if (list) list.push(node.uniqueId);
            else this.ymlModels.set(yml, [node.uniqueId]);
          }
        }
        if (node.name === options.profile.priceRoot && (root === null || node.packageName === pkg)) root = node;
      }
      if (root) {
        priceLineage = this.graph!.descendants(root.uniqueId);
        priceLineage.add(root.uniqueId);
      } else if (this.severityOf('price-lookback-ignored') !== 'off') {
        const names = [...this.modelsByFile.values()].map((n) => n.name);
        const near = closestMatch(options.profile.priceRoot, names);
        this.notices.push({
          code: 'price-root-missing',
          message:
            `The price root \`${options.profile.priceRoot}\` (price_root in dbt-recovery.yml) is not a model of this project, ` +
            `so no model is in the price lineage and price-lookback-ignored checked nothing.` +
            (near ? ` Did you mean \`${near}\`?` : '') +
            ' Set price_root to the model your price consumers ref().',
        });
      }
    } else {
      this.notices.push({
        code: 'no-manifest',
        message: 'No manifest.json: run `dbt parse` for the rules that need the project graph (price-lookback-ignored, upstream checks) and for tags and config set in .yml files; only the models\' own source was linted.',
      });
    }
    this.ctx = {
      profile: options.profile,
      manifest,
      graph: this.graph,
      runResults: this.runResults,
      refillCohort: this.cohort,
      priceLineage,
    };
  }

  /** The configured severity of a rule ('off' drops its findings). */
  severityOf(id: RuleId): Severity {
    return this.severities[id] ?? this.rules.find((r) => r.id === id)?.defaultSeverity ?? 'warning';
  }

  /** Project-relative path with `/` separators; absolute paths inside the project are made relative. */
  relative(file: string): string {
    const abs = path.isAbsolute(file) ? file : null;
    return toPosix(abs ? path.relative(this.project.root, abs) : path.normalize(file));
  }

  /**
   * Every model file under the model paths and every model of the project's package in the manifest. A manifest
   * model whose file cannot be read is skipped; a `.sql` file the manifest does not know (written since the last
   * parse) is linted by the source rules, with a null unique id. `readFile` takes project-relative paths.
   */
  lintProject(readFile: ReadFile): Finding[] {
    const files = new Set<string>(this.listModelFiles());
    for (const file of this.modelsByFile.keys()) if (file.endsWith('.sql')) files.add(file);
    // Read afresh: the caller's files may be newer than what earlier calls cached.
    this.texts.clear();
    this.ymlIndexes.clear();
    const findings: Finding[] = [];
    this.lintedFiles = 0;
    for (const file of [...files].sort()) {
      const text = readFile(file);
      if (text === null) continue;
      this.texts.set(file, text);
      const model = this.lintModel(file, text, readFile);
      if (model === null) continue;
      this.lintedFiles++;
      findings.push(...model);
    }
    return findings.sort(compareFindings);
  }

  /**
   * One file with its current text: a model `.sql` (its findings, wherever they point), or a properties `.yml`
   * (the findings of the models it configures that point into it). Reads nothing from disk but the .yml files and
   * model files it has not seen yet, once.
   */
  lintFile(file: string, text: string): Finding[] {
    const rel = this.relative(file);
    if (this.texts.get(rel) !== text) this.ymlIndexes.delete(rel);
    this.texts.set(rel, text);
    if (/\.ya?ml$/i.test(rel)) {
      const findings: Finding[] = [];
      for (const id of this.ymlModels.get(rel) ?? []) {
        const node = this.manifest?.nodes.get(id);
        if (!node) continue;
        const sql = this.cachedText(node.originalFilePath);
        if (sql === null) continue;
        for (const f of this.lintModel(node.originalFilePath, sql, this.readFile) ?? []) if (f.file === rel) findings.push(f);
      }
      return findings.sort(compareFindings);
    }
    if (!rel.endsWith('.sql')) return [];
    return (this.lintModel(rel, text, this.readFile) ?? []).sort(compareFindings);
  }

  /** Hover and code lens facts of a model, by unique id or file (absolute or project-relative). */
  modelInfo(uniqueIdOrFile: string): ModelInfo | null {
    let node = this.manifest?.nodes.get(uniqueIdOrFile) ?? null;
    if (node && node.resourceType !== 'model') return null;
    let file: string;
    if (node) file = node.originalFilePath;
    else {
      file = this.relative(uniqueIdOrFile);
      node = this.modelsByFile.get(file) ?? null;
      if (!node && !(file.endsWith('.sql') && this.inModelPaths(file))) return null;
    }
    const name = node?.name ?? path.posix.basename(file, '.sql');
    if (!node) return { uniqueId: null, name, file, roles: [], upstream: 0, downstream: 0, lastRun: null };
    const id = node.uniqueId;
    const roles: ModelRole[] = [];
    if (this.cohort.has(id)) roles.push('refill-cohort');
    if (this.ctx.priceLineage.has(id)) roles.push('price-lineage');
    if (!this.cohort.has(id) && this.descendantsOfCohort().has(id)) roles.push('downstream-of-cohort');
    const graph = this.graph!;
    const countModels = (ids: Set<string>): number => {
      let n = 0;
      for (const x of ids) if (graph.node(x)?.resourceType === 'model') n++;
      return n;
    };
    const run = this.runResults?.results.get(id);
    return {
      uniqueId: id,
      name,
      file,
      roles,
      upstream: countModels(graph.ancestors(id)),
      downstream: countModels(graph.descendants(id)),
      lastRun: run ? { status: run.status, executionTime: run.executionTime, completedAt: run.completedAt, message: run.message } : null,
    };
  }

  private inModelPaths(file: string): boolean {
    return this.project.modelPaths.some((dir) => {
      const d = toPosix(path.normalize(dir)).replace(/\/$/, '');
      return d === '.' || file.startsWith(`${d}/`);
    });
  }

  private descendantsOfCohort(): Set<string> {
    if (!this.cohortDescendants) {
      const ids = [...this.cohort].filter((id) => this.graph?.has(id));
      this.cohortDescendants = this.graph && ids.length > 0 ? this.graph.descendants(ids) : new Set();
    }
    return this.cohortDescendants;
  }

  private cachedText(file: string, readFile: ReadFile = this.readFile): string | null {
    let text = this.texts.get(file);
    if (text === undefined) {
      text = readFile(file);
      this.texts.set(file, text);
    }
    return text;
  }

  /** The source the manifest was parsed from, when the current text differs from it. */
  private parsedSourceOf(node: ManifestNode, text: string): ModelSource | null {
    const raw = node.rawCode;
    if (raw === null || raw === text) return null;
    let parsed = this.parsedRaw.get(node.uniqueId);
    if (parsed === undefined) {
      parsed = parseModelSource(raw);
      this.parsedRaw.set(node.uniqueId, parsed);
    }
    return parsed;
  }

  private ymlOf(node: ManifestNode | null, readFile: ReadFile): YmlLocator | null {
    const file = patchFile(node?.patchPath ?? null);
    if (!node || !file) return null;
    return new YmlLocation(file, () => {
      let index = this.ymlIndexes.get(file);
      if (index === undefined) {
        const text = this.cachedText(file, readFile);
        index = text === null ? null : new YmlModelIndex(text);
        this.ymlIndexes.set(file, index);
      }
      return index?.get(node.name) ?? null;
    });
  }

  /** Tags: the manifest's, minus those the old `config(tags=...)` gave and the current one dropped, plus the
   * current ones. */
  private tagsOf(source: ModelSource, node: ManifestNode | null, parsed: ModelSource | null): string[] {
    const tags: string[] = [];
    const current = source.kwarg('tags');
    const currentTags = current ? plainValue(current.value) : undefined;
    let dropped = new Set<string>();
    if (parsed) {
      const before = parsed.kwarg('tags');
      const beforeTags = before ? plainValue(before.value) : undefined;
      if (beforeTags !== DYNAMIC) dropped = new Set(stringList(beforeTags));
    }
    const now = currentTags === DYNAMIC ? [] : stringList(currentTags);
    for (const t of node?.tags ?? []) if (!dropped.has(t) || now.includes(t)) tags.push(t);
    for (const t of now) if (!tags.includes(t)) tags.push(t);
    return tags;
  }

  /** The findings of one model file; null when the file is not a model the linter checks. */
  private lintModel(file: string, text: string, readFile: ReadFile): Finding[] | null {
    const node = this.modelsByFile.get(file) ?? null;
    // A .sql file the manifest has as disabled, or not as a model (another package's, an analysis), is not a model.
    if (!node && this.manifest?.fileChecksums.has(file)) return null;
    if (!node && !this.inModelPaths(file)) return null;
    if (node && node.language !== null && node.language !== 'sql') return null;
    // Every rule is about incremental models or the refill cohort. A model the manifest has as neither, whose file
    // is what dbt parsed, cannot have a finding: skip parsing it (most of a large project's views and tables).
    if (node && text === node.rawCode && node.config.materialized !== 'incremental' && !node.tags.includes(this.profile.refillTag)) {
      if (this.cohort.delete(node.uniqueId)) this.cohortDescendants = null;
      return [];
    }
    const source = parseModelSource(text);
    const enabled = source.kwarg('enabled');
    if (enabled && enabled.value.kind === 'bool' && !enabled.value.value) return null;

    const parsed = node ? this.parsedSourceOf(node, text) : null;
    const name = node?.name ?? path.posix.basename(file, '.sql');
    const model: ModelContext = {
      uniqueId: node?.uniqueId ?? `model.${this.manifest?.metadata.projectName ?? this.project.name}.${name}`,
      name,
      file,
      source,
      node,
      tags: this.tagsOf(source, node, parsed),
      materialized: null,
    };
    const config = new ModelConfig({ model, parsedSource: parsed, yml: this.ymlOf(node, readFile) });
    registerConfig(model, config);
    model.materialized = configOf(model).materialized();
    if (node) {
      const before = this.cohort.has(node.uniqueId);
      const now = model.tags.includes(this.profile.refillTag);
      if (before !== now) {
        if (now) this.cohort.add(node.uniqueId);
        else this.cohort.delete(node.uniqueId);
        this.cohortDescendants = null;
      }
    }

    // `{# dbt-recovery-disable RULE #}` in the file turns RULE off for this model (disable-directive reports a name
    // that is not a rule).
    const disabled = new Set(disableDirectives(text).map((d) => d.id));
    const findings: Finding[] = [];
    for (const rule of this.rules) {
      const severity = this.severityOf(rule.id);
      if (severity === 'off' || disabled.has(rule.id)) continue;
      if (rule.needsManifest && (!this.manifest || !node)) continue;
      for (const f of rule.check(model, this.ctx)) {
        findings.push({ ruleId: rule.id, severity, message: f.message, uniqueId: node ? node.uniqueId : null, file: f.file, range: f.range, fix: f.fix });
      }
    }
    return findings;
  }
}
