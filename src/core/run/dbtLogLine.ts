/**
 * One line of dbt's console output, read into what the runner needs. dbt's structured log (`--log-format json`) is
 * one JSON object per line:
 * - dbt 1.4+ (this reads 1.4 to 1.11): `{"info": {name, code, msg, level, invocation_id, pid, thread, ts, extra},
 *   "data": {...}}`, `data` per event as in dbt-core's core_types.proto, with `node_info` {unique_id, node_name,
 *   node_path, resource_type, materialized, node_status, node_started_at, node_finished_at, node_relation} on node
 *   events;
 * - dbt 1.0-1.3: `{code, msg, level, invocation_id, pid, thread_name, ts, node_info, data, type: "log_line"}`.
 * Anything else is a text line (dbt's default format, `HH:MM:SS  1 of 12 START ...`), read by its wording.
 */

export interface DbtNodeInfo {
  /** `model.project.name`; null in text mode, where dbt prints only the relation. */
  uniqueId: string | null;
  name: string;
  /** `node_path`: the file relative to its resource folder (`execution/tokens/int_x.sql`). */
  path: string | null;
  resourceType: string | null;
  materialized: string | null;
  relation: { database: string | null; schema: string | null; alias: string | null } | null;
}

export type DbtLineKind =
  /** `MainReportVersion`: `Running with dbt=1.9.4`. */
  | 'version'
  /** `LogStartLine`, `NodeStart`: a node began. */
  | 'node-start'
  /** `LogModelResult`, `LogSeedResult`, `LogSnapshotResult`, `LogTestResult`, `LogNodeNoOpResult`, `NodeFinished`,
   * `LogSkipBecauseError`, `SkippingDetails`, `MarkSkippedChildren`: a node ended. */
  | 'node-result'
  /** `RunResultError` and friends: an error text, about a node when dbt says which. */
  | 'error'
  /** `EndOfRunSummary`, `StatsLine`, `CommandCompleted`: the run's end. */
  | 'summary'
  | 'other';

