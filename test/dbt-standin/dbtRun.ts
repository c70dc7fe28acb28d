/**
 * TEST CODE: a stand-in for the `dbt` process (dbt-core 1.9.4 with dbt-clickhouse), for the runner's tests. dbt does
 * not install on these machines and the product drives the user's own dbt, so only tests use this. Launched through
 * `dbt.mjs` beside it: `[process.execPath, 'test/dbt-standin/dbt.mjs', ...]` is a plan's `dbtCommand`.
 *
 * What it does, argv in, dbt-shaped behaviour out:
 * - `run` (and `build`, run as `run`): reads `<project>/<target-path>/manifest.json`, selects models with our own
 *   selector (src/core/graph: `--select`/`-s`/`-m`, `--exclude`, as dbt; ephemeral models are not run), runs them
 *   in DAG order, prints dbt 1.9's console events (`--log-format json`: one `{"data", "info"}` object per line with
 *   MainReportVersion, AdapterRegistered, FoundStats, ConcurrencyLine, LogStartLine and LogModelResult with
 *   node_info per model, LogSkipBecauseError for children of a failed model, FinishedRunningStats, EndOfRunSummary,
 *   RunResultError, StatsLine; `--debug` adds MainReportArgs, NodeFinished, CommandCompleted; text format
 *   otherwise), writes `target/run_results.json` (schema v6) at the end, exits 0, 1 (a model failed) or 2 (usage
 *   or runtime error), as dbt does. Global flags go before or after the subcommand; an unknown option is click's
 *   usage error.
 * - `--version`.
 * - Knobs, through the environment:
 *   DBT_STANDIN_FAIL=name:241,other:341,third:poisoned,fourth:error  fail those models with a real-looking
 *     dbt-clickhouse Database Error (Code 241 MEMORY_LIMIT_EXCEEDED; Code 341 from a mutation out of memory; Code 341
 *     naming a dropped __dbt_new_data_* table; a plain syntax error);
 *   DBT_STANDIN_SLEEP_MS=N  each model takes N ms;
 *   DBT_STANDIN_HOLD=name  at that model's START line, wait until killed (a test kills it after seeing the line);
 *   DBT_STANDIN_IGNORE_SIGINT=1  ignore SIGINT (dbt stuck in a query), so only SIGKILL stops it;
 *   DBT_STANDIN_SPAWN_CHILD=1  start a child process (dbt's process tree), its pid in the argv log;
 *   DBT_STANDIN_LEGACY=1  dbt before 1.5: `--log-format` and the other global flags only before the subcommand
 *     (argparse's usage error, exit 2, otherwise); DBT_LOG_FORMAT=json works in both modes;
 *   DBT_STANDIN_LOG=file  append `{pid, argv, cwd, childPid}` as one JSON line per invocation;
 *   DBT_STANDIN_LEAK_ENV=NAME  print the value of that environment variable (a driver echoing its connection URL
 *     with the password in it), to test that the runner scrubs what it writes;
 *   DBT_STANDIN_EXECUTOR=module  a hook that EXECUTES each model: the module's `executeModel(ctx)` runs it (against
 *     a ClickHouse server or chdb, say) and throws to fail it. Rendering a model for real needs Jinja with the
 *     run's vars and is_incremental(): parseProject.ts's nunjucks renderer is the place to start. Nothing is
 *     executed without it.
 *
 * Not modelled: threads (models run one at a time), tests, seeds and snapshots in `build`, `run-operation`, `ls`,
 * state selectors, hooks output, partial parsing, profiles (the target name is only printed), `--fail-fast` beyond
 * skipping the rest.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DbtGraph } from '../../src/core/graph/dbtGraph';
import { selectNodes } from '../../src/core/graph/selector';
import { loadManifest } from '../../src/core/manifest/loadManifest';
import { readProject } from '../../src/core/manifest/project';
import type { Manifest, ManifestNode } from '../../src/core/manifest/types';

export const DBT_VERSION = process.env.DBT_STANDIN_LEGACY === '1' ? '1.4.9' : '1.9.4';
const ADAPTER_VERSION = '1.9.1';
const CLICKHOUSE_VERSION = '24.8.4.13';

/** What an executor hook gets for one model. */
export interface ExecuteModelContext {
  node: ManifestNode;
  manifest: Manifest;
  projectDir: string;
  vars: Record<string, unknown>;
  fullRefresh: boolean;
  target: string;
}

