import { readFileSync, promises as fsp } from 'node:fs';
import { ManifestError } from './manifestError';
import { normalizeManifest } from './normalize';
import type { Manifest } from './types';

function parseManifestText(text: string, file: string): Manifest {
  if (text.trim() === '') {
    throw new ManifestError(file, 'is empty: dbt is probably writing it right now', 'Wait for the running dbt command to finish, or run `dbt parse` to write it again.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ManifestError(
      file,
      `is not complete JSON (${detail}; ${text.length} bytes): dbt rewrites it while it runs, so it may be half-written`,
      'Wait for the running dbt command to finish, or run `dbt parse` to write it again.',
    );
  }
  return normalizeManifest(json, file);
}

function readError(err: unknown, file: string): ManifestError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new ManifestError(file, 'does not exist', 'Run `dbt parse` (or any dbt command) in the project to write it, or pass the path of an existing manifest.');
  }
  if (code === 'EISDIR') {
    return new ManifestError(file, 'is a directory, not a manifest file', 'Pass the path of manifest.json itself.');
  }
  return new ManifestError(file, `cannot be read (${(err as Error).message})`, 'Check the file\'s permissions, or run `dbt parse` to write it again.');
}

/** Reads and normalizes a manifest; throws ManifestError naming the file and what to do. */
export function loadManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw readError(err, file);
  }
  return parseManifestText(text, file);
}

export async function loadManifestAsync(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw readError(err, file);
  }
  return parseManifestText(text, file);
}
