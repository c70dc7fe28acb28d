import { PROJECT } from './macros';
import { modelPath } from './manifestNodes';
import { relationOf } from './modelSql';
import { type ModelSpec, type ProjectPlan } from './projectPlan';
import { type Random } from './random';

/**
 * A `run_results.json` (schema v6, dbt 1.9) of a past nightly `dbt run` over every model: realistic timings on four
 * threads in dependency order, heavy models slow, and two refill_append models that died with Code: 241 and took
 * their descendants down with them (skipped).
 */

const THREADS = 4;

function iso(ms: number): string {
  const d = new Date(Math.floor(ms));
  const micros = String(Math.floor((ms % 1) * 1000)).padStart(3, '0');
  return d.toISOString().replace(/\.(\d{3})Z$/, `.$1${micros}Z`);
}

function secondsFor(m: ModelSpec, rng: Random): number {
  const r = rng.next();
  if (m.materialized === 'view') return 0.05 + r * 0.3;
  if (m.refill) return 30 + r * r * 600;
  if (m.kind === 'stg') return 1 + r * 15;
  if (m.heavy) return 4 + r * r * 120;
  if (m.materialized === 'table') return 1 + r * r * 40;
  return 0.5 + r * r * 15;
}

export function memoryLimitMessage(m: ModelSpec, rng: Random): string {
  const chunk = 4194304 + rng.int(0, 65536) * 16;
  return `Database Error in model ${m.name} (models/${modelPath(m)})
  :HTTPDriver for http://127.0.0.1:8123 received ClickHouse error code 241
   Code: 241. DB::Exception: Memory limit (total) exceeded: would use 9.32 GiB (attempt to allocate chunk of ${chunk} bytes), maximum: 9.31 GiB. OvercommitTracker decision: Query was selected to stop by OvercommitTracker.: While executing AggregatingTransform. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))
  compiled code at target/run/${PROJECT}/models/${modelPath(m)}`;
}

export interface RunResultsInput {
  plan: ProjectPlan;
  compiled: ReadonlyMap<string, string>;
  rng: Random;
  startMs: number;
  invocationId: string;
}

export function runResults(input: RunResultsInput): { json: Record<string, unknown>; failed: string[] } {
  const { plan, compiled, rng, startMs } = input;
  const models = plan.models;
  const children = new Map<string, string[]>();
  for (const m of models) {
    for (const p of m.parents) {
      const list = children.get(p);
      if (list) list.push(m.name);
      else children.set(p, [m.name]);
    }
  }
  const descendants = (name: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length > 0) for (const c of children.get(stack.pop()!) ?? []) if (!seen.has(c)) {
      seen.add(c);
      stack.push(c);
    }
    return seen;
  };

  // The two failures: non-compliant refill models (no or partial spill hooks) with a small blast radius, preferring
  // ones with some descendants so the run also has skipped models.
  const candidates = models
    .filter((m) => m.refill && (m.refill.hooks === 'none' || m.refill.hooks === 'partial'))
    .map((m) => ({ m, blast: descendants(m.name).size }))
    .map((c) => ({ ...c, rank: c.blast === 0 ? 1000 : c.blast }))
    .sort((a, b) => a.rank - b.rank || a.m.name.localeCompare(b.m.name));
  const failed = candidates.slice(0, 2).map((c) => c.m.name);
  const skipped = new Set<string>();
  for (const f of failed) for (const d of descendants(f)) skipped.add(d);

  const threadFree = Array.from({ length: THREADS }, () => startMs);
  const done = new Map<string, number>();
  const results: Array<{ at: number; r: Record<string, unknown> }> = [];
  for (const m of models) {
    const ready = Math.max(startMs, ...m.parents.map((p) => done.get(p) ?? startMs));
    let t = 0;
    for (let i = 1; i < THREADS; i++) if (threadFree[i]! < threadFree[t]!) t = i;
    const thread = `Thread-${t + 1} (worker)`;
    if (skipped.has(m.name)) {
      done.set(m.name, ready);
      results.push({
        at: ready,
        r: { status: 'skipped', timing: [], thread_id: thread, execution_time: 0, adapter_response: {}, message: null, failures: null, unique_id: `model.${PROJECT}.${m.name}`, compiled: false, compiled_code: null, relation_name: relationOf(m.name, plan), batch_results: null },
      });
      continue;
    }
    const start = Math.max(ready, threadFree[t]!);
    const compileMs = 20 + rng.next() * 80;
    const isFailed = failed.includes(m.name);
    const execMs = secondsFor(m, rng) * 1000 * (isFailed ? 0.6 : 1);
    const end = start + compileMs + execMs;
    threadFree[t] = end;
    done.set(m.name, end);
    const timing = [
      { name: 'compile', started_at: iso(start), completed_at: iso(start + compileMs) },
      { name: 'execute', started_at: iso(start + compileMs), completed_at: iso(end) },
    ];
    const executionTime = Math.round((compileMs + execMs) * 1000) / 1e6;
    results.push({
      at: end,
      r: {
        status: isFailed ? 'error' : 'success',
        timing,
        thread_id: thread,
        execution_time: executionTime,
        adapter_response: isFailed ? {} : { _message: 'OK', rows_affected: m.materialized === 'view' ? 0 : rng.int(0, 5_000_000) },
        message: isFailed ? memoryLimitMessage(m, rng) : 'OK',
        failures: null,
        unique_id: `model.${PROJECT}.${m.name}`,
        compiled: true,
        compiled_code: compiled.get(m.name) ?? null,
        relation_name: relationOf(m.name, plan),
        batch_results: null,
      },
    });
  }
  results.sort((a, b) => a.at - b.at);
  const end = results.length > 0 ? results[results.length - 1]!.at : startMs;
  const json = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      dbt_version: '1.9.4',
      generated_at: iso(end + 1500),
      invocation_id: input.invocationId,
      env: {},
    },
    results: results.map((x) => x.r),
    elapsed_time: Math.round(end - startMs + 1500) / 1000,
    args: {
      invocation_command: 'dbt run --target prod --project-dir /app --profiles-dir /app',
      which: 'run',
      select: [],
      exclude: [],
      vars: {},
      threads: THREADS,
      target: 'prod',
      project_dir: '/app',
      profiles_dir: '/app',
      full_refresh: false,
      favor_state: false,
      defer: false,
      indirect_selection: 'eager',
      log_level: 'info',
      log_format: 'default',
      printer_width: 80,
      partial_parse: true,
      static_parser: true,
      populate_cache: true,
      write_json: true,
      introspect: true,
      empty: false,
      quiet: false,
      print: true,
      use_colors: true,
      send_anonymous_usage_stats: false,
      version_check: true,
    },
  };
  return { json, failed };
}
