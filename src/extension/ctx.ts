import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { projectStatusNotification, reloadRequest, type ProjectStatus } from '../protocol/projectStatus';
import { Config } from './config';
import { ManifestStatusBar } from './statusBar';
import type { DiffViewPanel } from './webviews/diffViewPanel';
import type { PlanViewPanel } from './webviews/planViewPanel';

/**
 * Owns everything the extension creates: every registration goes through `ctx.push`/`ctx.on`, so deactivation
 * disposes all of it. Also holds the language client and the latest project statuses.
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  readonly log: vscode.LogOutputChannel;
  readonly statusBar: ManifestStatusBar;
  private client: LanguageClient | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusEmitter = new vscode.EventEmitter<ProjectStatus[]>();
  /** Fires with every status the server publishes. */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private statuses: ProjectStatus[] = [];
  private readonly planViews = new Set<PlanViewPanel>();
  private readonly diffViews = new Set<DiffViewPanel>();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = this.push(vscode.window.createOutputChannel('dbt Recovery', { log: true }));
    this.push(this.statusEmitter);
    this.statusBar = this.push(new ManifestStatusBar(() => vscode.window.activeTextEditor?.document.uri.fsPath));
    this.on(vscode.window.onDidChangeActiveTextEditor, () => this.statusBar.render());
    this.on(vscode.workspace.onDidChangeConfiguration, (e) => {
      if (this.config.needsRestart(e)) void this.restartServer();
    });
  }

  push<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  on<T>(event: vscode.Event<T>, listener: (e: T) => unknown): void {
    this.push(event(listener));
  }

  /** Keeps an open plan view owned (disposed with the extension) until it is closed. */
  trackPlanView(panel: PlanViewPanel): void {
    this.planViews.add(panel);
    panel.onDidDispose(() => this.planViews.delete(panel));
  }

  /** Keeps an open diff view owned until it is closed. */
  trackDiffView(panel: DiffViewPanel): void {
    this.diffViews.add(panel);
    panel.onDidDispose(() => this.diffViews.delete(panel));
  }

  /** The diff views open now, oldest first. */
  get openDiffViews(): readonly DiffViewPanel[] {
    return [...this.diffViews];
  }

  /** The plan views open now, oldest first (tests read them). */
  get openPlanViews(): readonly PlanViewPanel[] {
    return [...this.planViews];
  }

  get projects(): readonly ProjectStatus[] {
    return this.statuses;
  }

  get languageClient(): LanguageClient {
    if (!this.client) throw new Error('The dbt Recovery language server is not running.');
    return this.client;
  }

  async startServer(): Promise<void> {
    const module = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'sql' },
        { scheme: 'file', language: 'jinja-sql' },
        { scheme: 'file', pattern: '**/*.{yml,yaml}' },
      ],
      synchronize: {
        configurationSection: Config.section,
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/{manifest.json,run_results.json,dbt_project.yml}'),
          vscode.workspace.createFileSystemWatcher('**/*.{sql,py,yml,yaml,csv}'),
        ],
      },
      outputChannel: this.log,
      // The server links each diagnostic to the rule's page shipped in docs/rules/.
      initializationOptions: { extensionRoot: this.extension.extensionPath },
    };
    this.client = new LanguageClient('dbtRecovery', 'dbt Recovery', serverOptions, clientOptions);
    this.client.onNotification(projectStatusNotification, (p) => this.setStatuses(p.projects));
    await this.client.start();
  }

  async restartServer(): Promise<void> {
    const old = this.client;
    this.client = null;
    if (old) await old.stop();
    await this.startServer();
  }

  /** Asks the server to re-read every manifest; resolves with the new statuses. */
  async reload(): Promise<ProjectStatus[]> {
    const result = await this.languageClient.sendRequest(reloadRequest);
    this.setStatuses(result.projects);
    return result.projects;
  }

  private setStatuses(projects: ProjectStatus[]): void {
    this.statuses = projects;
    this.statusBar.update(projects);
    this.statusEmitter.fire(projects);
  }

  dispose(): void {
    for (const p of [...this.planViews]) p.dispose();
    for (const d of [...this.diffViews]) d.dispose();
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        console.error('dbt Recovery: dispose failed', err);
      }
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.stop();
    this.dispose();
  }
}
