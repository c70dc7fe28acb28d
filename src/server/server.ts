import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DocumentDiagnosticReportKind,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { selectNodes, SelectorError } from '../core/graph';
import { PROFILE_FILE } from '../core/lint/profile/loadRecoveryProfile';
import { DEFAULT_PROFILE } from '../core/lint/profile/recoveryProfile';
import { planDevBuild, planPriceGap, PlanError, renderPlanText, todayUtc } from '../core/plan';
import { describe as describeTarget, loadWarehouseTarget, ProfileError } from '../core/profiles';
import {
  planDevBuildRequest,
  planPriceGapRequest,
  type PlanDevBuildParams,
  type PlanPriceGapParams,
  type PlanPriceGapResult,
  projectStatusNotification,
  reloadRequest,
  selectNodesRequest,
  type ProjectStatusParams,
  type SelectNodesParams,
  type SelectNodesResult,
} from '../protocol/projectStatus';
import { DEFAULT_SERVER_SETTINGS, readServerSettings, type ServerSettings } from '../protocol/settings';
import { hoverAt } from './hoverAt';
import { findingToDiagnostic, modelCodeLenses, noManifestDiagnostic, profileProblemToDiagnostic, quickFixes } from './lspConvert';
import { ProjectLint } from './projectLint';
import { WorkspaceProjects } from './workspaceProjects';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let folders: string[] = [];
let canReadConfiguration = false;
let canWatchFolders = false;
/** The installed extension's folder (for links to the rule docs it ships), from initializationOptions. */
let extensionRoot: string | null = null;

async function settingsFor(root: string): Promise<ServerSettings> {
  if (!canReadConfiguration) return DEFAULT_SERVER_SETTINGS;
  const value: unknown = await connection.workspace.getConfiguration({
    scopeUri: pathToFileURL(root).toString(),
    section: 'dbtRecovery',
  });
  return readServerSettings(value);
}

const projects = new WorkspaceProjects(settingsFor);
const lints = new Map<string, ProjectLint>();

function openText(absFile: string): string | null {
  return documents.get(pathToFileURL(absFile).toString())?.getText() ?? null;
}

/** The project's linter, made on first use and kept while its project is; null when lint is off or unreadable. */
function lintOf(root: string): ProjectLint | null {
  const project = projects.project(root);
  if (!project || projects.settings(root)?.lintEnabled === false) return null;
  let lint = lints.get(root);
  if (!lint || lint.project !== project) {
    lint = new ProjectLint(project, {
      manifest: () => projects.manifest(root),
      overrides: () => projects.settings(root)?.recoveryProfile ?? null,
      openText,
    });
    lints.set(root, lint);
  }
  return lint;
}

/** Bumped whenever findings may have changed; a file's workspace result id is this generation, so a client
 * asking again about an unchanged file gets "unchanged". */
let resultGeneration = 0;

/** Something the findings depend on changed: have the client pull diagnostics (and lenses) again. */
let refreshScheduled = false;
function refreshDiagnostics(): void {
  resultGeneration++;
  if (refreshScheduled) return;
  refreshScheduled = true;
  queueMicrotask(() => {
    refreshScheduled = false;
    // A client may not support these refreshes; a refused request must not take the server down.
    connection.languages.diagnostics.refresh().catch(() => undefined);
    connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });
}

function publish(): void {
  const params: ProjectStatusParams = { projects: projects.statuses() };
  for (const p of params.projects) connection.console.log(`[${p.name}] ${p.kind}: ${p.message}`);
  for (const root of [...lints.keys()]) if (!projects.project(root)) lints.delete(root);
  void connection.sendNotification(projectStatusNotification, params);
  refreshDiagnostics();
}

/** File events arrive in bursts while dbt writes target/; one re-read per project per burst is enough. */
const pending = new Map<string, NodeJS.Timeout>();
function scheduleRefresh(root: string): void {
  clearTimeout(pending.get(root));
  pending.set(
    root,
    setTimeout(() => {
      pending.delete(root);
      void projects.refresh(root).then(publish);
    }, 150),
  );
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canReadConfiguration = params.capabilities.workspace?.configuration === true;
  canWatchFolders = params.capabilities.workspace?.workspaceFolders === true;
  const init = params.initializationOptions as { extensionRoot?: unknown } | undefined;
  extensionRoot = typeof init?.extensionRoot === 'string' ? init.extensionRoot : null;
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      // A manifest change touches every model's findings, hence interFileDependencies.
      diagnosticProvider: { identifier: 'dbtRecovery', interFileDependencies: true, workspaceDiagnostics: true },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'dbt Recovery' },
  };
});

