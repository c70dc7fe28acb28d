import * as vscode from 'vscode';
import type { ProjectStatus } from '../protocol/projectStatus';

const ICONS: Record<ProjectStatus['kind'], string> = {
  loading: '$(sync~spin)',
  loaded: '$(database)',
  stale: '$(history)',
  missing: '$(question)',
  broken: '$(warning)',
};

/** The words the status bar shows for one project; exported for tests. */
export function statusText(s: ProjectStatus): string {
  switch (s.kind) {
    case 'loading':
      return 'dbt: loading manifest';
    case 'loaded':
      return `dbt: ${s.models} models`;
    case 'stale':
      return `dbt: ${s.models} models (stale)`;
    case 'missing':
      return 'dbt: no manifest';
    case 'broken':
      return s.models > 0 ? `dbt: manifest broken (using ${s.models} models)` : 'dbt: manifest broken';
  }
}

/**
 * One status bar item for the project of the active editor (or the only/first project): its manifest state,
 * with the reason and the remedy in the tooltip. Clicking it shows the log.
 */
export class ManifestStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dbtRecovery.manifest', vscode.StatusBarAlignment.Left, 10);
  private projects: ProjectStatus[] = [];

  constructor(private readonly activeFile: () => string | undefined) {
    this.item.name = 'dbt Recovery: manifest';
    this.item.command = 'dbtRecovery.showLog';
  }

  update(projects: ProjectStatus[]): void {
    this.projects = projects;
    this.render();
  }

  /** The project the status bar is about right now. */
  current(): ProjectStatus | undefined {
    const file = this.activeFile();
    const containing = file
      ? this.projects.filter((p) => file === p.root || file.startsWith(p.root + '/') || file.startsWith(p.root + '\\'))
      : [];
    containing.sort((a, b) => b.root.length - a.root.length);
    return containing[0] ?? this.projects[0];
  }

  get text(): string {
    return this.item.text;
  }

  render(): void {
    const s = this.current();
    if (!s) {
      this.item.hide();
      return;
    }
    const label = statusText(s);
    const name = this.projects.length > 1 ? ` [${s.name}]` : '';
    this.item.text = `${ICONS[s.kind]} ${label}${name}`;
    this.item.tooltip = new vscode.MarkdownString().appendText(`${s.name}: ${s.message}`);
    this.item.backgroundColor =
      s.kind === 'broken' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
