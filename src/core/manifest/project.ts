import { existsSync, promises as fsp, readFileSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ManifestError } from './manifestError';

/** What dbt Recovery needs from a `dbt_project.yml`. */
export interface DbtProject {
  /** Absolute path of the folder holding dbt_project.yml. */
  root: string;
  name: string;
  profile: string | null;
  /** Model folders relative to the root (`model-paths`, or `source-paths` before dbt 1.0). */
  modelPaths: string[];
  /** Target folder, absolute (`target-path`, overridden by DBT_TARGET_PATH as dbt does). */
  targetPath: string;
  /** Where the manifest is expected: `<targetPath>/manifest.json` unless a path was given. */
  manifestPath: string;
}

export const PROJECT_FILE = 'dbt_project.yml';

/** Folders never searched for projects: installed packages, build output, tooling. */
const SKIP_DIRS = new Set([
  'node_modules',
  'dbt_packages',
  'dbt_modules',
  'target',
  'logs',
  '.git',
  '.venv',
  'venv',
  '__pycache__',
  '.cache',
]);

function stringList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  return null;
}

export interface ReadProjectOptions {
  /** A manifest path given by the user (absolute, or relative to the project root). */
  manifestPath?: string | undefined;
  /** Environment to resolve DBT_TARGET_PATH from (defaults to process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads `dbt_project.yml` in `dir`. Throws ManifestError (naming the file) when it is missing or malformed. */
export function readProject(dir: string, options: ReadProjectOptions = {}): DbtProject {
  const root = path.resolve(dir);
  const file = path.join(root, PROJECT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ManifestError(file, 'does not exist, so this is not a dbt project folder', 'Pass --project-dir pointing at the folder that holds dbt_project.yml.');
    }
    throw new ManifestError(file, `cannot be read (${(err as Error).message})`, 'Check the file\'s permissions.');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ManifestError(file, `is not valid YAML (${(err as Error).message.split('\n')[0]})`, 'Fix the YAML so that `dbt parse` accepts it.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ManifestError(file, 'is not a YAML mapping', 'A dbt_project.yml needs at least `name:`; see https://docs.getdbt.com/reference/dbt_project.yml.');
  }
  const y = doc as Record<string, unknown>;
  const name = typeof y.name === 'string' ? y.name : null;
  if (!name) {
    throw new ManifestError(file, 'has no `name:`', 'Add the project name, as dbt requires it.');
  }
  const env = options.env ?? process.env;
  const targetRel = env.DBT_TARGET_PATH || (typeof y['target-path'] === 'string' ? y['target-path'] : 'target');
  const targetPath = path.resolve(root, targetRel);
  const modelPaths = stringList(y['model-paths']) ?? stringList(y['source-paths']) ?? ['models'];
  const manifestPath = options.manifestPath
    ? path.resolve(root, options.manifestPath)
    : path.join(targetPath, 'manifest.json');
  return {
    root,
    name,
    profile: typeof y.profile === 'string' ? y.profile : null,
    modelPaths,
    targetPath,
    manifestPath,
  };
}

/**
 * Finds every dbt project under `root` (a monorepo holds several; each is separate). Installed packages
 * (`dbt_packages/`), build output and tooling folders are skipped. Results are sorted by path.
 */
export async function findProjects(root: string, maxDepth = 6): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === PROJECT_FILE)) found.push(dir);
    if (depth >= maxDepth) return;
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
        .map((e) => walk(path.join(dir, e.name), depth + 1)),
    );
  }
  await walk(path.resolve(root), 0);
  return found.sort();
}

/** The nearest folder at or above `file` that holds dbt_project.yml, or null. */
export function projectRootOf(file: string): string | null {
  let dir = path.resolve(file);
  if (existsSync(dir) && !statSync(dir).isDirectory()) dir = path.dirname(dir);
  for (;;) {
    if (existsSync(path.join(dir, PROJECT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