export class UsageError extends Error {}

// ---- argv -------------------------------------------------------------------------------------------------------

export interface StandinArgs {
  command: string | null;
  version: boolean;
  logFormat: 'json' | 'text';
  debug: boolean;
  projectDir: string | null;
  profilesDir: string | null;
  target: string | null;
  targetPath: string | null;
  select: string[];
  exclude: string[];
  vars: Record<string, unknown>;
  fullRefresh: boolean;
  failFast: boolean;
  threads: number | null;
}

const VALUE_FLAGS = new Set(['--project-dir', '--profiles-dir', '--target', '-t', '--target-path', '--vars', '--log-format', '--log-format-file', '--log-level', '--log-path', '--threads', '--profile', '--state', '--selector', '--printer-width']);
const MULTI_FLAGS = new Set(['--select', '-s', '--models', '-m', '--model', '--exclude']);
const BOOL_FLAGS = new Set(['--full-refresh', '-f', '--debug', '-d', '--fail-fast', '-x', '--no-use-colors', '--use-colors', '--quiet', '-q', '--no-partial-parse', '--partial-parse', '--no-version-check', '--write-json', '--no-write-json', '--version']);
const COMMANDS = new Set(['run', 'build', 'compile', 'test', 'seed', 'snapshot', 'ls', 'list', 'parse', 'debug', 'deps', 'run-operation']);

/** Flags dbt before 1.5 (argparse) takes only before the subcommand. */
const GLOBAL_ONLY_BEFORE_1_5 = new Set(['--log-format', '--debug', '-d', '--no-use-colors', '--use-colors', '--quiet', '-q', '--no-partial-parse', '--partial-parse', '--no-version-check', '--printer-width', '--no-write-json', '--write-json']);

export class LegacyUsageError extends UsageError {}

/**
 * `legacy`: behave as dbt 1.0-1.4, whose argparse refuses the global flags after the subcommand (dbt 1.5+ takes them
 * on both sides). DBT_LOG_FORMAT=json in the environment sets the log format either way.
 */
export function parseStandinArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, legacy = false): StandinArgs {
  const a: StandinArgs = {
    command: null, version: false, logFormat: env.DBT_LOG_FORMAT === 'json' ? 'json' : 'text', debug: false, projectDir: null, profilesDir: null, target: null,
    targetPath: null, select: [], exclude: [], vars: {}, fullRefresh: false, failFast: false, threads: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : null;
    if (legacy && a.command !== null && GLOBAL_ONLY_BEFORE_1_5.has(flag)) {
      throw new LegacyUsageError(`unrecognized arguments: ${argv.slice(i).join(' ')}`);
    }
    if (!flag.startsWith('-')) {
      if (a.command === null) {
        if (!COMMANDS.has(flag)) throw new UsageError(`No such command '${flag}'.`);
        a.command = flag;
        continue;
      }
      throw new UsageError(`Got unexpected extra argument (${flag})`);
    }
    if (MULTI_FLAGS.has(flag)) {
      const values: string[] = inline !== null ? [inline] : [];
      while (inline === null && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[++i]!);
      if (values.length === 0) throw new UsageError(`Option '${flag}' requires an argument.`);
      // dbt splits each value on spaces too: `--select "a b"` is two criteria.
      const criteria = values.flatMap((v) => v.split(' ').filter(Boolean));
      if (flag === '--exclude') a.exclude.push(...criteria);
      else a.select.push(...criteria);
      continue;
    }
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`Option '${flag}' requires an argument.`);
      switch (flag) {
        case '--project-dir': a.projectDir = value; break;
        case '--profiles-dir': a.profilesDir = value; break;
        case '--target': case '-t': a.target = value; break;
        case '--target-path': a.targetPath = value; break;
        case '--threads': a.threads = Number(value); break;
        case '--log-format':
          if (!['json', 'text', 'debug', 'default'].includes(value)) {
            throw new UsageError(`Invalid value for '--log-format': '${value}' is not one of 'text', 'debug', 'json', 'default'.`);
          }
          a.logFormat = value === 'json' ? 'json' : 'text';
          break;
        case '--vars': {
          let v: unknown;
          try {
            v = parseYaml(value);
          } catch {
            throw new UsageError(`Invalid value for '--vars': String '${value}' is not valid YAML`);
          }
          if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`Invalid value for '--vars': '${value}' is not a YAML dictionary`);
          a.vars = v as Record<string, unknown>;
          break;
        }
      }
      continue;
    }
    if (BOOL_FLAGS.has(flag)) {
      if (flag === '--version') a.version = true;
      else if (flag === '--full-refresh' || flag === '-f') a.fullRefresh = true;
      else if (flag === '--debug' || flag === '-d') a.debug = true;
      else if (flag === '--fail-fast' || flag === '-x') a.failFast = true;
      continue;
    }
    throw new UsageError(`No such option: ${flag}`);
  }
  return a;
}