connection.onInitialized(() => {
  if (canReadConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
  if (canWatchFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => fileURLToPath(f.uri)));
      folders = folders.filter((f) => !removed.has(f)).concat(e.added.map((f) => fileURLToPath(f.uri)));
      void projects.discover(folders).then(publish);
    });
  }
  void projects.discover(folders).then(publish);
});

connection.onDidChangeConfiguration(() => {
  for (const lint of lints.values()) lint.invalidate();
  void projects.refreshAll().then(publish);
});

connection.onDidChangeWatchedFiles((e) => {
  let rediscover = false;
  let changed = false;
  for (const change of e.changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = fileURLToPath(change.uri);
    const base = path.basename(file);
    if (base === 'dbt_project.yml') rediscover = true;
    const root = projects.affectedBy(file);
    if (!root) continue;
    const lint = lints.get(root);
    if (base === 'run_results.json' || base === PROFILE_FILE) lint?.invalidate();
    else if (/\.(sql|ya?ml)$/i.test(base)) lint?.fileChanged();
    changed = true;
    scheduleRefresh(root);
  }
  if (rediscover) void projects.discover(folders).then(publish);
  else if (changed) refreshDiagnostics();
});

connection.onRequest(reloadRequest, async () => {
  for (const lint of lints.values()) lint.invalidate();
  await projects.refreshAll();
  publish();
  return { projects: projects.statuses() };
});

connection.onRequest(selectNodesRequest, (params: SelectNodesParams): SelectNodesResult => {
  const roots = projects.roots();
  const root = params.root ? projects.projectOf(params.root) : roots.length === 1 ? roots[0]! : null;
  if (!root) {
    return { ok: false, message: roots.length === 0 ? 'No dbt project in this workspace.' : 'Several dbt projects: say which one.' };
  }
  const manifest = projects.manifest(root);
  if (!manifest) {
    const status = projects.statuses().find((s) => s.root === root);
    return { ok: false, message: status?.message ?? `No manifest loaded for ${root}.` };
  }
  try {
    const selection = selectNodes(manifest, {
      select: params.select,
      exclude: params.exclude,
      resourceTypes: params.resourceTypes,
    });
    const nodes = selection.ids.flatMap((id) => {
      const n = manifest.nodes.get(id);
      if (!n) return [];
      // Only nodes with their own file (models, seeds, snapshots, tests) can be opened; yml-defined ones cannot.
      const hasOwnFile = /\.(sql|py|csv)$/i.test(n.originalFilePath) && n.packageName === manifest.metadata.projectName;
      return [{ uniqueId: id, name: n.name, resourceType: n.resourceType, file: hasOwnFile ? path.join(root, n.originalFilePath) : null }];
    });
    return { ok: true, root, nodes, warnings: selection.warnings };
  } catch (err) {
    if (err instanceof SelectorError) return { ok: false, message: err.message };
    throw err;
  }
});

// ---- recovery-readiness lint ----------------------------------------------------------------------------------

function textOf(uri: string, file: string): string | null {
  const open = documents.get(uri);
  if (open) return open.getText();
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function diagnosticsFor(uri: string): Diagnostic[] {
  if (!uri.startsWith('file:')) return [];
  const file = fileURLToPath(uri);
  const root = projects.projectOf(file);
  const lint = root ? lintOf(root) : null;
  if (!root || !lint) return [];
  if (path.basename(file) === PROFILE_FILE && path.dirname(file) === root) {
    return lint.profile.problems.filter((p) => p.file === file).map(profileProblemToDiagnostic);
  }
  if (!/\.(sql|ya?ml)$/i.test(file)) return [];
  const text = textOf(uri, file);
  if (text === null) return [];
  const findings = lint.lintDocument(file, text);
  const diagnostics = findings.map((f) => findingToDiagnostic(f, root, extensionRoot));
  const linter = lint.get();
  if (linter.needsParse && file.endsWith('.sql') && linter.modelInfo(file)) {
    const notice = linter.notices.find((n) => n.code === 'no-manifest');
    if (notice) diagnostics.push(noManifestDiagnostic(notice.message));
  }
  return diagnostics;
}

connection.languages.diagnostics.on((params) => ({
  kind: DocumentDiagnosticReportKind.Full,
  items: diagnosticsFor(params.textDocument.uri),
}));

connection.languages.diagnostics.onWorkspace((params) => {
  const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
  const resultId = String(resultGeneration);
  const items: WorkspaceDocumentDiagnosticReport[] = [];
  for (const root of projects.roots()) {
    const lint = lintOf(root);
    if (!lint) continue;
    const reports = new Map<string, Diagnostic[]>();
    for (const [file, findings] of lint.lintAll()) {
      reports.set(pathToFileURL(path.join(root, file)).toString(), findings.map((f) => findingToDiagnostic(f, root, extensionRoot)));
    }
    for (const p of lint.profile.problems) {
      if (!path.isAbsolute(p.file)) continue;
      const uri = pathToFileURL(p.file).toString();
      reports.set(uri, [...(reports.get(uri) ?? []), profileProblemToDiagnostic(p)]);
    }
    for (const [uri, diagnostics] of reports) {
      if (documents.get(uri)) continue; // open documents are pulled one by one, with their live text
      if (previous.get(uri) === resultId) items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId });
      else items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId, items: diagnostics });
    }
  }
  return { items };
});

