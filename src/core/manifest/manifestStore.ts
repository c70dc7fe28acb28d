import { createHash } from 'node:crypto';
import { promises as fsp, type Dirent } from 'node:fs';
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
  /** Project-relative path (with `/`) of a file added, removed or changed after the manifest was written. */
  file: string;
}

export function countModels(manifest: Manifest): number {
  let n = 0;
  for (const node of manifest.nodes.values()) if (node.resourceType === 'model') n++;
  return n;
}

/** Files whose content dbt checksums into the manifest: a changed one is told by its sha256, not its mtime. */
const CHECKSUMMED = /\.(sql|py)$/i;
/** Property and project files: no checksum in the manifest, so a change is told by a newer mtime. */
const PROPERTIES = /\.(ya?ml|csv)$/i;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether `file`'s content is what dbt checksummed (dbt hashes the contents as read, some versions stripped). */
async function matchesChecksum(file: string, expected: string): Promise<boolean> {
  const text = await fsp.readFile(file, 'utf8');
  return sha256(text) === expected || sha256(text.trim()) === expected;
}

/**
 * Why the manifest no longer describes the project, or null: a model file added, removed or edited since dbt
 * wrote it, or a property file (yml) or dbt_project.yml saved after it. Model files are compared by content
 * checksum, so a fresh checkout or a copy (new mtimes, same content) is not called stale.
 */
export async function staleProjectFile(project: DbtProject, manifest: Manifest, manifestMtimeMs: number): Promise<string | null> {
  const rel = (file: string): string => path.relative(project.root, file).split(path.sep).join('/');
  const seen = new Set<string>();
  let reason: string | null = null;
  const check = async (file: string): Promise<void> => {
    const relative = rel(file);
    seen.add(relative);
    if (reason) return;
    let mtime: number;
    try {
      mtime = (await fsp.stat(file)).mtimeMs;
    } catch {
      return; // removed while scanning
    }
    if (mtime <= manifestMtimeMs) return;
    if (CHECKSUMMED.test(file)) {
      const expected = manifest.fileChecksums.get(relative);
      if (expected === undefined) {
        reason = relative;
      } else if (!(await matchesChecksum(file, expected).catch(() => true))) {
        reason = relative;
      }
    } else if (PROPERTIES.test(file)) {
      reason = relative;
    }
  };
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name.startsWith('.') ? [] : [walk(p)];
        return CHECKSUMMED.test(e.name) || PROPERTIES.test(e.name) ? [check(p)] : [];
      }),
    );
  };
  await check(path.join(project.root, 'dbt_project.yml'));
  await Promise.all(project.modelPaths.map((p) => walk(path.resolve(project.root, p))));
  if (reason) return reason;
  // A model the manifest knows whose file is gone. When none of its files is there, this is a folder of
  // artifacts without the sources (a CI download), not a stale manifest.
  const modelDirs = project.modelPaths.map((p) => rel(path.resolve(project.root, p)) + '/');
  const known = [...manifest.fileChecksums.keys()].filter((f) => CHECKSUMMED.test(f) && modelDirs.some((d) => f.startsWith(d)));
  if (!known.some((f) => seen.has(f))) return null;
  return known.find((f) => !seen.has(f)) ?? null;
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
      const stale = await staleProjectFile(this.project, manifest, mtimeMs);
      return { kind: 'loaded', file, manifest, models: countModels(manifest), stale: stale ? { file: stale } : null };
    } catch (err) {
      const message = err instanceof ManifestError ? err.message : `${file} could not be read: ${String(err)}`;
      return { kind: 'broken', file, message, lastGood: this.lastGood };
    }
  }
}
