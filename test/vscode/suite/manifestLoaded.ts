import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { DbtRecoveryApi } from '../../../src/extension/extension';

/** Activates the extension and resolves once a project's manifest is loaded (now or on a status change). */
export async function manifestLoaded(): Promise<void> {
  const ext = vscode.extensions.getExtension<DbtRecoveryApi>('dbt-recovery.dbt-recovery');
  assert.ok(ext);
  const api = await ext.activate();
  if (api.projects().some((p) => p.kind === 'loaded')) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the manifest did not load')), 30_000);
    const sub = api.onDidChangeStatus((ps) => {
      if (ps.some((p) => p.kind === 'loaded')) {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  });
}
