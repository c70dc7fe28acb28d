import * as path from 'node:path';
import {
  countModels,
  findProjects,
  ManifestError,
  ManifestStore,
  readProject,
  type DbtProject,
  type Manifest,
  type ManifestStatus,
} from '../core/manifest';
import type { ProjectStatus } from '../protocol/projectStatus';
import type { ServerSettings } from '../protocol/settings';

interface Tracked {
  settings: ServerSettings;
  project: DbtProject | null;
  /** Set when dbt_project.yml itself cannot be read. */
  projectError: string | null;
  store: ManifestStore | null;
  status: ProjectStatus;
}

function statusFrom(project: DbtProject, s: ManifestStatus): ProjectStatus {
  const base = { root: project.root, name: project.name, manifestPath: s.file };
  switch (s.kind) {
    case 'loaded': {
      const m = s.manifest;
      const meta = { schemaVersion: m.metadata.schemaVersion, dbtVersion: m.metadata.dbtVersion };
      if (s.stale) {
        return {
          ...base,
          ...meta,
          kind: 'stale',
          models: s.models,
          nodes: m.nodes.size,
          message: `${s.stale.file} changed after the manifest was written: run \`dbt parse\` to bring the manifest up to date.`,
        };
      }
      return {
        ...base,
        ...meta,
        kind: 'loaded',
        models: s.models,
        nodes: m.nodes.size,
        message: `Loaded ${s.models} models (${m.nodes.size} nodes) from manifest schema v${m.metadata.schemaVersion}${m.metadata.dbtVersion ? `, dbt ${m.metadata.dbtVersion}` : ''}.`,
      };
    }
    case 'missing':
      return { ...base, kind: 'missing', models: 0, nodes: 0, message: s.message, schemaVersion: null, dbtVersion: null };
    case 'broken': {
      const last = s.lastGood;
      return {
        ...base,
        kind: 'broken',
        models: last ? countModels(last) : 0,
        nodes: last ? last.nodes.size : 0,
        message: last ? `${s.message} Using the last good manifest until then.` : s.message,
        schemaVersion: last?.metadata.schemaVersion ?? null,
        dbtVersion: last?.metadata.dbtVersion ?? null,
      };
    }
  }
}

/**
 * Every dbt project in the workspace folders, each with its own manifest index. Editor-independent: the LSP glue
 * in server.ts feeds it folders, settings and file events, and publishes what it reports.
 */
export class WorkspaceProjects {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly settingsFor: (root: string) => Promise<ServerSettings>) {}

  /** Finds the projects under the given folders (a monorepo has several) and loads each manifest. */
  async discover(folders: readonly string[]): Promise<ProjectStatus[]> {
    const roots = (await Promise.all(folders.map((f) => findProjects(f)))).flat();
    const wanted = new Set(roots);
    for (const root of [...this.tracked.keys()]) if (!wanted.has(root)) this.tracked.delete(root);
    for (const root of roots) if (!this.tracked.has(root)) this.tracked.set(root, await this.track(root));
    await Promise.all([...this.tracked.keys()].map((root) => this.refresh(root)));
    return this.statuses();
  }

  private async track(root: string): Promise<Tracked> {
    const settings = await this.settingsFor(root);
    try {
      const project = readProject(root, { manifestPath: settings.manifestPath || undefined });
      return { settings, project, projectError: null, store: new ManifestStore(project), status: loadingStatus(project) };
    } catch (err) {
      const message = err instanceof ManifestError ? err.message : String(err);
      return {
        settings,
        project: null,
        projectError: message,
        store: null,
        status: {
          root,
          name: path.basename(root),
          manifestPath: path.join(root, 'target', 'manifest.json'),
          kind: 'broken',
          models: 0,
          nodes: 0,
          message,
          schemaVersion: null,
          dbtVersion: null,
        },
      };
    }
  }

  /** Re-reads one project's dbt_project.yml and manifest. */
  async refresh(root: string): Promise<ProjectStatus | null> {
    let t = this.tracked.get(root);
    if (!t) return null;
    if (!t.store) {
      t = await this.track(root);
      this.tracked.set(root, t);
      if (!t.store) return t.status;
    }
    const s = await t.store.refresh();
    t.status = statusFrom(t.project!, s);
    return t.status;
  }

  async refreshAll(): Promise<ProjectStatus[]> {
    // Settings or dbt_project.yml may have changed: re-read the project files too.
    for (const root of [...this.tracked.keys()]) this.tracked.set(root, await this.track(root));
    await Promise.all([...this.tracked.keys()].map((root) => this.refresh(root)));
    return this.statuses();
  }

  /** The project a file belongs to: the deepest tracked root that contains it. */
  projectOf(file: string): string | null {
    let best: string | null = null;
    for (const root of this.tracked.keys()) {
      const rel = path.relative(root, file);
      if (!rel.startsWith('..') && !path.isAbsolute(rel) && (!best || root.length > best.length)) best = root;
    }
    return best;
  }

  /** Which project a changed file concerns, when the change can alter what its manifest status shows. */
  affectedBy(file: string): string | null {
    const root = this.projectOf(file);
    if (!root) return null;
    return /\.(json|ya?ml|sql|py|csv)$/i.test(file) ? root : null;
  }

  /** The project's dbt_project.yml as read, or null when it cannot be read. */
  project(root: string): DbtProject | null {
    return this.tracked.get(root)?.project ?? null;
  }

  /** The settings read for the project when it was (re)tracked. */
  settings(root: string): ServerSettings | null {
    return this.tracked.get(root)?.settings ?? null;
  }

  manifest(root: string): Manifest | null {
    return this.tracked.get(root)?.store?.manifest ?? null;
  }

  roots(): string[] {
    return [...this.tracked.keys()].sort();
  }

  statuses(): ProjectStatus[] {
    return this.roots().map((r) => this.tracked.get(r)!.status);
  }
}

function loadingStatus(project: DbtProject): ProjectStatus {
  return {
    root: project.root,
    name: project.name,
    manifestPath: project.manifestPath,
    kind: 'loading',
    models: 0,
    nodes: 0,
    message: `Reading ${project.manifestPath}…`,
    schemaVersion: null,
    dbtVersion: null,
  };
}
