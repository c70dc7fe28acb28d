/**
 * Reads a project's `dbt-recovery.yml` (format: docs/recovery-profile.md) over DEFAULT_PROFILE, then the caller's
 * overrides (VS Code settings) over that. Validation is strict and never throws: every problem is reported with the
 * file, the key and its position, what was expected and what to do, and the bad key keeps its default.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import { closestMatch } from '../../graph/closestMatch';
import { RULE_IDS, SEVERITIES, type Range, type RuleId, type Severity } from '../types';
import { DEFAULT_PROFILE, type RecoveryProfile } from './recoveryProfile';

export const PROFILE_FILE = 'dbt-recovery.yml';

export interface ProfileProblem {
  /** The dbt-recovery.yml path as given (absolute from loadRecoveryProfile), or the overrides' label. */
  file: string;
  /** Zero-based range of the offending key or value in the file; null for overrides and whole-file problems. */
  range: Range | null;
  /** What is wrong, what was expected and what to do; without the location (see formatProfileProblem). */
  message: string;
  /** `error`: the key was ignored (its default applies). `warning`: read, but probably not what was meant. */
  severity: 'error' | 'warning';
}

export interface LoadedProfile {
  profile: RecoveryProfile;
  problems: ProfileProblem[];
  /** The dbt-recovery.yml that was read, or null when the project has none. */
  file: string | null;
}

export interface ProfileOptions {
  /** Overrides in the file's own shape (snake_case keys, e.g. `{ rules: { 'heavy-model-untagged': 'off' } }`),
   * from VS Code settings; applied over the file. */
  overrides?: unknown;
  /** How problems in the overrides name their origin. */
  overridesLabel?: string;
}

const DEFAULT_OVERRIDES_LABEL = 'VS Code settings (dbtRecovery.recoveryProfile)';

type Setter = (profile: RecoveryProfile, value: unknown) => void;

interface KeySpec {
  expected: string;
  /** Returns the reason the value is wrong, or null when it is right. */
  check: (value: unknown) => string | null;
  set: Setter;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `the ${typeof v} ${v}`;
  return `a ${typeof v}`;
}

const identifier = (what: string, set: Setter): KeySpec => ({
  expected: `${what} (a name such as \`my_name\`: letters, digits, underscores)`,
  check: (v) => (typeof v === 'string' && IDENTIFIER.test(v) ? null : `found ${typeName(v)}`),
  set,
});

const text = (what: string, set: Setter): KeySpec => ({
  expected: `${what} (a non-empty string)`,
  check: (v) => (typeof v === 'string' && v.trim() !== '' ? null : `found ${typeName(v)}`),
  set,
});

const seconds = (what: string, set: Setter): KeySpec => ({
  expected: `${what} (a number of seconds, 0 or more)`,
  check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `found ${typeName(v)}`),
  set,
});

const SETTINGS_LIST: KeySpec = {
  expected: 'the ClickHouse settings the pre-hook must establish (a list of setting names, e.g. [max_memory_usage])',
  check: (v) => {
    if (!Array.isArray(v)) return `found ${typeName(v)}`;
    const bad: unknown = (v as unknown[]).find((x) => typeof x !== 'string' || !IDENTIFIER.test(x));
    return bad === undefined ? null : `it holds ${typeName(bad)}, which is not a setting name`;
  },
  set: (p, v) => (p.hooks.requiredSettings = [...new Set(v as string[])]),
};

