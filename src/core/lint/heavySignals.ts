/**
 * Why a model looks heavy: the evidence `heavy-model-untagged` reports and `full-refresh-unprotected` uses to call a
 * model large. Each signal has a precise, testable criterion (docs/rules/heavy-model-untagged.md):
 *
 * - SQL: a window function, `uniqExact`, `countDistinct`, `count(DISTINCT ...)` (heavyEvidence of the source);
 * - SQL: a GROUP BY over a month of source: one of its keys is a month bucket (`toStartOfMonth(...)`/`toYYYYMM(...)`,
 *   written out, as an alias of one in the SELECT list, or as the ordinal of one) and none is a finer time bucket
 *   (`toDate`, `toStartOfDay`, `toStartOfHour`, `toStartOfWeek`...): every run recomputes whole-month groups, so it
 *   reads the whole current month of its source;
 * - SQL: delete+insert over a multi-day lookback: the strategy is delete+insert, the model aggregates (GROUP BY) and
 *   its own incremental filter reaches back at least 2 days (the lookback macro's `lookback_days` argument, or an
 *   `INTERVAL n DAY` / `subtractDays(x, n)` inside an `is_incremental()` block), so every run's ALTER TABLE DELETE
 *   mutation spans days of a big GROUP BY;
 * - run_results.json: the last run took at least `heavy.run_seconds`, or failed with Code: 241 / Code: 341.
 */
import { heavyEvidence } from './source/heavyEvidence';
import { incrementalFilters } from './source/incrementalFilters';
import { maskedSql } from './source/maskedSql';
import type { ModelSource } from './source/types';
import type { LintContext, ModelContext } from './types';
import { configOf } from './modelConfig';

export type HeavySignalKind =
  | 'window-function'
  | 'uniqExact'
  | 'countDistinct'
  | 'count-distinct'
  | 'month-group-by'
  | 'delete-insert-lookback'
  | 'run-time'
  | 'memory-error';

export interface HeavySignal {
  kind: HeavySignalKind;
  /** What a message shows: `uniqExact(address)`, `GROUP BY month (a month bucket)`, `last run 412 s`. */
  text: string;
}

const STRICT_MONTH = /^(?:toStartOfMonth|toYYYYMM|toStartOfQuarter|toStartOfYear|toYear)\s*\(/i;
const FINER_BUCKET = /^(?:toDate|toDate32|toDateTime|toDateTime64|toStartOfDay|toStartOfHour|toStartOfMinute|toStartOfWeek|toMonday|toStartOfInterval|toYYYYMMDD|date_trunc\s*\(\s*'(?:day|hour|week|minute))\b/i;
const CLAUSE_END = /^(?:WHERE|FROM|SELECT|JOIN|HAVING|ORDER\s+BY|LIMIT|WINDOW|SETTINGS|UNION|QUALIFY|WITH\s+(?:ROLLUP|CUBE|TOTALS)|FORMAT|INTO)\b/i;

/** Splits `text` at commas outside brackets and quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(text.slice(from).trim());
  return out.filter((s) => s !== '');
}

/** The text of the clause starting at `start` up to its end at the same bracket depth. */
function clauseAt(code: string, start: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (depth === 0) return code.slice(start, i);
      depth--;
    } else if (depth === 0) {
      if (c === ';') return code.slice(start, i);
      if (/\s/.test(code[i - 1] ?? ' ') && CLAUSE_END.test(code.slice(i, i + 20))) return code.slice(start, i);
    }
  }
  return code.slice(start);
}

/** The SELECT list of the query a GROUP BY at `groupBy` belongs to: the nearest SELECT before it at its depth. */
function selectListBefore(code: string, groupBy: number): string[] {
  let depth = 0;
  for (let i = groupBy - 1; i >= 0; i--) {
    const c = code[i];
    if (c === ')') depth++;
    else if (c === '(') {
      if (depth === 0) return [];
      depth--;
    } else if (depth === 0 && (c === 'S' || c === 's') && /^SELECT\b/i.test(code.slice(i, i + 7)) && !/\w/.test(code[i - 1] ?? ' ')) {
      const from = i + 6;
      const m = /\bFROM\b/i.exec(clauseUntilFrom(code, from));
      return splitTopLevel(m ? code.slice(from, from + m.index) : '');
    }
  }
  return [];
}

function clauseUntilFrom(code: string, from: number): string {
  let depth = 0;
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^FROM\b/i.test(code.slice(i, i + 5)) && !/\w/.test(code[i - 1] ?? ' ')) return code.slice(from, i + 4);
  }
  return '';
}