// ---- output -----------------------------------------------------------------------------------------------------

interface NodeInfoJson {
  node_path: string;
  node_name: string;
  unique_id: string;
  resource_type: string;
  materialized: string;
  node_status: string;
  node_started_at: string;
  node_finished_at: string;
  meta: Record<string, unknown>;
  node_relation: { database: string; schema: string; alias: string; relation_name: string };
}

class Console {
  readonly invocationId = randomUUID();

  constructor(
    private readonly format: 'json' | 'text',
    private readonly debug: boolean,
  ) {}

  fire(name: string, code: string, level: 'debug' | 'info' | 'warn' | 'error', msg: string, data: Record<string, unknown> = {}, thread = 'MainThread'): void {
    if (level === 'debug' && !this.debug) return;
    const now = new Date();
    if (this.format === 'json') {
      const line = {
        data,
        info: { category: '', code, extra: {}, invocation_id: this.invocationId, level, msg, name, pid: process.pid, thread, ts: now.toISOString().replace('Z', '000Z').replace(/(\.\d{6})\d*Z$/, '$1Z') },
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      const t = now.toISOString().slice(11, 19);
      process.stdout.write(`${msg.split('\n').map((l, i) => (i === 0 ? `${t}  ${l}` : l)).join('\n')}\n`);
    }
  }

  blank(): void {
    this.fire('Formatting', 'Z017', 'info', '', { msg: '' });
  }
}

function dots(text: string, width = 80): string {
  return text.length >= width ? `${text} ` : `${text} ${'.'.repeat(width - text.length)} `;
}

function nodeInfo(node: ManifestNode, status: string, startedAt: string, finishedAt: string): NodeInfoJson {
  return {
    node_path: node.path,
    node_name: node.name,
    unique_id: node.uniqueId,
    resource_type: node.resourceType,
    materialized: node.config.materialized ?? 'view',
    node_status: status,
    node_started_at: startedAt,
    node_finished_at: finishedAt,
    meta: {},
    node_relation: {
      database: node.database ?? '',
      schema: node.schema ?? '',
      alias: node.alias ?? node.name,
      relation_name: node.relationName ?? `\`${node.schema}\`.\`${node.alias ?? node.name}\``,
    },
  };
}

function describeNode(node: ManifestNode): string {
  const mat = node.config.materialized ?? 'view';
  return `sql ${mat} model \`${node.schema}\`.\`${node.alias ?? node.name}\``;
}

/** The errors DBT_STANDIN_FAIL can inject, worded as dbt-clickhouse (clickhouse-connect over HTTP) reports them. */
export function injectedError(kind: string, node: ManifestNode, projectName: string): string {
  const head = `Database Error in model ${node.name} (${node.originalFilePath})`;
  const tail = `  compiled code at target/run/${projectName}/${node.originalFilePath}`;
  const leak = process.env.DBT_STANDIN_LEAK_ENV;
  const auth = leak ? `default:${process.env[leak] ?? ''}@` : '';
  const http = `  HTTPDriver for http://${auth}127.0.0.1:8123 returned response code 500)`;
  const table = `${node.schema}.${node.alias ?? node.name}`;
  switch (kind) {
    case '241':
      return `${head}\n${http}\n   Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB. OvercommitTracker decision: Query was selected to stop by OvercommitTracker.: While executing AggregatingTransform. (MEMORY_LIMIT_EXCEEDED) (version ${CLICKHOUSE_VERSION} (official build))\n${tail}`;
    case '341':
      return `${head}\n${http}\n   Code: 341. DB::Exception: Exception happened during execution of mutation 'mutation_2417.txt' with part '202604_1_58_3' reason: 'Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB (attempt to allocate chunk of 8388608 bytes), maximum: 9.31 GiB.: While executing CreatingSetsTransform. (MEMORY_LIMIT_EXCEEDED) (version ${CLICKHOUSE_VERSION} (official build))'. This error maybe retryable or not. In case of unretryable error, mutation can be killed with KILL MUTATION query. (UNFINISHED) (version ${CLICKHOUSE_VERSION} (official build))\n${tail}`;
    case 'poisoned':
      return `${head}\n${http}\n   Code: 341. DB::Exception: Exception happened during execution of mutation 'mutation_2409.txt' with part '202604_1_58_3' reason: 'Code: 60. DB::Exception: Table ${node.schema}.__dbt_new_data_5f0b3c2a_9d1e_4c7b_8a6f_2e4d1c0b9a87 does not exist. (UNKNOWN_TABLE) (version ${CLICKHOUSE_VERSION} (official build))'. This error maybe retryable or not. In case of unretryable error, mutation can be killed with KILL MUTATION query. (UNFINISHED) (version ${CLICKHOUSE_VERSION} (official build))\n${tail}`;
    default:
      return `${head}\n${http}\n   Code: 62. DB::Exception: Syntax error: failed at position 1024 ('FORM') in table ${table}. (SYNTAX_ERROR) (version ${CLICKHOUSE_VERSION} (official build))\n${tail}`;
  }
}

function failures(): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of (process.env.DBT_STANDIN_FAIL ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, kind] = item.split(':');
    if (name) out.set(name, kind ?? 'error');
  }
  return out;
}

