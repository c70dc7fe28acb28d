import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { selectNodes, SelectorError } from '../core/graph';
import {
  projectStatusNotification,
  reloadRequest,
  selectNodesRequest,
  type ProjectStatusParams,
  type SelectNodesParams,
  type SelectNodesResult,
} from '../protocol/projectStatus';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../protocol/settings';
import { WorkspaceProjects } from './workspaceProjects';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let folders: string[] = [];
let canReadConfiguration = false;
let canWatchFolders = false;

async function settingsFor(root: string): Promise<ServerSettings> {
  if (!canReadConfiguration) return DEFAULT_SERVER_SETTINGS;
  const value: unknown = await connection.workspace.getConfiguration({
    scopeUri: pathToFileURL(root).toString(),
    section: 'dbtRecovery',
  });
  const v = (value ?? {}) as Partial<ServerSettings>;
  return { manifestPath: typeof v.manifestPath === 'string' ? v.manifestPath : DEFAULT_SERVER_SETTINGS.manifestPath };
}

const projects = new WorkspaceProjects(settingsFor);

function publish(): void {
  const params: ProjectStatusParams = { projects: projects.statuses() };
  for (const p of params.projects) connection.console.log(`[${p.name}] ${p.kind}: ${p.message}`);
  void connection.sendNotification(projectStatusNotification, params);
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
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
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
  void projects.refreshAll().then(publish);
});

connection.onDidChangeWatchedFiles((e) => {
  let rediscover = false;
  for (const change of e.changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = fileURLToPath(change.uri);
    if (path.basename(file) === 'dbt_project.yml') rediscover = true;
    const root = projects.affectedBy(file);
    if (root) scheduleRefresh(root);
  }
  if (rediscover) void projects.discover(folders).then(publish);
});

connection.onRequest(reloadRequest, async () => {
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

documents.listen(connection);
connection.listen();
