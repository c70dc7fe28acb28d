import * as vscode from 'vscode';
import { gapDateProblem, todayUtc } from '../../core/plan';
import { currentUser, type ApprovalDecision, type ApprovalRequest, type RunEvent } from '../../core/run';
import { planDevBuildRequest } from '../../protocol/projectStatus';
import type { Ctx } from '../ctx';
import { runPlanInTerminal } from '../run/runPlanInTerminal';
import { DiffViewPanel } from '../webviews/diffViewPanel';
import { PlanViewPanel } from '../webviews/planViewPanel';

/** What a caller (a test, another command) may fix instead of asking. */
export interface DevBuildArgs {
  mode?: 'full-refresh' | 'backfill';
  backfillDate?: string;
  today?: string;
}

function uriOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.toString();
  return vscode.window.activeTextEditor?.document.uri.toString();
}

async function askMode(): Promise<'full-refresh' | 'backfill' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Full refresh', description: 'rebuild the model in dev from scratch', mode: 'full-refresh' as const },
      { label: 'Backfill', description: 'clone prod into dev, then rebuild from a date', mode: 'backfill' as const },
    ],
    { title: 'Plan dev build', placeHolder: 'How to rebuild the model in dev' },
  );
  return picked?.mode;
}

/**
 * "Plan dev build…": always materialize in dev, compare with prod, and promote only on an approval that showed the
 * exact statement with every outlier explained. The plan view shows the plan; the run goes in a terminal; when the
 * comparison is done the diff view opens, and the promotion gate is answered there.
 */
export async function planDevBuild(ctx: Ctx, arg: unknown, args: DevBuildArgs = {}): Promise<PlanViewPanel | undefined> {
  const model = uriOf(arg);
  if (!model) {
    void vscode.window.showInformationMessage('Open a dbt model (.sql) first, or use the command from a model\'s context menu.');
    return undefined;
  }
  const today = args.today ?? todayUtc();
  const mode = args.mode ?? (await askMode());
  if (!mode) return undefined;
  let backfillDate = args.backfillDate;
  if (mode === 'backfill' && !backfillDate) {
    backfillDate = await vscode.window.showInputBox({
      title: 'Plan dev build: backfill',
      prompt: 'The first day to rebuild (YYYY-MM-DD); history before it must come out identical',
      validateInput: (v) => gapDateProblem(v, today),
      ignoreFocusOut: true,
    });
    if (!backfillDate) return undefined;
  }
  const result = await ctx.languageClient.sendRequest(planDevBuildRequest, {
    model,
    mode,
    backfillDate: backfillDate?.trim(),
    today,
    dbtCommand: ctx.config.dbtCommand,
  });
  if (!result.ok) {
    void vscode.window.showErrorMessage(`dbt Recovery could not plan the dev build: ${result.message}`);
    return undefined;
  }
  const trusted = vscode.workspace.isTrusted;
  let controller: AbortController | null = null;
  let diff: DiffViewPanel | null = null;
  const title = `Dev build: ${mode}${backfillDate ? ` from ${backfillDate.trim()}` : ''}`;

  const onEvent = (event: RunEvent): void => {
    if (event.type !== 'compare') return;
    diff?.dispose();
    diff = new DiffViewPanel(ctx.extension.extensionUri, `Dev vs prod: ${event.comparison.dev.name}`, event.comparison, {
      canApprove: trusted,
      reason: trusted ? null : 'This workspace is not trusted: dbt Recovery promotes nothing here.',
    });
    ctx.trackDiffView(diff);
  };
  const explainedGate = async (request: ApprovalRequest): Promise<ApprovalDecision> => {
    if (!diff) return { approved: false, note: 'no comparison to explain the outliers from' };
    const decision = await diff.askPromotion(request.title, request.shows);
    return { approved: decision.approved, by: `${currentUser()} (diff view)`, explanations: decision.notes };
  };
  const start = (resumeId: string | null): void => {
    if (controller) return;
    const c = new AbortController();
    controller = c;
    void runPlanInTerminal(ctx, { name: 'Dev build', root: result.root, plan: result.plan, panel, controller: c, resumeId, explainedGate, onEvent }).finally(
      () => (controller = null),
    );
  };
  const panel: PlanViewPanel = new PlanViewPanel(
    ctx.extension.extensionUri,
    result.plan,
    title,
    result.text,
    { canRun: trusted, reason: trusted ? null : 'This workspace is not trusted: dbt Recovery runs nothing here.' },
    { onApproveAndRun: () => start(null), onResume: (runId) => start(runId), onCancel: () => controller?.abort() },
  );
  ctx.trackPlanView(panel);
  return panel;
}
