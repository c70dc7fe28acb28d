/**
 * `target/run_results.json` (schema v4 to v6: dbt 1.0 to 1.11) read into what recovery features need: for each node
 * the latest status, run time, completion time and message, and the ClickHouse memory errors a message shows.
 */
import { readFileSync } from 'node:fs';
import { ManifestError } from './manifestError';

/** A ClickHouse error that marks a model as too heavy for its recovery path. */
export interface MemoryError {
  /** 241 MEMORY_LIMIT_EXCEEDED: a query ran out of memory. 341 (UNFINISHED): a mutation failed, usually the
   * ALTER TABLE DELETE of a delete+insert over a wide lookback running out of memory. */
  code: 241 | 341;
  /** What a message shows: `Code: 241 (MEMORY_LIMIT_EXCEEDED)`. */
  label: string;
  /** Code 341 on dbt's dropped temporary table `__dbt_new_data_*`: a killed delete+insert left a mutation that blocks
   * every later run (the seed's "poisoned mutation"). */
  poisonedMutation: boolean;
}

export interface RunResult {
  uniqueId: string;
  /** `success`, `error`, `skipped`, `partial success`, `no-op` for models; `pass`, `fail`, `warn`... for tests. */
  status: string;
  /** Seconds. */
  executionTime: number;
  /** ISO time the node finished: the `completed_at` of its last timing step (execute, else compile), else null
   * (skipped nodes have no timing). */
  completedAt: string | null;
  message: string | null;
  failures: number | null;
  memoryError: MemoryError | null;
}

export interface RunResults {
  file: string;
  /** 4 to 6 (newer ones are read as 6, with a warning). */
  schemaVersion: number;
  dbtVersion: string | null;
  generatedAt: string | null;
  invocationId: string | null;
  /** The command that wrote the file (`args.which`: run, build, test, ...), when recorded. */
  command: string | null;
  /** By unique id: the node's latest result in the file (a node can appear more than once, e.g. after `dbt retry`
   * merged results; the one that completed last wins, the later entry on a tie). */
  results: ReadonlyMap<string, RunResult>;
  warnings: string[];
}

type Json = Record<string, unknown>;

const MIN_SCHEMA = 4;
const MAX_KNOWN_SCHEMA = 6;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** `https://schemas.getdbt.com/dbt/run-results/v6.json` -> 6. */
export function runResultsSchemaVersion(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  const m = /\/run-results\/v(\d+)(?:\.json)?\s*$/.exec(url);
  return m ? Number(m[1]) : null;
}

const CODE_241 = /\bCode:?\s*241\b|\berror code 241\b|\bMEMORY_LIMIT_EXCEEDED\b/i;
const CODE_341 = /\bCode:?\s*341\b|\berror code 341\b/i;

/** The ClickHouse memory error a run result's message reports, if any. */
export function memoryErrorOf(message: string | null): MemoryError | null {
  if (!message) return null;
  // A poisoned mutation is also a 341; look for it first, since such a message may mention memory too.
  if (CODE_341.test(message)) {
    return { code: 341, label: 'Code: 341 (mutation failed)', poisonedMutation: /__dbt_new_data/.test(message) };
  }
  if (CODE_241.test(message)) return { code: 241, label: 'Code: 241 (MEMORY_LIMIT_EXCEEDED)', poisonedMutation: false };
  return null;
}

function completedAtOf(timing: unknown): string | null {
  if (!Array.isArray(timing)) return null;
  let latest: string | null = null;
  for (const step of timing) {
    if (!isObject(step)) continue;
    const at = str(step.completed_at);
    // ISO strings of the same format compare as times.
    if (at && (latest === null || at >= latest)) latest = at;
  }
  return latest;
}

function resultOf(r: Json): RunResult | null {
  const uniqueId = str(r.unique_id);
  if (!uniqueId) return null;
  const message = str(r.message);
  return {
    uniqueId,
    status: str(r.status) ?? 'unknown',
    executionTime: typeof r.execution_time === 'number' && Number.isFinite(r.execution_time) ? r.execution_time : 0,
    completedAt: completedAtOf(r.timing),
    message,
    failures: typeof r.failures === 'number' ? r.failures : null,
    memoryError: memoryErrorOf(message),
  };
}