documents.onDidChangeContent(() => {
  // The edited file is re-linted when the client pulls its diagnostics; other files' findings can depend on it
  // (a config moved between a model and its yml), so their workspace results are renewed too.
  resultGeneration++;
});

connection.onCodeAction((params) => quickFixes(params.context.diagnostics));

connection.onHover((params) => {
  const uri = params.textDocument.uri;
  if (!uri.startsWith('file:')) return null;
  const file = fileURLToPath(uri);
  const root = projects.projectOf(file);
  const lint = root ? lintOf(root) : null;
  const text = documents.get(uri)?.getText();
  if (!root || !lint || text === undefined) return null;
  return hoverAt(lint.get(), file, text, params.position);
});

connection.onCodeLens((params) => {
  const uri = params.textDocument.uri;
  if (!uri.startsWith('file:') || !uri.endsWith('.sql')) return [];
  const file = fileURLToPath(uri);
  const root = projects.projectOf(file);
  const lint = root ? lintOf(root) : null;
  const info = lint?.get().modelInfo(file);
  return info ? modelCodeLenses(info, uri) : [];
});

connection.onRequest(planPriceGapRequest, (params: PlanPriceGapParams): PlanPriceGapResult => {
  const file = params.model.startsWith('file:') ? fileURLToPath(params.model) : params.model;
  const root = projects.projectOf(file);
  const project = root ? projects.project(root) : null;
  if (!root || !project) return { ok: false, message: `${file} is not in a dbt project of this workspace.` };
  const manifest = projects.manifest(root);
  if (!manifest) {
    const status = projects.statuses().find((s) => s.root === root);
    return { ok: false, message: `No manifest for ${project.name}: ${status?.message ?? 'run `dbt parse` first.'}` };
  }
  const lint = lintOf(root);
  const linter = lint?.get();
  let connectionLabel: string | undefined;
  try {
    // dbt looks in its working folder for profiles.yml: in the editor that is the project's folder.
    connectionLabel = describeTarget(loadWarehouseTarget({ projectDir: root, cwd: root }));
  } catch (err) {
    connection.console.warn(`[${project.name}] profiles.yml: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const plan = planPriceGap({
      project,
      manifest,
      profile: linter?.profile ?? lint?.profile.profile ?? DEFAULT_PROFILE,
      fromDate: params.fromDate,
      lookbackDays: params.lookbackDays,
      today: params.today ?? todayUtc(),
      dbtCommand: params.dbtCommand,
      clearMonthFor: params.clearMonthFor,
      connection: connectionLabel,
      lint: lint ? [...lint.lintAll().values()].flat() : [],
    });
    return { ok: true, root, plan, text: renderPlanText(plan) };
  } catch (err) {
    if (err instanceof PlanError) return { ok: false, message: err.message };
    throw err;
  }
});

connection.onRequest(planDevBuildRequest, (params: PlanDevBuildParams): PlanPriceGapResult => {
  const file = params.model.startsWith('file:') ? fileURLToPath(params.model) : params.model;
  const root = projects.projectOf(file);
  const project = root ? projects.project(root) : null;
  if (!root || !project) return { ok: false, message: `${file} is not in a dbt project of this workspace.` };
  const manifest = projects.manifest(root);
  if (!manifest) return { ok: false, message: `No manifest for ${project.name}: run \`dbt parse\` first.` };
  const lint = lintOf(root);
  const info = lint?.get().modelInfo(file);
  try {
    // dbt looks in its working folder for profiles.yml: in the editor that is the project's folder.
    const dev = loadWarehouseTarget({ projectDir: root, cwd: root, target: params.devTarget });
    const prod = loadWarehouseTarget({ projectDir: root, cwd: root, target: params.prodTarget ?? 'prod' });
    const plan = planDevBuild({
      project,
      manifest,
      dev,
      prod,
      model: info?.uniqueId ?? file,
      mode: params.mode,
      backfillDate: params.backfillDate,
      backfillColumns: params.backfillColumns,
      today: params.today ?? todayUtc(),
      dbtCommand: params.dbtCommand,
    });
    return { ok: true, root, plan, text: renderPlanText(plan) };
  } catch (err) {
    if (err instanceof PlanError || err instanceof ProfileError) return { ok: false, message: err.message };
    throw err;
  }
});

documents.listen(connection);
connection.listen();