/** Every key of the file, by dotted path; `rules` is handled on its own (its keys are rule ids). */
const KEYS: Record<string, KeySpec> = {
  version: {
    expected: 'the format version, 1',
    check: (v) => (v === 1 ? null : `found ${typeName(v)}`),
    set: () => undefined,
  },
  refill_tag: text('the tag of the Phase 1 (append + OPTIMIZE) cohort', (p, v) => (p.refillTag = v as string)),
  'hooks.pre_hook_macro': identifier('the macro whose call as pre_hook sets the spill-to-disk settings', (p, v) => (p.hooks.preHookMacro = v as string)),
  'hooks.post_hook_macro': identifier('the macro whose call as post_hook resets them', (p, v) => (p.hooks.postHookMacro = v as string)),
  'hooks.required_settings': SETTINGS_LIST,
  'vars.start_month': identifier('the var() name of the refill\'s first month', (p, v) => (p.vars.startMonth = v as string)),
  'vars.end_month': identifier('the var() name of the refill\'s last month', (p, v) => (p.vars.endMonth = v as string)),
  'vars.incremental_end_date': identifier('the var() name of the incremental end date', (p, v) => (p.vars.incrementalEndDate = v as string)),
  'vars.lookback_days': identifier('the var() name of the price lookback in days', (p, v) => (p.vars.lookbackDays = v as string)),
  price_root: text('the name of the model whose lineage consumes prices', (p, v) => (p.priceRoot = v as string)),
  lookback_macro: identifier('the incremental filter macro that reads the lookback var', (p, v) => (p.lookbackMacro = v as string)),
  default_strategy: text('the incremental strategy of the strategy expression\'s else branch (e.g. delete+insert)', (p, v) => (p.defaultStrategy = v as string)),
  'heavy.run_seconds': seconds('the run time from which a model counts as heavy', (p, v) => (p.heavy.runSeconds = v as number)),
  large_run_seconds: seconds('the run time from which an incremental model counts as large', (p, v) => (p.largeRunSeconds = v as number)),
};

const SECTIONS = ['hooks', 'vars', 'heavy'] as const;
const TOP_KEYS = [...new Set([...Object.keys(KEYS).map((k) => k.split('.')[0]!), 'rules'])];
const KNOWN_STRATEGIES = ['append', 'delete+insert', 'insert_overwrite', 'merge', 'microbatch'];

function didYouMean(word: string, candidates: readonly string[]): string {
  const near = closestMatch(word, candidates) ?? candidates.find((c) => c.startsWith(word.toLowerCase()) && word.length >= 3) ?? null;
  return near ? ` Did you mean \`${near}\`?` : '';
}

function cloneProfile(p: RecoveryProfile): RecoveryProfile {
  return {
    ...p,
    hooks: { ...p.hooks, requiredSettings: [...p.hooks.requiredSettings] },
    vars: { ...p.vars },
    heavy: { ...p.heavy },
    rules: { ...p.rules },
  };
}

/** Where a value sits, for problems: a range in the file, or nothing (overrides). */
type Locate = (node: unknown) => Range | null;

interface Entry {
  key: string;
  value: unknown;
  keyNode: unknown;
  valueNode: unknown;
}

/** The entries of a mapping, from a YAML node (with positions) or a plain object (overrides). */
function entriesOf(v: unknown): Entry[] | null {
  if (isMap(v)) {
    return v.items.map((pair: Pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      return { key, value: plain(pair.value), keyNode: pair.key, valueNode: pair.value };
    });
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isSeq(v) && !isScalar(v)) {
    return Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value, keyNode: null, valueNode: value }));
  }
  return null;
}

function plain(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isSeq(node) || isMap(node)) return node.toJSON() as unknown;
  return node;
}

function isMapping(v: unknown): boolean {
  return isMap(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && !isSeq(v) && !isScalar(v));
}

class Reader {
  readonly problems: ProfileProblem[] = [];

  constructor(
    private readonly file: string,
    private readonly locate: Locate,
    private readonly fileLabel: string,
  ) {}

  private problem(node: unknown, message: string, severity: 'error' | 'warning' = 'error'): void {
    this.problems.push({ file: this.file, range: this.locate(node), message, severity });
  }

  private wrong(key: string, spec: KeySpec, reason: string, node: unknown): void {
    this.problem(node, `\`${key}\` in ${this.fileLabel} must be ${spec.expected}, but ${reason}. Fix the value or remove the key; until then the default (${describeDefault(key)}) applies.`);
  }

