import type { RecoveryProfile } from '../profile/recoveryProfile';
import { incrementalFilters, type IncrementalFilter } from '../source/incrementalFilters';
import { maskedSql } from '../source/maskedSql';
import { monthFilterBranch } from '../source/monthFilterBranch';
import { readConfigValue } from '../source/readConfigValue';
import type { ModelSource } from '../source/types';
import type { Fix } from '../types';
import { eolOf, indentBefore, insertAtTop, lineIndent, toTextEdit, type OffsetEdit } from './configEdits';

/**
 * Wraps the model's incremental filter (each lookback macro call, else each `{% if is_incremental() %}` filter
 * block) in the month-refill branch:
 *
 *     {% if start_month and end_month %}
 *       AND toStartOfMonth(<date>) >= toDate('{{ start_month }}')
 *       AND toStartOfMonth(<date>) <= toDate('{{ end_month }}')
 *     {% else %}
 *       <the original filter>
 *     {% endif %}
 *
 * `<date>` is the macro's source field (else the column the block compares, else `partition_by`'s column);
 * `WHERE` replaces the first `AND` when the original filter opens the WHERE clause. The month locals are set from
 * `var()` after the config block unless the model already has them. Null when the model has the branch already,
 * has no incremental filter, or no date column can be told.
 */
export function monthFilterFix(src: ModelSource, file: string, profile: RecoveryProfile): Fix | null {
  const { startMonth, endMonth } = profile.vars;
  if (monthFilterBranch(src, profile.vars) !== null) return null;
  const filters = incrementalFilters(src, profile.lookbackMacro);
  const macroFilters = filters.filter((f) => f.kind === 'lookback-macro');
  const targets = macroFilters.length > 0 ? macroFilters : filters;
  if (targets.length === 0) return null;

  const { text } = src;
  const eol = eolOf(text);
  const localOf = (varName: string): string | null => {
    if (src.varAliases.get(varName) === varName) return varName;
    for (const [local, v] of src.varAliases) if (v === varName) return local;
    return null;
  };
  const startLocal = localOf(startMonth);
  const endLocal = localOf(endMonth);
  const sm = startLocal ?? startMonth;
  const em = endLocal ?? endMonth;

  const edits: OffsetEdit[] = [];
  const sets = [
    startLocal === null ? `{% set ${sm} = var('${startMonth}', none) %}` : null,
    endLocal === null ? `{% set ${em} = var('${endMonth}', none) %}` : null,
  ].filter((s): s is string => s !== null);
  const first = targets[0] as IncrementalFilter;
  if (sets.length > 0) {
    const config = src.config;
    if (config !== null && config.blockSpan.end <= first.span.start) {
      const at = config.blockSpan.end;
      const after = text.slice(at, at + 200);
      const tail = /^[ \t]*\r?\n[ \t]*(\r?\n|$)/.test(after) ? '' : /^[ \t]*(\r?\n|$)/.test(after) ? eol : eol + eol;
      edits.push({ start: at, end: at, newText: eol + eol + sets.join(eol) + tail });
    } else {
      // The locals must be set before the filter reads them.
      edits.push(insertAtTop(src, sets.join(eol)));
    }
  }

  for (const target of targets) {
    const column = dateColumn(src, target);
    if (column === null) return null;
    const keyword = opensWhere(src, target) ? 'WHERE' : 'AND';
    const own = indentBefore(text, target.span.start);
    const indent = own ?? lineIndent(text, target.span.start);
    const original = text.slice(target.span.start, target.span.end);
    const unit = indent.includes('\t') || /\n\t/.test(original) ? '\t' : '  ';
    const body = original.replace(/(\r?\n)([^\r\n])/g, `$1${unit}$2`);
    const lines = [
      `{% if ${sm} and ${em} %}`,
      `${indent}${unit}${keyword} toStartOfMonth(${column}) >= toDate('{{ ${sm} }}')`,
      `${indent}${unit}AND toStartOfMonth(${column}) <= toDate('{{ ${em} }}')`,
      `${indent}{% else %}`,
      `${indent}${unit}${body}`,
      `${indent}{% endif %}`,
    ];
    edits.push({ start: target.span.start, end: target.span.end, newText: lines.join(eol) });
  }
  return {
    kind: 'month-filter',
    title: `Add the ${startMonth}/${endMonth} branch to the incremental filter`,
    changes: [{ file, edits: edits.map((e) => toTextEdit(src, e)) }],
  };
}

/** The date the month branch filters on, as SQL. */
function dateColumn(src: ModelSource, target: IncrementalFilter): string | null {
  if (target.call !== undefined) {
    const [first] = target.call.args;
    const arg = first === undefined ? undefined : first.replace(/^source_field\s*=\s*/, '');
    const named = target.call.args.find((a) => /^source_field\s*=/.test(a))?.replace(/^source_field\s*=\s*/, '');
    const v = readConfigValue(named ?? arg ?? '');
    if (v.kind === 'string' && v.value.trim() !== '') return v.value.trim();
  }
  if (target.block !== undefined) {
    const body = maskedSql(src).slice(target.block.thenSpan.start, target.block.thenSpan.end);
    const m = /^\s*(?:where|and|or)\s+([A-Za-z_][\w.]*(?:\([^()\r\n]*\))?)\s*(?:>=|>|=|between\b)/i.exec(body);
    if (m !== null) return m[1] as string; // masked SQL keeps identifiers and parentheses as written
  }
  const partition = src.kwarg('partition_by')?.value;
  if (partition?.kind === 'string') {
    const p = partition.value.trim();
    const m = /^(?:toStartOfMonth|toYYYYMM|toMonday|toDate|toStartOfYear)\(\s*([A-Za-z_][\w.]*)\s*\)$/.exec(p);
    if (m !== null) return m[1] as string;
    if (/^[A-Za-z_][\w.]*$/.test(p)) return p;
  }
  return null;
}

/** Whether the original filter starts the WHERE clause (so the branch says WHERE, not AND). */
function opensWhere(src: ModelSource, target: IncrementalFilter): boolean {
  if (target.block !== undefined) {
    return /^\s*where\b/i.test(maskedSql(src).slice(target.block.thenSpan.start, target.block.thenSpan.end));
  }
  const args = target.call?.args ?? [];
  const named = args.find((a) => /^add_and\s*=/.test(a));
  const positional = args.filter((a) => !/^[A-Za-z_]\w*\s*=(?!=)/.test(a))[2];
  const raw = named !== undefined ? named.replace(/^add_and\s*=\s*/, '') : positional;
  if (raw === undefined) return true; // add_and defaults to false: the macro writes WHERE
  const v = readConfigValue(raw);
  switch (v.kind) {
    case 'bool':
      return !v.value;
    case 'none':
      return true;
    case 'string':
      return v.value === ''; // Jinja truthiness: any non-empty string, 'false' included, means AND
    case 'number':
      return v.value === 0;
    default: {
      // Unknown at parse time: AND when a WHERE already precedes the call in its SELECT.
      let lastWhere = -1;
      let lastClause = -1;
      for (const m of maskedSql(src).slice(0, target.span.start).matchAll(/\b(where|from|select)\b/gi)) {
        if ((m[1] as string).toLowerCase() === 'where') lastWhere = m.index;
        else lastClause = m.index;
      }
      return lastWhere < lastClause;
    }
  }
}