export interface DbtLogLine {
  kind: DbtLineKind;
  /** The event name (`LogStartLine`); `text` for a text line. */
  name: string;
  /** What dbt's text format would print (the human message, without the timestamp). */
  msg: string;
  level: string | null;
  ts: string | null;
  invocationId: string | null;
  node: DbtNodeInfo | null;
  index: number | null;
  total: number | null;
  /** The node's status: `started`, `success`, `error`, `skipped`, `pass`, `fail`, `warn`, `no-op`. */
  status: string | null;
  seconds: number | null;
  /** The error text of an `error` line (or a node result's message). */
  message: string | null;
  /** `version` lines: the dbt version (`1.9.4`). */
  version: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

const START_EVENTS = new Set(['LogStartLine', 'NodeStart']);
const RESULT_EVENTS = new Set([
  'LogModelResult',
  'LogSeedResult',
  'LogSnapshotResult',
  'LogTestResult',
  'LogNodeNoOpResult',
  'LogFreshnessResult',
  'NodeFinished',
  'LogSkipBecauseError',
  'SkippingDetails',
  'MarkSkippedChildren',
]);
const ERROR_EVENTS = new Set(['RunResultError', 'RunResultErrorNoMessage', 'RunResultFailure', 'GenericExceptionOnRun', 'InternalErrorOnRun', 'CatchableExceptionOnRun', 'SQLRunnerException', 'MainEncounteredError', 'RunningOperationUncaughtError']);
const SUMMARY_EVENTS = new Set(['EndOfRunSummary', 'StatsLine', 'CommandCompleted', 'FinishedRunningStats']);
function nodeInfoOf(v: unknown): DbtNodeInfo | null {
  if (!isObject(v)) return null;
  const uniqueId = str(v.unique_id);
  const name = str(v.node_name) ?? (uniqueId ? uniqueId.split('.').pop()! : null);
  if (!name) return null;
  const rel = isObject(v.node_relation) ? v.node_relation : null;
  return {
    uniqueId,
    name,
    path: str(v.node_path),
    resourceType: str(v.resource_type),
    materialized: str(v.materialized),
    relation: rel ? { database: str(rel.database), schema: str(rel.schema), alias: str(rel.alias) } : null,
  };
}

function statusOf(name: string, data: Json, node: Json | null): string | null {
  if (START_EVENTS.has(name)) return 'started';
  if (name === 'LogSkipBecauseError' || name === 'SkippingDetails' || name === 'MarkSkippedChildren') return 'skipped';
  const rr = isObject(data.run_result) ? data.run_result : null;
  const s = str(data.status) ?? str(rr?.status) ?? str(node?.node_status);
  return s ? s.toLowerCase() : null;
}

function classify(name: string): DbtLineKind {
  if (name === 'MainReportVersion') return 'version';
  if (START_EVENTS.has(name)) return 'node-start';
  if (RESULT_EVENTS.has(name)) return 'node-result';
  if (ERROR_EVENTS.has(name)) return 'error';
  if (SUMMARY_EVENTS.has(name)) return 'summary';
  return 'other';
}

/** dbt 1.0-1.3: a flat object whose event codes meant other things than today's; its wording is read as text. */
function fromLegacyJson(o: Json): DbtLogLine | null {
  if (typeof o.msg !== 'string') return null;
  const t = fromText(o.msg);
  const node = nodeInfoOf(o.node_info);
  const nodeStatus = isObject(o.node_info) ? str(o.node_info.node_status) : null;
  return {
    ...t,
    name: str(o.code) ?? 'legacy',
    level: str(o.level),
    ts: str(o.ts),
    invocationId: str(o.invocation_id),
    node: node ?? t.node,
    status: t.kind === 'node-result' && nodeStatus ? nodeStatus.toLowerCase() : t.status,
  };
}

function fromJson(o: Json): DbtLogLine | null {
  if (!isObject(o.info)) return fromLegacyJson(o);
  const info = o.info;
  const data = isObject(o.data) ? o.data : {};
  const name = str(info.name);
  const msg = typeof info.msg === 'string' ? info.msg : null;
  if (!name || msg === null) return null;
  const rawNode = isObject(data.node_info) ? data.node_info : null;
  const kind = classify(name);
  // LogSkipBecauseError has no node_info: its wording names the relation.
  const node = nodeInfoOf(rawNode) ?? (kind === 'node-start' || kind === 'node-result' ? fromText(msg).node : null);
  const rr = isObject(data.run_result) ? data.run_result : null;
  const message =
    kind === 'error'
      ? str(data.msg) ?? str(data.exc) ?? msg
      : kind === 'node-result'
        ? str(rr?.message)
        : null;
  let version: string | null = null;
  if (kind === 'version') version = (str(data.version) ?? str(data.v) ?? /dbt=(\S+)/.exec(msg)?.[1] ?? '').replace(/^=/, '') || null;
  return {
    kind,
    name,
    msg,
    level: str(info.level),
    ts: str(info.ts),
    invocationId: str(info.invocation_id),
    node,
    index: num(data.index),
    total: num(data.total),
    status: kind === 'node-start' || kind === 'node-result' ? statusOf(name, data, rawNode) : null,
    seconds: num(data.execution_time) ?? num(rr?.execution_time),
    message,
    version,
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const TIME_PREFIX = /^\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+/;
/** `1 of 12 START sql incremental model dbt.int_x .... [RUN]`, `1 of 12 OK created ... [OK in 9.54s]`. */
const COUNTED = /^(\d+) of (\d+) (START|OK|ERROR|SKIP|PASS|FAIL|WARN|NO-OP)\b(.*?)\s*(?:\.+\s*)?\[([^\]]*)\]\s*$/;
const RESULT_WORD: Record<string, string> = { OK: 'success', ERROR: 'error', SKIP: 'skipped', PASS: 'pass', FAIL: 'fail', WARN: 'warn', 'NO-OP': 'no-op' };

/** The last relation-like word of a counted line: `` `dbt`.`int_x` `` or `dbt.int_x` gives `int_x`. */
function relationName(text: string): string | null {
  const words = text.trim().replace(/\.+$/, '').trim().split(/\s+/);
  const last = words[words.length - 1];
  if (!last) return null;
  const parts = last.split('.').map((p) => p.replace(/^[`"]|[`"]$/g, ''));
  return parts[parts.length - 1] || null;
}

function fromText(raw: string): DbtLogLine {
  const line = raw.replace(ANSI, '');
  const msg = line.replace(TIME_PREFIX, '');
  const base: DbtLogLine = {
    kind: 'other', name: 'text', msg, level: null, ts: null, invocationId: null, node: null,
    index: null, total: null, status: null, seconds: null, message: null, version: null,
  };
  const trimmed = msg.trim();
  const version = /^Running with dbt=(\S+)/.exec(trimmed);
  if (version) return { ...base, kind: 'version', version: version[1]!.replace(/^=/, '') };
  const m = COUNTED.exec(trimmed);
  if (m) {
    const [, index, total, word, rest, bracket] = m;
    const name = relationName(rest!.replace(/^(created|creating|of|relation)\s+/i, ''));
    const seconds = /in ([\d.]+)s/.exec(bracket!)?.[1];
    return {
      ...base,
      kind: word === 'START' ? 'node-start' : 'node-result',
      node: name ? { uniqueId: null, name, path: null, resourceType: null, materialized: null, relation: null } : null,
      index: Number(index),
      total: Number(total),
      status: word === 'START' ? 'started' : RESULT_WORD[word!]!,
      seconds: seconds ? Number(seconds) : null,
    };
  }
  if (/^(Completed successfully|Completed with \d+ errors?|Done\. PASS=)/.test(trimmed)) return { ...base, kind: 'summary' };
  return base;
}

/** Reads one line of dbt's output (JSON or text); null for an empty line. */
export function parseDbtLogLine(line: string): DbtLogLine | null {
  const t = line.trim();
  if (t === '') return null;
  if (t.startsWith('{')) {
    try {
      const o: unknown = JSON.parse(t);
      if (isObject(o)) {
        const parsed = fromJson(o);
        if (parsed) return parsed;
      }
    } catch {
      // Not JSON after all: read it as text.
    }
  }
  return fromText(line);
}