function later(a: RunResult, b: RunResult): RunResult {
  if (a.completedAt && b.completedAt) return b.completedAt >= a.completedAt ? b : a;
  // A result without timing (skipped) does not override one that ran, wherever it stands in the list.
  if (a.completedAt && !b.completedAt) return a;
  return b;
}

/** Builds RunResults from parsed JSON; `file` names the source in errors. Throws ManifestError. */
export function normalizeRunResults(json: unknown, file: string): RunResults {
  if (!isObject(json) || !isObject(json.metadata)) {
    throw new ManifestError(file, 'has no "metadata" object, so it is not a dbt run_results.json', 'Point dbt Recovery at the run_results.json in your project\'s target/ folder, written by `dbt run` or `dbt build`.');
  }
  const meta = json.metadata;
  const schemaVersion = runResultsSchemaVersion(meta.dbt_schema_version);
  if (schemaVersion === null) {
    throw new ManifestError(file, `has no recognizable "metadata.dbt_schema_version" (found ${JSON.stringify(meta.dbt_schema_version)}), so it is not a dbt run_results.json`, 'Run `dbt run` or `dbt build` with dbt 1.0 or later to write a current one.');
  }
  if (schemaVersion < MIN_SCHEMA) {
    throw new ManifestError(file, `is run-results schema v${schemaVersion} (dbt older than 1.0), which dbt Recovery does not read`, 'Upgrade the project to dbt 1.0 or later and run it again.');
  }
  if (!Array.isArray(json.results)) {
    throw new ManifestError(file, 'has no "results" list', 'The file may be cut short: wait for the running dbt command to finish, or run it again.');
  }
  const warnings: string[] = [];
  if (schemaVersion > MAX_KNOWN_SCHEMA) {
    warnings.push(`${file} is run-results schema v${schemaVersion}, newer than v${MAX_KNOWN_SCHEMA}: it was read as v${MAX_KNOWN_SCHEMA}; update dbt Recovery if something looks wrong.`);
  }
  const results = new Map<string, RunResult>();
  for (const raw of json.results) {
    if (!isObject(raw)) continue;
    const r = resultOf(raw);
    if (!r) continue;
    const seen = results.get(r.uniqueId);
    results.set(r.uniqueId, seen ? later(seen, r) : r);
  }
  const args = isObject(json.args) ? json.args : {};
  return {
    file,
    schemaVersion,
    dbtVersion: str(meta.dbt_version),
    generatedAt: str(meta.generated_at),
    invocationId: str(meta.invocation_id),
    command: str(args.which) ?? str(args.rpc_method),
    results,
    warnings,
  };
}

/** Parses the text of a run_results.json; throws ManifestError naming the file when it is empty or cut short. */
export function parseRunResults(text: string, file: string): RunResults {
  if (text.trim() === '') {
    throw new ManifestError(file, 'is empty: dbt is probably writing it right now', 'Wait for the running dbt command to finish, then read it again.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ManifestError(
      file,
      `is not complete JSON (${detail}; ${text.length} bytes): dbt writes it at the end of a run, so it may be half-written`,
      'Wait for the running dbt command to finish, or run `dbt run` again to rewrite it.',
    );
  }
  return normalizeRunResults(json, file);
}

/** Reads a run_results.json; throws ManifestError naming the file and what to do. */
export function loadRunResults(file: string): RunResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ManifestError(file, 'does not exist', 'Run `dbt run` or `dbt build` in the project to write it, or pass the path of an existing run_results.json.');
    }
    if (code === 'EISDIR') throw new ManifestError(file, 'is a directory, not a run_results.json', 'Pass the path of run_results.json itself.');
    throw new ManifestError(file, `cannot be read (${(err as Error).message})`, 'Check the file\'s permissions.');
  }
  return parseRunResults(text, file);
}
