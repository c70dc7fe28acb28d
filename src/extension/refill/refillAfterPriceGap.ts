import * as vscode from 'vscode';
import { gapDateProblem, todayUtc, yesterdayOf, type Plan } from '../../core/plan';
import { loadWarehouseTarget, Secret, type WarehouseTarget } from '../../core/profiles';
import { readProject } from '../../core/manifest';
import { currentUser, formatRunEvent, resumeRun, runPlan, type ApprovalRequest, type RunEvent, type RunOutcome } from '../../core/run';
import { openWarehouse, type Warehouse } from '../../core/warehouse';
import { planPriceGapRequest } from '../../protocol/projectStatus';
import type { Ctx } from '../ctx';
import { PlanViewPanel } from '../webviews/planViewPanel';

/** What a caller (a test, another command) may fix instead of asking. */
export interface RefillArgs {
  fromDate?: string;
  today?: string;
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

  const result = await ctx.languageClient.sendRequest(planPriceGapRequest, {
    model,
    fromDate: fromDate.trim(),
    today,
    dbtCommand: ctx.config.dbtCommand,
  });
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
        void runInTerminal(ctx, result.root, result.plan, panel, controller, null).finally(() => (controller = null));
      },
      onResume: (runId) => {
        if (controller) return;
        controller = new AbortController();
        void runInTerminal(ctx, result.root, result.plan, panel, controller, runId).finally(() => (controller = null));
      },
      onCancel: () => controller?.abort(),
    },
  );
  ctx.trackPlanView(panel);
  return panel;
}

function secretsOf(target: WarehouseTarget): Secret[] {
  return Object.values(target).filter((v): v is Secret => v instanceof Secret);
}

/** A terminal that shows the run: each step, per-model progress, check results and how the run ended. */
class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly opened: Promise<void>;
  private markOpened!: () => void;

  constructor(private readonly onClose: () => void) {
    this.opened = new Promise((resolve) => (this.markOpened = resolve));
  }

  open(): void {
    this.markOpened();
  }

  close(): void {
    this.onClose();
  }

  async lines(lines: readonly string[]): Promise<void> {
    await this.opened;
    for (const l of lines) this.writeEmitter.fire(`${l}\r\n`);
  }
}

/** Approvals the run asks for beyond the gates the plan view showed (killing mutations, repeating a step). */
async function askApproval(request: ApprovalRequest): Promise<boolean> {
  const detail = [request.description, '', ...request.shows].join('\n');
  const choice = await vscode.window.showWarningMessage(request.title, { modal: true, detail }, 'Approve');
  return choice === 'Approve';
}

async function runInTerminal(
  ctx: Ctx,
  root: string,
  plan: Plan,
  panel: PlanViewPanel,
  controller: AbortController,
  resumeId: string | null,
): Promise<RunOutcome | null> {
  const term = new RunTerminal(() => controller.abort());
  const terminal = vscode.window.createTerminal({ name: 'dbt Recovery: refill', pty: term });
  terminal.show(true);
  panel.run('running');
  let warehouse: Warehouse | null = null;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Refill after price gap', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let secrets: Secret[] = [];
        if (plan.steps.some((s) => s.kind === 'sql' || s.kind === 'check')) {
          // dbt looks in its working folder for profiles.yml: in the editor that is the project's folder.
          const target = loadWarehouseTarget({ projectDir: root, cwd: root, profilesDir: plan.profilesDir ?? undefined, target: plan.target ?? undefined });
          secrets = secretsOf(target);
          await term.lines([`Connecting: ${plan.connection ?? target.type}`]);
          warehouse = await openWarehouse(target);
        }
        const user = currentUser();
        const options = {
          warehouse,
          secrets,
          signal: controller.signal,
          // The person approved every gate in the plan view, which showed each of them with what follows.
          approve: (request: ApprovalRequest) =>
            request.reason === 'gate' ? Promise.resolve({ approved: true, by: `${user} (plan view)` }) : askApproval(request),
          onEvent: (event: RunEvent) => {
            void term.lines(formatRunEvent(event, plan));
            reflect(event, panel, progress, plan);
          },
        };
        const outcome = resumeId
          ? await resumeRun(resumeId, { ...options, plan, targetPath: readProject(root).targetPath })
          : await runPlan(plan, options);
        panel.run(outcome.status === 'done' ? 'succeeded' : outcome.status === 'cancelled' ? 'cancelled' : 'failed', outcome.message, outcome.runId);
        if (outcome.status === 'done') void vscode.window.showInformationMessage(`Refill finished: ${outcome.message}`);
        else void vscode.window.showErrorMessage(`Refill ${outcome.status}: ${outcome.message}`);
        return outcome;
      },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await term.lines(['', `Could not run the plan: ${message}`]);
    panel.run('failed', message);
    void vscode.window.showErrorMessage(`dbt Recovery could not run the refill: ${message}`);
    ctx.log.error(`refill: ${message}`);
    return null;
  } finally {
    await (warehouse as Warehouse | null)?.close();
  }
}

/** Mirrors run events in the plan view and the progress notification. */
function reflect(event: RunEvent, panel: PlanViewPanel, progress: vscode.Progress<{ message?: string }>, plan: Plan): void {
  switch (event.type) {
    case 'step-start': {
      const step = plan.steps.find((s) => s.id === event.step);
      panel.step(event.step, step?.kind === 'gate' ? 'approval' : 'running');
      progress.report({ message: `${event.index}/${event.total} ${step?.kind === 'gate' ? step.title : (step?.description ?? event.step)}` });
      break;
    }
    case 'progress':
      if (event.status !== 'started') panel.step(event.step, 'running', `${event.index} of ${event.total} ${event.status} ${event.name}`);
      break;
    case 'check':
      panel.check(event.step, event.result.status, event.result.message, event.result.columns, event.result.rows as Array<Record<string, string | number | null>>);
      break;
    case 'step-end':
      panel.step(event.step, event.status === 'running' ? 'running' : event.status, event.explanation ? `${event.explanation.title}: ${event.explanation.fix}` : event.summary);
      break;
    default:
      break;
  }
}
