/**
 * Findings, fixes and model facts from the core, turned into LSP shapes. Pure functions: tested without a client.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { ModelInfo, ModelRole } from '../core/lint/linter';
import type { ProfileProblem } from '../core/lint/profile/loadRecoveryProfile';
import type { Finding, FindingSeverity, Fix } from '../core/lint/types';
import { COMMANDS } from '../protocol/commands';

export const SOURCE = 'dbt Recovery';

/** What a diagnostic carries so that a code action needs no side cache (HOUSE_STYLE: the fix in Diagnostic.data). */
export interface DiagnosticData {
  root: string;
  uniqueId: string | null;
  fix: Fix | null;
}

const SEVERITY: Record<FindingSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Where each rule's page is: docs/rules/<id>.md in the installed extension. */
export function ruleDocUri(extensionRoot: string | null, ruleId: string): string | undefined {
  return extensionRoot ? pathToFileURL(path.join(extensionRoot, 'docs', 'rules', `${ruleId}.md`)).toString() : undefined;
}

export function findingToDiagnostic(f: Finding, root: string, extensionRoot: string | null): Diagnostic {
  const href = ruleDocUri(extensionRoot, f.ruleId);
  const data: DiagnosticData = { root, uniqueId: f.uniqueId, fix: f.fix };
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.ruleId,
    ...(href ? { codeDescription: { href } } : {}),
    message: f.message,
    data,
  };
}

export function profileProblemToDiagnostic(p: ProfileProblem): Diagnostic {
  const start = { line: 0, character: 0 };
  return {
    range: p.range ?? { start, end: start },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    code: 'recovery-profile',
    message: p.message,
  };
}

/** A quiet hint on a model file when there is no manifest: only the source rules could run. */
export function noManifestDiagnostic(message: string): Diagnostic {
  const start = { line: 0, character: 0 };
  return {
    range: { start, end: start },
    severity: DiagnosticSeverity.Hint,
    source: SOURCE,
    code: 'no-manifest',
    message,
  };
}

function isData(v: unknown): v is DiagnosticData {
  return typeof v === 'object' && v !== null && typeof (v as DiagnosticData).root === 'string' && 'fix' in v;
}

export function fixToWorkspaceEdit(fix: Fix, root: string): WorkspaceEdit {
  const changes: NonNullable<WorkspaceEdit['changes']> = {};
  for (const change of fix.changes) {
    changes[pathToFileURL(path.join(root, change.file)).toString()] = change.edits.map((e) => ({ range: e.range, newText: e.newText }));
  }
  return { changes };
}

/** Quick fixes for the diagnostics of a code-action request that carry one. */
export function quickFixes(diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== SOURCE || !isData(d.data) || !d.data.fix) continue;
    actions.push({
      title: d.data.fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: fixToWorkspaceEdit(d.data.fix, d.data.root),
    });
  }
  return actions;
}

const ROLE_TEXT: Record<ModelRole, string> = {
  'refill-cohort': 'refill cohort: Phase 1 rewrites its months in append mode, then `OPTIMIZE ... FINAL DEDUPLICATE`',
  'price-lineage': 'price lineage consumer: Phase 2 re-reads a widened lookback',
  'downstream-of-cohort': 'downstream of the refill cohort: Phase 3 rebuilds it',
};

function seconds(s: number): string {
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** The hover of a model: its recovery role, lineage counts and last run. */
export function modelHoverMarkdown(info: ModelInfo): string {
  const lines = [`**${info.name}**: dbt Recovery`, ''];
  if (!info.uniqueId) {
    lines.push('Not in the manifest yet: run `dbt parse` to see its recovery role and lineage.');
    return lines.join('\n');
  }
  if (info.roles.length === 0) lines.push('Recovery role: none (outside the price lineage and the refill cohort).');
  else for (const r of info.roles) lines.push(`- ${ROLE_TEXT[r]}`);
  lines.push('', `Upstream: ${info.upstream} model${info.upstream === 1 ? '' : 's'} · downstream: ${info.downstream} model${info.downstream === 1 ? '' : 's'}`);
  if (info.lastRun) {
    const when = info.lastRun.completedAt ? ` at ${info.lastRun.completedAt.replace('T', ' ').replace(/\.\d+Z?$/, '').replace(/Z$/, '')} UTC` : '';
    lines.push(`Last run: ${info.lastRun.status} in ${seconds(info.lastRun.executionTime)}${when}`);
    if (info.lastRun.message && info.lastRun.status !== 'success') lines.push('', '```', info.lastRun.message.slice(0, 400), '```');
  } else {
    lines.push('Last run: not in run_results.json');
  }
  return lines.join('\n');
}

export function modelHover(info: ModelInfo, range: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: modelHoverMarkdown(info) }, range };
}

/** Lenses at the top of a model file: the recovery workflows that apply to it. */
export function modelCodeLenses(info: ModelInfo, uri: string): CodeLens[] {
  const top: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const lenses: CodeLens[] = [];
  if (info.roles.includes('refill-cohort') || info.roles.includes('price-lineage')) {
    lenses.push({ range: top, command: { title: 'Refill after price gap…', command: COMMANDS.refillAfterPriceGap, arguments: [uri] } });
  }
  lenses.push({ range: top, command: { title: 'Plan dev build…', command: COMMANDS.planDevBuild, arguments: [uri] } });
  return lenses;
}