const wait = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- run --------------------------------------------------------------------------------------------------------

interface ResultJson {
  status: string;
  timing: Array<{ name: string; started_at: string; completed_at: string }>;
  thread_id: string;
  execution_time: number;
  adapter_response: Record<string, unknown>;
  message: string | null;
  failures: null;
  unique_id: string;
  compiled: boolean;
  compiled_code: string | null;
  relation_name: string | null;
  batch_results: null;
}

async function loadExecutor(): Promise<((ctx: ExecuteModelContext) => Promise<unknown>) | null> {
  const mod = process.env.DBT_STANDIN_EXECUTOR;
  if (!mod) return null;
  const file = path.resolve(mod);
  // TypeScript through the same tsx hook that loaded this file (require); JavaScript modules by import().
  const loaded = (/\.[cm]?ts$/.test(file) ? createRequire(file)(file) : await import(pathToFileURL(file).href)) as { executeModel?: (ctx: ExecuteModelContext) => Promise<unknown> };
  if (typeof loaded.executeModel !== 'function') throw new Error(`${mod} exports no executeModel(ctx)`);
  return loaded.executeModel;
}

async function run(args: StandinArgs, out: Console): Promise<number> {
  const started = Date.now();
  const projectDir = path.resolve(args.projectDir ?? process.env.DBT_PROJECT_DIR ?? '.');
  out.fire('MainReportVersion', 'A001', 'info', `Running with dbt=${DBT_VERSION}`, { version: `=${DBT_VERSION}`, log_version: 3 });
  out.fire('MainReportArgs', 'A002', 'debug', `running dbt with arguments ${JSON.stringify({ which: args.command, vars: JSON.stringify(args.vars), full_refresh: args.fullRefresh, log_format: args.logFormat })}`, { args: { which: args.command ?? '' } });
  let project;
  let manifest: Manifest;
  try {
    project = readProject(projectDir);
    const targetPath = args.targetPath ? path.resolve(projectDir, args.targetPath) : project.targetPath;
    manifest = loadManifest(path.join(targetPath, 'manifest.json'));
  } catch (err) {
    out.fire('MainEncounteredError', 'Z002', 'error', `Encountered an error:\nRuntime Error\n  ${(err as Error).message}`, { exc: (err as Error).message });
    return 2;
  }
  const targetPath = args.targetPath ? path.resolve(projectDir, args.targetPath) : project.targetPath;
  const leak = process.env.DBT_STANDIN_LEAK_ENV;
  if (leak) out.fire('AdapterRegistered', 'E034', 'info', `Registered adapter: clickhouse (http://default:${process.env[leak] ?? ''}@127.0.0.1:8123)`, {});
  out.fire('AdapterRegistered', 'E034', 'info', `Registered adapter: clickhouse=${ADAPTER_VERSION}`, { adapter_name: 'clickhouse', adapter_version: `=${ADAPTER_VERSION}` });
  const models = [...manifest.nodes.values()].filter((n) => n.resourceType === 'model').length;
  out.fire('FoundStats', 'W006', 'info', `Found ${models} models, ${manifest.nodes.size - models} other nodes`, { stat_line: `${models} models` });

  let ids: string[];
  try {
    ids = selectNodes(manifest, { select: args.select, exclude: args.exclude, resourceTypes: ['model'] }).ids;
  } catch (err) {
    out.fire('MainEncounteredError', 'Z002', 'error', `Encountered an error:\nRuntime Error\n  ${(err as Error).message}`, { exc: (err as Error).message });
    return 2;
  }
  const graph = DbtGraph.of(manifest);
  const chosen = new Set(ids.filter((id) => manifest.nodes.get(id)?.config.materialized !== 'ephemeral'));
  const order = graph.topologicalOrder().filter((id) => chosen.has(id));
  const target = args.target ?? 'dev';
  out.blank();
  if (order.length === 0) {
    out.fire('NothingToDo', 'Q035', 'warn', 'Nothing to do. Try checking your model configs and model specification args');
    writeRunResults(targetPath, out.invocationId, [], (Date.now() - started) / 1000, args);
    return 0;
  }
  const threads = args.threads ?? 4;
  out.fire('ConcurrencyLine', 'Q027', 'info', `Concurrency: ${threads} threads (target='${target}')`, { num_threads: threads, target_name: target, node_count: order.length });
  out.blank();

  const fail = failures();
  const sleepMs = Number(process.env.DBT_STANDIN_SLEEP_MS ?? 0);
  const hold = process.env.DBT_STANDIN_HOLD ?? null;
  const executor = await loadExecutor();
  const results: ResultJson[] = [];
  const failedIds = new Set<string>();
  const total = order.length;
  let errors = 0;
  let skipped = 0;
  let passed = 0;
  let stop = false;
  const thread = 'Thread-1 (worker)';
  for (const [k, id] of order.entries()) {
    const node = manifest.nodes.get(id)!;
    const index = k + 1;
    const upstreamFailed = [...graph.ancestors(id)].some((p) => failedIds.has(p));
    if (stop || upstreamFailed) {
      failedIds.add(id);
      skipped++;
      out.fire('LogSkipBecauseError', 'Z034', 'info', `${dots(`${index} of ${total} SKIP relation ${node.schema}.${node.alias ?? node.name}`)}[SKIP]`, { schema: node.schema, relation: node.alias ?? node.name, index, total, status: 'SKIP' });
      results.push({ status: 'skipped', timing: [], thread_id: thread, execution_time: 0, adapter_response: {}, message: null, failures: null, unique_id: id, compiled: false, compiled_code: null, relation_name: node.relationName, batch_results: null });
      continue;
    }
    const t0 = new Date();
    const startIso = t0.toISOString();
    out.fire('LogStartLine', 'Q011', 'info', `${dots(`${index} of ${total} START ${describeNode(node)}`)}[RUN]`, { node_info: nodeInfo(node, 'started', startIso, ''), description: describeNode(node), index, total }, thread);
    if (hold === node.name) {
      // Until killed: keep the event loop alive without printing anything.
      setInterval(() => undefined, 60_000);
      await new Promise<never>(() => undefined);
    }
    if (sleepMs > 0) await wait(sleepMs);
    let message: string | null = null;
    const kind = fail.get(node.name);
    if (kind) message = injectedError(kind, node, manifest.metadata.projectName ?? 'project');
    else if (executor) {
      try {
        await executor({ node, manifest, projectDir, vars: args.vars, fullRefresh: args.fullRefresh, target });
      } catch (err) {
        message = `Database Error in model ${node.name} (${node.originalFilePath})\n  ${(err as Error).message.split('\n').join('\n  ')}`;
      }
    }
    const t1 = new Date();
    const seconds = Math.round((t1.getTime() - t0.getTime()) / 10) / 100;
    const timing = [
      { name: 'compile', started_at: startIso, completed_at: startIso },
      { name: 'execute', started_at: startIso, completed_at: t1.toISOString() },
    ];
    const ok = message === null;
    const mat = node.config.materialized ?? 'view';
    const resultMsg = ok ? `[${mat === 'view' ? 'CREATE VIEW' : 'OK'} in ${seconds.toFixed(2)}s]` : `[ERROR in ${seconds.toFixed(2)}s]`;
    const line = ok ? `${index} of ${total} OK created ${describeNode(node)}` : `${index} of ${total} ERROR creating ${describeNode(node)}`;
    out.fire('LogModelResult', 'Q012', ok ? 'info' : 'error', `${dots(line)}${resultMsg}`, {
      node_info: nodeInfo(node, ok ? 'success' : 'error', startIso, t1.toISOString()),
      description: describeNode(node),
      status: ok ? 'success' : 'error',
      index,
      total,
      execution_time: seconds,
    }, thread);
    out.fire('NodeFinished', 'Q025', 'debug', `Finished running node ${id}`, { node_info: nodeInfo(node, ok ? 'success' : 'error', startIso, t1.toISOString()), run_result: { status: ok ? 'success' : 'error', message: message ?? 'OK', execution_time: seconds } }, thread);
    results.push({
      status: ok ? 'success' : 'error',
      timing,
      thread_id: thread,
      execution_time: seconds,
      adapter_response: ok ? { _message: 'OK' } : {},
      message: ok ? 'OK' : message,
      failures: null,
      unique_id: id,
      compiled: true,
      compiled_code: node.compiledCode,
      relation_name: node.relationName,
      batch_results: null,
    });
    if (ok) passed++;
    else {
      errors++;
      failedIds.add(id);
      if (args.failFast) stop = true;
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  out.blank();
  out.fire('FinishedRunningStats', 'Q040', 'info', `Finished running ${total} ${total === 1 ? 'model' : 'models'} in 0 hours 0 minutes and ${elapsed.toFixed(2)} seconds (${elapsed.toFixed(2)}s).`, { stat_line: `${total} models`, execution: '', execution_time: elapsed });
  out.blank();
  if (errors === 0) {
    out.fire('EndOfRunSummary', 'Z030', 'info', 'Completed successfully', { num_errors: 0, num_warnings: 0, keyboard_interrupt: false, num_partial_success: 0 });
  } else {
    out.fire('EndOfRunSummary', 'Z030', 'error', `Completed with ${errors} ${errors === 1 ? 'error' : 'errors'}, 0 partial successes, and 0 warnings:`, { num_errors: errors, num_warnings: 0, keyboard_interrupt: false, num_partial_success: 0 });
    for (const r of results.filter((x) => x.status === 'error')) {
      const node = manifest.nodes.get(r.unique_id)!;
      out.blank();
      out.fire('RunResultError', 'Z024', 'error', `  ${r.message!}`, { msg: r.message, node_info: nodeInfo(node, 'error', r.timing[0]!.started_at, r.timing[1]!.completed_at) });
    }
  }
  out.blank();
  out.fire('StatsLine', 'Z023', 'info', `Done. PASS=${passed} WARN=0 ERROR=${errors} SKIP=${skipped} NO-OP=0 TOTAL=${total}`, { stats: { pass: passed, warn: 0, error: errors, skip: skipped, 'no-op': 0, total } });
  writeRunResults(targetPath, out.invocationId, results, elapsed, args);
  out.fire('CommandCompleted', 'Q039', 'debug', `Command \`dbt ${args.command}\` ${errors === 0 ? 'succeeded' : 'failed'} at ${new Date().toISOString()} after ${elapsed.toFixed(2)} seconds`, { command: `dbt ${args.command}`, success: errors === 0, elapsed });
  return errors === 0 ? 0 : 1;
}

function writeRunResults(targetPath: string, invocationId: string, results: ResultJson[], elapsed: number, args: StandinArgs): void {
  mkdirSync(targetPath, { recursive: true });
  const doc = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      dbt_version: DBT_VERSION,
      generated_at: new Date().toISOString(),
      invocation_id: invocationId,
      env: {},
    },
    results,
    elapsed_time: elapsed,
    args: { which: args.command, select: args.select, exclude: args.exclude, vars: args.vars, full_refresh: args.fullRefresh, log_format: args.logFormat },
  };
  writeFileSync(path.join(targetPath, 'run_results.json'), JSON.stringify(doc, null, 2));
}