  read(root: unknown, profile: RecoveryProfile): void {
    const top = entriesOf(root);
    if (!top) {
      if (root !== null && root !== undefined) {
        this.problem(root, `${this.fileLabel} must be a mapping of settings (such as \`refill_tag: refill_append\`), but it holds ${typeName(plain(root))}. Every setting keeps its default; see docs/recovery-profile.md.`);
      }
      return;
    }
    for (const e of top) {
      if (e.key === 'rules') {
        this.readRules(e, profile);
      } else if ((SECTIONS as readonly string[]).includes(e.key)) {
        this.readSection(e, profile);
      } else if (KEYS[e.key]) {
        this.readKey(e.key, e, profile);
      } else {
        this.unknown(e.key, e.keyNode, TOP_KEYS, '');
      }
    }
  }

  private unknown(key: string, node: unknown, known: readonly string[], prefix: string): void {
    const shown = known.map((k) => `\`${k}\``).join(', ');
    this.problem(node ?? null, `Unknown key \`${prefix}${key}\` in ${this.fileLabel}.${didYouMean(key, known)} Remove it or fix its name; the keys here are ${shown}.`);
  }

  private readSection(e: Entry, profile: RecoveryProfile): void {
    const names = Object.keys(KEYS).filter((k) => k.startsWith(`${e.key}.`)).map((k) => k.slice(e.key.length + 1));
    const entries = isMapping(e.valueNode) ? entriesOf(e.valueNode) : null;
    if (!entries) {
      this.problem(e.valueNode ?? e.keyNode, `\`${e.key}\` in ${this.fileLabel} must be a mapping with the keys ${names.map((n) => `\`${n}\``).join(', ')}, but found ${typeName(e.value)}. Until it is, their defaults apply.`);
      return;
    }
    for (const inner of entries) {
      const dotted = `${e.key}.${inner.key}`;
      if (KEYS[dotted]) this.readKey(dotted, inner, profile);
      else this.unknown(inner.key, inner.keyNode, names, `${e.key}.`);
    }
  }

  private readKey(key: string, e: Entry, profile: RecoveryProfile): void {
    const spec = KEYS[key]!;
    const reason = spec.check(e.value);
    if (reason !== null) {
      this.wrong(key, spec, reason, e.valueNode ?? e.keyNode);
      return;
    }
    spec.set(profile, e.value);
    if (key === 'default_strategy' && !KNOWN_STRATEGIES.includes(e.value as string)) {
      this.problem(e.valueNode, `\`default_strategy\` in ${this.fileLabel} is \`${String(e.value)}\`, which is not a dbt incremental strategy dbt-clickhouse knows (${KNOWN_STRATEGIES.join(', ')}).${didYouMean(String(e.value), KNOWN_STRATEGIES)} It is used as written.`, 'warning');
    }
    if (key === 'hooks.required_settings' && (e.value as unknown[]).length === 0) {
      this.problem(e.valueNode, `\`hooks.required_settings\` in ${this.fileLabel} is empty, so any pre-hook satisfies refill-append-hooks. List the settings the spill-to-disk hooks must set, or turn the rule off under \`rules:\`.`, 'warning');
    }
  }

  private readRules(e: Entry, profile: RecoveryProfile): void {
    const entries = isMapping(e.valueNode) ? entriesOf(e.valueNode) : null;
    if (!entries) {
      this.problem(e.valueNode ?? e.keyNode, `\`rules\` in ${this.fileLabel} must be a mapping of rule id to severity (such as \`heavy-model-untagged: warning\`), but found ${typeName(e.value)}. Every rule keeps its default severity.`);
      return;
    }
    for (const r of entries) {
      if (!(RULE_IDS as readonly string[]).includes(r.key)) {
        this.problem(r.keyNode, `\`rules.${r.key}\` in ${this.fileLabel}: there is no rule \`${r.key}\`.${didYouMean(r.key, RULE_IDS)} The rules are ${RULE_IDS.join(', ')} (docs/rules/README.md).`);
        continue;
      }
      // YAML 1.1 habits: `off: false`-style booleans read as false/true here.
      const value = r.value === false ? 'off' : r.value;
      if (typeof value !== 'string' || !(SEVERITIES as readonly string[]).includes(value)) {
        const hint = typeof r.value === 'string' ? didYouMean(r.value, SEVERITIES) : '';
        this.problem(r.valueNode ?? r.keyNode, `\`rules.${r.key}\` in ${this.fileLabel} must be one of ${SEVERITIES.join(', ')}, but found ${typeName(r.value)}.${hint} Until it is, the rule keeps its default severity.`);
        continue;
      }
      profile.rules[r.key as RuleId] = value as Severity;
    }
  }
}

