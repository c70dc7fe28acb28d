import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { loadManifestAsync } from './loadManifest';
import { ManifestError } from './manifestError';
import type { DbtProject } from './project';
import type { Manifest } from './types';

/** What a long-lived reader knows about a project's manifest right now. */
export type ManifestStatus =
  | { kind: 'loaded'; file: string; manifest: Manifest; models: number; stale: StaleReason | null }
  | { kind: 'missing'; file: string; message: string }
  /** The file is there but unreadable (often half-written); `lastGood` is the last index that did load. */
  | { kind: 'broken'; file: string; message: string; lastGood: Manifest | null };

/** Why a loaded manifest no longer matches the project's files. */
export interface StaleReason {
  /** Project-relative path of the newest file changed after the manifest was written. */
  newerFile: string;
}

export function countModels(manifest: Manifest): number {
  let n = 0;
  for (const node of manifest.nodes.values()) if (node.resourceType === 'model') n++;
  return n;
}

const PROJECT_SOURCE = /\.(sql|py|ya?ml|csv)$/i;

/** The newest model/config file under the project's model paths (and dbt_project.yml) changed after `sinceMs`. */
export async function newerProjectFile(project: DbtProject, sinceMs: number): Promise<string | null> {
  let newest: { file: string; mtime: number } | null = null;
  const consider = async (file: string): Promise<void> => {
    try {
      const st = await fsp.stat(file);
      if (st.mtimeMs > sinceMs && (!newest || st.mtimeMs > newest.mtime)) newest = { file, mtime: st.mtimeMs };
    } catch {
      // removed while scanning: not a reason to call the manifest stale
    }
  };
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name.startsWith('.') ? undefined : walk(p);
        return PROJECT_SOURCE.test(e.name) ? consider(p) : undefined;
      }),
    );
  };
  await consider(path.join(project.root, 'dbt_project.yml'));
  await Promise.all(project.modelPaths.map((p) => walk(path.resolve(project.root, p))));
  const found = newest as { file: string; mtime: number } | null;
  return found ? path.relative(project.root, found.file) : null;
}

/**
 * Keeps a project's manifest index for a long-lived process (language server, extension). A refresh that finds
 * the file half-written or broken reports it but keeps the last good index, so a dbt run in progress never
 * leaves the editor without a graph.
 */
export class ManifestStore {
  private lastGood: Manifest | null = null;
  private inFlight: Promise<ManifestStatus> | null = null;
  private next: Promise<ManifestStatus> | null = null;

  constructor(
    readonly project: DbtProject,
    private readonly load: (file: string) => Promise<Manifest> = loadManifestAsync,
  ) {}

  get file(): string {
    return this.project.manifestPath;
  }

  /** The last manifest that loaded, whatever the file holds now. */
  get manifest(): Manifest | null {
    return this.lastGood;
  }

  /** Re-reads the file. Calls made while a read runs share one more read after it, so none sees old data. */
  refresh(): Promise<ManifestStatus> {
    if (this.next) return this.next;
    if (this.inFlight) {
      this.next = this.inFlight.then(() => {
        this.next = null;
        return this.start();
      });
      return this.next;
    }
    return this.start();
  }

  private start(): Promise<ManifestStatus> {
    this.inFlight = this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async read(): Promise<ManifestStatus> {
    const file = this.file;
    let mtimeMs: number;
    try {
      mtimeMs = (await fsp.stat(file)).mtimeMs;
    } catch {
      this.lastGood = null;
      return {
        kind: 'missing',
        file,
        message: `${file} does not exist. Run \`dbt parse\` (or any dbt command) in ${this.project.root} to write it.`,
      };
    }
    try {
      const manifest = await this.load(file);
      this.lastGood = manifest;
      const newer = await newerProjectFile(this.project, mtimeMs);
      return { kind: 'loaded', file, manifest, models: countModels(manifest), stale: newer ? { newerFile: newer } : null };
    } catch (err) {
      const message = err instanceof ManifestError ? err.message : `${file} could not be read: ${String(err)}`;
      return { kind: 'broken', file, message, lastGood: this.lastGood };
    }
  }
}