// ---- main -------------------------------------------------------------------------------------------------------

export async function main(argv: readonly string[]): Promise<number> {
  let childPid: number | null = null;
  if (process.env.DBT_STANDIN_SPAWN_CHILD === '1') {
    // Same process group as this one: part of "dbt's process tree".
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    child.unref();
    childPid = child.pid ?? null;
  }
  if (process.env.DBT_STANDIN_LOG) {
    appendFileSync(process.env.DBT_STANDIN_LOG, `${JSON.stringify({ pid: process.pid, argv, cwd: process.cwd(), childPid })}\n`);
  }
  if (process.env.DBT_STANDIN_IGNORE_SIGINT === '1') {
    process.on('SIGINT', () => process.stderr.write('Received SIGINT, but a query is still running (DBT_STANDIN_IGNORE_SIGINT)\n'));
  }
  let args: StandinArgs;
  try {
    args = parseStandinArgs(argv, process.env, process.env.DBT_STANDIN_LEGACY === '1');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err instanceof LegacyUsageError) {
      process.stderr.write(`usage: dbt [-h] [--version] [-r RECORD_TIMING_INFO] [-d] [--log-format {text,json,default}] [--no-write-json]\n           {docs,source,init,clean,debug,deps,list,ls,build,snapshot,run,compile,parse,test,seed,run-operation} ...\ndbt: error: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`Usage: dbt [OPTIONS] COMMAND [ARGS]...\nTry 'dbt -h' for help.\n\nError: ${err.message}\n`);
    return 2;
  }
  if (args.version) {
    process.stdout.write(`Core:\n  - installed: ${DBT_VERSION}\n  - latest:    ${DBT_VERSION} - Up to date!\n\nPlugins:\n  - clickhouse: ${ADAPTER_VERSION} - Up to date!\n`);
    return 0;
  }
  if (args.command !== 'run' && args.command !== 'build') {
    process.stderr.write(`The dbt stand-in runs \`dbt run\` and \`dbt build\` only (got ${args.command ?? 'no command'}).\n`);
    return 2;
  }
  return run(args, new Console(args.logFormat, args.debug));
}
