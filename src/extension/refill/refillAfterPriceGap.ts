import * as vscode from 'vscode';
import { gapDateProblem, todayUtc, yesterdayOf, type Plan } from '../../core/plan';
import { planPriceGapRequest } from '../../protocol/projectStatus';
import type { Ctx } from '../ctx';
import { runPlanInTerminal } from '../run/runPlanInTerminal';
import { PlanViewPanel } from '../webviews/planViewPanel';

/** What a caller (a test, another command) may fix instead of asking. */
export interface RefillArgs {
  fromDate?: string;
  today?: string;
  /** The cohort models whose month is dropped before their layer. Asked only when the date is asked too: a caller
   * that fixes the date (a test, another command) fixes this as well, default none. */
  clearMonthFor?: string[];
}

/**
 * The plan warns of cohort models whose key is computed from a refilled value (append + OPTIMIZE cannot remove their
 * stale rows): asks which of them get their month dropped right before their layer. Undefined when the person
 * gave up.
 */
async function askClearMonthFor(plan: Plan): Promise<string[] | undefined> {
  const items = plan.warnings
    .filter((w) => w.code === 'value-derived-key')
    .map((w) => {
      const colon = w.message.indexOf(': ');
      return { label: w.message.slice(0, colon), detail: w.message.slice(colon + 2), picked: false };
    });
  if (items.length === 0) return [];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Refill after price gap: keys computed from prices',
    placeHolder: 'Drop the month of the checked models before their layer (none checked: refill as planned)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return picked?.map((p) => p.label);
}

function uriOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.toString();
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/**
 * "Refill after price gap…": asks for the gap date, plans the refill (in the language server, which holds the
 * manifest), shows every command and statement in the plan view, and runs it in a terminal once the person approves
 * there. Resolves with the plan view (or undefined when the person gave up or the plan could not be made).
 */
export async function refillAfterPriceGap(ctx: Ctx, arg: unknown, args: RefillArgs = {}): Promise<PlanViewPanel | undefined> {
  const model = uriOf(arg);
  if (!model) {
    void vscode.window.showInformationMessage('Open a dbt model (.sql) first, or use the command from a model\'s context menu.');
    return undefined;
  }
  const today = args.today ?? todayUtc();
  const fromDate =
    args.fromDate ??
    (await vscode.window.showInputBox({
      title: 'Refill after price gap',
      prompt: `The first day the prices were missing (UTC). Today is ${today}.`,
      value: yesterdayOf(today),
      validateInput: (v) => gapDateProblem(v, today),
      ignoreFocusOut: true,
    }));
  if (!fromDate) return undefined;
  const problem = gapDateProblem(fromDate, today);
  if (problem) {
    void vscode.window.showErrorMessage(problem);
    return undefined;
  }

  const plan = (clearMonthFor: string[] | undefined) =>
    ctx.languageClient.sendRequest(planPriceGapRequest, { model, fromDate: fromDate.trim(), today, dbtCommand: ctx.config.dbtCommand, clearMonthFor });
  let result = await plan(args.clearMonthFor);
  if (result.ok && args.clearMonthFor === undefined && args.fromDate === undefined) {
    const clear = await askClearMonthFor(result.plan);
    if (clear === undefined) return undefined;
    if (clear.length > 0) result = await plan(clear);
  }
  if (!result.ok) {
    void vscode.window.showErrorMessage(`dbt Recovery could not plan the refill: ${result.message}`);
    return undefined;
  }
  const trusted = vscode.workspace.isTrusted;
  let controller: AbortController | null = null;
  const panel: PlanViewPanel = new PlanViewPanel(
    ctx.extension.extensionUri,
    result.plan,
    `Refill after price gap from ${fromDate.trim()}`,
    result.text,
    { canRun: trusted, reason: trusted ? null : 'This workspace is not trusted: dbt Recovery runs nothing here.' },
    {
      onApproveAndRun: () => {
        if (controller) return;
        controller = new AbortController();
        const c = controller;
        void runPlanInTerminal(ctx, { name: 'Refill after price gap', root: result.root, plan: result.plan, panel, controller: c, resumeId: null }).finally(() => (controller = null));
      },
      onResume: (runId) => {
        if (controller) return;
        controller = new AbortController();
        const c = controller;
        void runPlanInTerminal(ctx, { name: 'Refill after price gap', root: result.root, plan: result.plan, panel, controller: c, resumeId: runId }).finally(() => (controller = null));
      },
      onCancel: () => controller?.abort(),
    },
  );
  ctx.trackPlanView(panel);
  return panel;
}
