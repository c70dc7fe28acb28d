import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Linter, type ReadFile } from '../core/lint/linter';
import { loadRecoveryProfile, type LoadedProfile } from '../core/lint/profile/loadRecoveryProfile';
import type { Finding } from '../core/lint/types';
import { ManifestError } from '../core/manifest/manifestError';
import type { DbtProject } from '../core/manifest/project';
import { loadRunResults, type RunResults } from '../core/manifest/runResults';
import type { Manifest } from '../core/manifest/types';

export interface ProjectLintSources {
  /** The manifest index in use (the last good one), or null. */
  manifest(): Manifest | null;
  /** Profile overrides from the editor's settings (`dbtRecovery.recoveryProfile`). */
  overrides(): unknown;
  /** The text of an open editor for an absolute path, or null (then the file is read from disk). */
  openText(absFile: string): string | null;
}

/**
 * One project's linter, rebuilt only when what it was built from changes (manifest, run_results.json,
 * dbt-recovery.yml, settings). Editor-independent: the LSP glue in server.ts asks it for findings.
 */
export class ProjectLint {
  private linter: Linter | null = null;
  private builtFrom: Manifest | null = null;
  private loadedProfile: LoadedProfile | null = null;
  private runResults: { mtimeMs: number; value: RunResults | null; problem: string | null } | null = null;
  private all: Map<string, Finding[]> | null = null;

  constructor(
    readonly project: DbtProject,
    private readonly sources: ProjectLintSources,
  ) {}

  get runResultsFile(): string {
    return path.join(this.project.targetPath, 'run_results.json');
  }

  /** Forget everything derived from the project's files; the next request rebuilds. */
  invalidate(): void {
    this.linter = null;
    this.loadedProfile = null;
    this.runResults = null;
    this.all = null;
  }

  /** A model or properties file changed on disk: only the project-wide findings are stale. */
  fileChanged(): void {
    this.all = null;
    // The linter caches file texts it read; a fresh one reads them again.
    this.linter = null;
  }

  get profile(): LoadedProfile {
    return (this.loadedProfile ??= loadRecoveryProfile(this.project.root, { overrides: this.sources.overrides() }));
  }

  /** The run results problem (unreadable file), if any, for the log. */
  get runResultsProblem(): string | null {
    return this.currentRunResults().problem;
  }

  private currentRunResults(): { value: RunResults | null; problem: string | null } {
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(this.runResultsFile).mtimeMs;
    } catch {
      // no run_results.json yet: lint without run times
    }
    if (this.runResults && this.runResults.mtimeMs === mtimeMs) return this.runResults;
    let value: RunResults | null = null;
    let problem: string | null = null;
    if (mtimeMs >= 0) {
      try {
        value = loadRunResults(this.runResultsFile);
      } catch (err) {
        problem = err instanceof ManifestError ? err.message : String(err);
      }
    }
    this.runResults = { mtimeMs, value, problem };
    return this.runResults;
  }

  private readFile: ReadFile = (file) => {
    const abs = path.join(this.project.root, file);
    const open = this.sources.openText(abs);
    if (open !== null) return open;
    try {
      return readFileSync(abs, 'utf8');
    } catch {
      return null;
    }
  };

  get(): Linter {
    const manifest = this.sources.manifest();
    if (this.linter && this.builtFrom === manifest) return this.linter;
    this.all = null;
    this.builtFrom = manifest;
    this.linter = new Linter({
      project: this.project,
      manifest,
      runResults: this.currentRunResults().value,
      profile: this.profile.profile,
      readFile: this.readFile,
    });
    return this.linter;
  }

  /** Findings of one open document (a model `.sql` or a properties `.yml`) that point into it. */
  lintDocument(absFile: string, text: string): Finding[] {
    const linter = this.get();
    const rel = linter.relative(absFile);
    const findings = linter.lintFile(rel, text).filter((f) => f.file === rel);
    if (this.all) {
      // Keep the project-wide cache in step with what the editor shows.
      this.all.set(rel, findings);
    }
    return findings;
  }

  /** Every finding of the project by project-relative file (cached until something changes). */
  lintAll(): Map<string, Finding[]> {
    if (this.all) return this.all;
    const linter = this.get();
    const byFile = new Map<string, Finding[]>();
    for (const f of linter.lintProject(this.readFile)) {
      const list = byFile.get(f.file);
      if (list) list.push(f);
      else byFile.set(f.file, [f]);
    }
    this.all = byFile;
    return byFile;
  }
}