function describeDefault(key: string): string {
  const d = DEFAULT_PROFILE;
  const values: Record<string, unknown> = {
    version: 1,
    refill_tag: d.refillTag,
    'hooks.pre_hook_macro': d.hooks.preHookMacro,
    'hooks.post_hook_macro': d.hooks.postHookMacro,
    'hooks.required_settings': d.hooks.requiredSettings,
    'vars.start_month': d.vars.startMonth,
    'vars.end_month': d.vars.endMonth,
    'vars.incremental_end_date': d.vars.incrementalEndDate,
    'vars.lookback_days': d.vars.lookbackDays,
    price_root: d.priceRoot,
    lookback_macro: d.lookbackMacro,
    default_strategy: d.defaultStrategy,
    'heavy.run_seconds': d.heavy.runSeconds,
    large_run_seconds: d.largeRunSeconds,
  };
  const v = values[key];
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

function rangeFrom(lines: LineCounter, start: number, end: number): Range {
  const a = lines.linePos(start);
  const b = lines.linePos(end);
  return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
}

/**
 * Reads the text of a dbt-recovery.yml (null: the project has none) over the defaults, then `options.overrides`.
 * `file` names the file in problems.
 */
export function parseRecoveryProfile(textOrNull: string | null, file: string, options: ProfileOptions = {}): LoadedProfile {
  const profile = cloneProfile(DEFAULT_PROFILE);
  const problems: ProfileProblem[] = [];
  const label = path.basename(file);
  if (textOrNull !== null) {
    const lines = new LineCounter();
    const doc = parseDocument(textOrNull, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const locate: Locate = (node) => {
      const r = (node as YamlNode | null)?.range;
      return r ? rangeFrom(lines, r[0], r[1]) : null;
    };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const [start, end] = err.pos;
        problems.push({
          file,
          range: rangeFrom(lines, start, Math.max(end, start)),
          message: `${label} is not valid YAML: ${err.message.split('\n')[0]}. Every setting keeps its default until the file parses; fix the YAML (docs/recovery-profile.md shows the format).`,
          severity: 'error',
        });
      }
    } else {
      const reader = new Reader(file, locate, label);
      reader.read(doc.contents, profile);
      problems.push(...reader.problems);
    }
  }
  if (options.overrides !== undefined && options.overrides !== null) {
    const overridesLabel = options.overridesLabel ?? DEFAULT_OVERRIDES_LABEL;
    const reader = new Reader(overridesLabel, () => null, overridesLabel);
    reader.read(options.overrides, profile);
    problems.push(...reader.problems);
  }
  return { profile, problems, file: textOrNull === null ? null : file };
}

/**
 * Reads `<projectRoot>/dbt-recovery.yml` (none: the defaults) over DEFAULT_PROFILE, then the overrides. An
 * unreadable file is a problem, not an exception.
 */
export function loadRecoveryProfile(projectRoot: string, options: ProfileOptions = {}): LoadedProfile {
  const file = path.join(path.resolve(projectRoot), PROFILE_FILE);
  let content: string | null = null;
  const problems: ProfileProblem[] = [];
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      problems.push({ file, range: null, message: `${PROFILE_FILE} cannot be read (${(err as Error).message}). Every setting keeps its default; check the file's permissions.`, severity: 'error' });
    }
  }
  const loaded = parseRecoveryProfile(content, file, options);
  return { ...loaded, problems: [...problems, ...loaded.problems] };
}

/** `path/dbt-recovery.yml:3:5: message` (1-based, as editors and compilers print it), or `label: message`. */
export function formatProfileProblem(p: ProfileProblem): string {
  const where = p.range ? `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}` : p.file;
  return `${where}: ${p.severity}: ${p.message}`;
}