/** `expr AS alias` -> [expr, alias]; a bare expression -> [expr, null]. */
function splitAlias(item: string): [string, string | null] {
  const m = /^([\s\S]*?)\s+AS\s+`?(\w+)`?\s*$/i.exec(item);
  return m ? [m[1]!.trim(), m[2]!] : [item.trim(), null];
}

/** A column that holds a day or a finer time: `date`, `day`, `dt`, `*_date`, `*_day`, `*_timestamp`, `*_at`. */
const TIME_COLUMN = /^(?:\w+\.)?(?:date|day|dt|hour|ts|timestamp|\w+_date|\w+_day|\w+_hour|\w+_timestamp|\w+_at)$/i;

export interface MonthGroupBy {
  /** `GROUP BY month, token_address`. */
  text: string;
  /** The month bucket it groups by: `toStartOfMonth(date)`. */
  month: string;
}

/** The GROUP BYs of the model's SQL that aggregate whole months (see the criterion at the top of this file). */
export function monthGroupBys(src: ModelSource): MonthGroupBy[] {
  // SQL only: comments, strings and Jinja (the config block, the month branch's tags) blanked.
  const code = maskedSql(src);
  // Aliases defined in the SQL as month buckets or finer time buckets.
  const aliases = new Map<string, { month: boolean; expr: string }>();
  const aliasRe = /\b(toStartOfMonth|toYYYYMM|toStartOfQuarter|toStartOfYear|toYear|toDate|toDate32|toDateTime|toStartOfDay|toStartOfHour|toStartOfWeek|toMonday|toYYYYMMDD)\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s+AS\s+`?(\w+)`?/gi;
  for (let m = aliasRe.exec(code); m; m = aliasRe.exec(code)) {
    const expr = m[0].replace(/\s+AS\s+`?\w+`?$/i, '').replace(/\s+/g, ' ');
    aliases.set(m[2]!.toLowerCase(), { month: STRICT_MONTH.test(`${m[1]!}(`), expr });
  }
  const out: MonthGroupBy[] = [];
  const groupRe = /\bGROUP\s+BY\b/gi;
  for (let m = groupRe.exec(code); m; m = groupRe.exec(code)) {
    const keys = splitTopLevel(clauseAt(code, m.index + m[0].length));
    let select: string[] | null = null;
    let month: string | null = null;
    let finer = false;
    const classify = (expr: string): void => {
      const name = expr.replace(/`/g, '').toLowerCase();
      const alias = aliases.get(name) ?? aliases.get(name.replace(/^\w+\./, ''));
      if (alias) {
        if (alias.month) month ??= alias.expr;
        else finer = true;
      } else if (STRICT_MONTH.test(expr)) month ??= expr.replace(/\s+/g, ' ');
      else if (FINER_BUCKET.test(expr) || TIME_COLUMN.test(name)) finer = true;
    };
    for (const key of keys) {
      if (/^\d+$/.test(key)) {
        select ??= selectListBefore(code, m.index);
        const item = select[Number(key) - 1];
        if (!item) continue;
        const [expr, alias] = splitAlias(item);
        classify(alias && aliases.has(alias.toLowerCase()) ? alias : expr);
      } else classify(key);
    }
    if (month && !finer) out.push({ text: `GROUP BY ${keys.join(', ')}`.replace(/\s+/g, ' '), month });
  }
  return out;
}

/** The longest lookback in days the model's own incremental filter reaches back, or 0. */
export function lookbackDays(src: ModelSource, lookbackMacro: string): number {
  let days = 0;
  for (const f of incrementalFilters(src, lookbackMacro)) {
    if (f.kind === 'lookback-macro' && f.call) {
      // apply_monthly_incremental_filter(source_field, destination_field=None, add_and=False, lookback_days=1)
      for (const [i, arg] of f.call.args.entries()) {
        const kw = /^\s*lookback_days\s*=\s*(\d+)\s*$/.exec(arg);
        const n = kw ? Number(kw[1]) : i === 3 && /^\s*\d+\s*$/.test(arg) ? Number(arg) : 0;
        days = Math.max(days, n);
      }
    } else if (f.kind === 'is-incremental-block' && f.block) {
      const body = src.code.slice(f.block.thenSpan.start, f.block.thenSpan.end);
      const re = /\bINTERVAL\s+'?(\d+)'?\s+DAYS?\b|\bsubtractDays\s*\([^,()]*,\s*(\d+)\s*\)|\btoIntervalDay\s*\(\s*(\d+)\s*\)/gi;
      for (let m = re.exec(body); m; m = re.exec(body)) days = Math.max(days, Number(m[1] ?? m[2] ?? m[3]));
    }
  }
  return days;
}

function hasGroupBy(src: ModelSource): boolean {
  return /\bGROUP\s+BY\b/i.test(maskedSql(src));
}

function seconds(s: number): string {
  return s >= 100 ? `${Math.round(s)} s` : `${Math.round(s * 10) / 10} s`;
}

const memo = new WeakMap<ModelContext, { ctx: LintContext; signals: HeavySignal[] }>();

/** Every reason the model looks heavy, SQL evidence first, in source order; empty when none. Computed once per
 * model context (two rules ask). */
export function heavySignals(model: ModelContext, ctx: LintContext): HeavySignal[] {
  const hit = memo.get(model);
  if (hit && hit.ctx === ctx) return hit.signals;
  const signals = computeHeavySignals(model, ctx);
  memo.set(model, { ctx, signals });
  return signals;
}

/** Every SQL signal below needs one of these words: a model whose text has none skips the masked-SQL analysis
 * (most of the linter's time on a large project). */
const HEAVY_WORDS = /\bover\b|uniqexact|countdistinct|\bdistinct\b|\bgroup\s+by\b/i;

function computeHeavySignals(model: ModelContext, ctx: LintContext): HeavySignal[] {
  const out: HeavySignal[] = [];
  const src = model.source;
  if (src && HEAVY_WORDS.test(src.text)) {
    const seen = new Set<string>();
    for (const e of heavyEvidence(src)) {
      if (e.kind === 'group-by') continue;
      const key = `${e.kind}:${e.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: e.kind, text: e.text });
    }
    for (const g of monthGroupBys(src)) out.push({ kind: 'month-group-by', text: `${g.text} (groups whole months of ${g.month})` });
    const strategy = effectiveStrategy(model, ctx);
    if (strategy === 'delete+insert' && hasGroupBy(src)) {
      const days = lookbackDays(src, ctx.profile.lookbackMacro);
      if (days >= 2) out.push({ kind: 'delete-insert-lookback', text: `delete+insert over a ${days}-day lookback` });
    }
  }
  const run = model.node ? ctx.runResults?.results.get(model.uniqueId) : undefined;
  if (run) {
    if (run.memoryError) {
      const what = run.memoryError.poisonedMutation ? `${run.memoryError.label}, a poisoned mutation` : run.memoryError.label;
      out.push({ kind: 'memory-error', text: `its last run failed with ${what}` });
    }
    if (run.executionTime >= ctx.profile.heavy.runSeconds) {
      out.push({ kind: 'run-time', text: `its last run took ${seconds(run.executionTime)} (heavy from ${ctx.profile.heavy.runSeconds} s)` });
    }
  }
  return out;
}

/**
 * The strategy of the model's ordinary (non-refill) runs: a literal in the source, else the else branch of the
 * three-branch expression (the profile's default strategy), else what the manifest rendered.
 */
export function effectiveStrategy(model: ModelContext, ctx: LintContext): string | null {
  const setting = configOf(model).get('incremental_strategy');
  if (typeof setting.value === 'string') return setting.value;
  if (setting.kwarg && setting.kwarg.value.kind === 'expression') {
    // `'append' if (...) else 'delete+insert'`: the last string literal is the else branch.
    const strings = [...setting.kwarg.valueText.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
    if (strings.length > 0) return strings[strings.length - 1]!;
    return ctx.profile.defaultStrategy;
  }
  return null;
}
