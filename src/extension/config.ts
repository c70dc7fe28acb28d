import * as vscode from 'vscode';

/** The extension's settings (section `dbtRecovery`), read through typed getters, never cached. */
export class Config {
  static readonly section = 'dbtRecovery';

  /** Settings the language server reads itself; changing them re-reads every project, no restart. */
  static readonly serverKeys = ['manifestPath', 'lint.enabled', 'recoveryProfile'] as const;
  /** Settings that only take effect after the language server restarts. */
  static readonly restartKeys = ['trace.server'] as const;

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Config.section);
  }

  get manifestPath(): string {
    return this.cfg.get<string>('manifestPath', '');
  }

  get lintEnabled(): boolean {
    return this.cfg.get<boolean>('lint.enabled', true);
  }

  get recoveryProfile(): Record<string, unknown> {
    return this.cfg.get<Record<string, unknown>>('recoveryProfile', {});
  }

  /** How to start dbt for the recovery runs, as separate words (`["docker", "exec", "dbt", "dbt"]`). */
  get dbtCommand(): string[] {
    const v = this.cfg.get<unknown>('dbtCommand', ['dbt']);
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '') ? (v as string[]) : ['dbt'];
  }

  get traceServer(): 'off' | 'messages' | 'verbose' {
    return this.cfg.get<'off' | 'messages' | 'verbose'>('trace.server', 'off');
  }

  /** Whether a configuration change touches a key that needs the language server restarted. */
  needsRestart(e: vscode.ConfigurationChangeEvent): boolean {
    return Config.restartKeys.some((k) => e.affectsConfiguration(`${Config.section}.${k}`));
  }
}
