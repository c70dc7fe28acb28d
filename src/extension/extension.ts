import type * as vscode from 'vscode';
import type { ProjectStatus } from '../protocol/projectStatus';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { statusText } from './statusBar';

/** What activate() returns: read by the in-editor tests and by other extensions. */
export interface DbtRecoveryApi {
  projects(): readonly ProjectStatus[];
  /** The status bar's words for the current project ("dbt: 13 models"). */
  statusBarText(): string | undefined;
  onDidChangeStatus: vscode.Event<ProjectStatus[]>;
}

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<DbtRecoveryApi> {
  const c = new Ctx(context);
  ctx = c;
  context.subscriptions.push({ dispose: () => void c.stop() });
  registerCommands(c);
  await c.startServer();
  c.log.info('dbt Recovery activated');
  return {
    projects: () => c.projects,
    statusBarText: () => {
      const s = c.statusBar.current();
      return s ? statusText(s) : undefined;
    },
    onDidChangeStatus: c.onDidChangeStatus,
  };
}

export async function deactivate(): Promise<void> {
  const c = ctx;
  ctx = undefined;
  await c?.stop();
}
