import * as vscode from 'vscode';
import { COMMANDS } from '../protocol/commands';
import { selectNodesRequest, type SelectNodesParams } from '../protocol/projectStatus';
import { planDevBuild, type DevBuildArgs } from './devbuild/planDevBuild';
import { refillAfterPriceGap, type RefillArgs } from './refill/refillAfterPriceGap';
import type { Ctx } from './ctx';

type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

/**
 * Every command of the extension, by id. package.json's `contributes.commands` lists exactly these ids (a unit
 * test checks it).
 */
export const commands: Record<string, CommandFactory> = {
  'dbtRecovery.showLog': (ctx) => () => ctx.log.show(true),

  'dbtRecovery.reloadManifest': (ctx) => async () => {
    const statuses = await ctx.reload();
    return statuses;
  },

  'dbtRecovery.restartServer': (ctx) => () => ctx.restartServer(),

  /**
   * Evaluates a dbt selector on the manifest and lets the user open a selected node's file. Called with a
   * selector string (as tests and other commands do), it skips the prompt and returns the result.
   */
  'dbtRecovery.selectNodes': (ctx) => async (arg?: unknown) => {
    const select =
      typeof arg === 'string'
        ? arg
        : await vscode.window.showInputBox({
            title: 'dbt Recovery: Select Nodes',
            prompt: 'A dbt selector, as for `dbt ls --select` (e.g. tag:refill_append+ or +fct_orders)',
            placeHolder: 'tag:refill_append+',
            ignoreFocusOut: true,
          });
    if (!select) return undefined;
    const params: SelectNodesParams = { select: [select], root: activeProjectRoot(ctx) };
    const result = await ctx.languageClient.sendRequest(selectNodesRequest, params);
    if (typeof arg === 'string') return result;
    if (!result.ok) {
      void vscode.window.showErrorMessage(result.message);
      return result;
    }
    for (const w of result.warnings) ctx.log.warn(w);
    const picked = await vscode.window.showQuickPick(
      result.nodes.map((n) => ({ label: n.name, description: n.resourceType, detail: n.uniqueId, node: n })),
      { title: `${result.nodes.length} nodes selected by ${select}`, matchOnDetail: true },
    );
    if (picked?.node.file) await vscode.window.showTextDocument(vscode.Uri.file(picked.node.file));
    return result;
  },

  /** "Refill after price gap…" on a model (code lens, context menus, palette): asks the gap date, plans in the language
   * server and opens the plan view; returns a summary of the plan for tests. */
  [COMMANDS.refillAfterPriceGap]: (ctx) => async (arg?: unknown, args?: unknown) => {
    const given = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
    const fixed: RefillArgs = {
      fromDate: typeof given.fromDate === 'string' ? given.fromDate : undefined,
      today: typeof given.today === 'string' ? given.today : undefined,
      clearMonthFor: Array.isArray(given.clearMonthFor) ? given.clearMonthFor.filter((m): m is string => typeof m === 'string') : undefined,
    };
    const panel = await refillAfterPriceGap(ctx, arg, fixed);
    return panel ? { title: panel.title, steps: panel.plan.steps.map((s) => s.id), lookbackDays: panel.plan.lookbackDays, months: panel.plan.months } : undefined;
  },

  /** "Plan dev build…" on a model: asks the mode, plans the dev build / compare / promote and opens the plan view. */
  [COMMANDS.planDevBuild]: (ctx) => async (arg?: unknown, args?: unknown) => {
    const given = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
    const fixed: DevBuildArgs = {
      mode: given.mode === 'full-refresh' || given.mode === 'backfill' ? given.mode : undefined,
      backfillDate: typeof given.backfillDate === 'string' ? given.backfillDate : undefined,
      today: typeof given.today === 'string' ? given.today : undefined,
    };
    const panel = await planDevBuild(ctx, arg, fixed);
    return panel ? { title: panel.title, steps: panel.plan.steps.map((s) => s.id) } : undefined;
  },
};

function activeProjectRoot(ctx: Ctx): string | undefined {
  return ctx.statusBar.current()?.root;
}

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(commands)) {
    ctx.push(vscode.commands.registerCommand(id, factory(ctx)));
  }
}
