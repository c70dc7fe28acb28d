import * as vscode from 'vscode';
import { readProject } from '../../core/manifest';
import type { Plan } from '../../core/plan';
import { loadWarehouseTarget, Secret, type WarehouseTarget } from '../../core/profiles';
import {
  currentUser,
  formatRunEvent,
  resumeRun,
  runPlan,
  type ApprovalDecision,
  type ApprovalRequest,
  type RunEvent,
  type RunOutcome,
} from '../../core/run';
import { openWarehouse, type Warehouse } from '../../core/warehouse';
import type { Ctx } from '../ctx';
import type { PlanViewPanel } from '../webviews/planViewPanel';

export interface TerminalRun {
  /** "Refill after price gap": the terminal's, the notification's and the messages' name for the workflow. */
  name: string;
  root: string;
  plan: Plan;
  panel: PlanViewPanel;
  controller: AbortController;
  /** Continue this run (id or folder) instead of starting a new one. */
  resumeId: string | null;
  /** Gates that need outlier notes (requiresExplained) are decided here (the diff view); others were approved in
   * the plan view. */
  explainedGate?: (request: ApprovalRequest) => Promise<ApprovalDecision>;
  /** Every run event, after the terminal and the plan view saw it. */
  onEvent?: (event: RunEvent) => void;
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

/**
 * Runs a plan in a terminal that shows each step, progress and check results, with a cancellable progress
 * notification, mirroring statuses in the plan view; opens the plan's connection from profiles.yml when it has
 * warehouse steps. Resolves with the outcome, or null when the run could not start.
 */
export async function runPlanInTerminal(ctx: Ctx, run: TerminalRun): Promise<RunOutcome | null> {
  const { root, plan, panel, controller, resumeId, name } = run;
  const term = new RunTerminal(() => controller.abort());
  const terminal = vscode.window.createTerminal({ name: `dbt Recovery: ${name}`, pty: term });
  terminal.show(true);
  panel.run('running');
  let warehouse: Warehouse | null = null;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: name, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let secrets: Secret[] = [];
        let connect: (() => Promise<Warehouse>) | null = null;
        if (plan.steps.some((s) => s.kind === 'sql' || s.kind === 'check' || s.kind === 'compare')) {
          // dbt looks in its working folder for profiles.yml: in the editor that is the project's folder.
          const target = loadWarehouseTarget({
            projectDir: root,
            cwd: root,
            profilesDir: plan.profilesDir ?? undefined,
            target: plan.connectionTarget ?? plan.target ?? undefined,
          });
          secrets = secretsOf(target);
          await term.lines([`Connecting: ${plan.connection ?? target.type}`]);
          warehouse = await openWarehouse(target);
          if (target.type === 'duckdb') {
            // One writing process per DuckDB file: checked now (a bad path fails before anything runs), then opened
            // by the runner only for its own steps, so that dbt can open the file for its steps (as the CLI does).
            await warehouse.close();
            warehouse = null;
            connect = () => openWarehouse(target);
          }
        }
        const user = currentUser();
        const options = {
          warehouse,
          ...(connect ? { connect } : {}),
          secrets,
          signal: controller.signal,
          // The person approved every gate in the plan view, which showed each of them with what follows.
          approve: (request: ApprovalRequest): Promise<boolean | ApprovalDecision> => {
            if (request.explain && request.explain.length > 0 && run.explainedGate) return run.explainedGate(request);
            return request.reason === 'gate' ? Promise.resolve({ approved: true, by: `${user} (plan view)` }) : askApproval(request);
          },
          onEvent: (event: RunEvent) => {
            void term.lines(formatRunEvent(event, plan));
            reflect(event, panel, progress, plan);
            run.onEvent?.(event);
          },
        };
        const outcome = resumeId
          ? await resumeRun(resumeId, { ...options, plan, targetPath: readProject(root).targetPath })
          : await runPlan(plan, options);
        panel.run(outcome.status === 'done' ? 'succeeded' : outcome.status === 'cancelled' ? 'cancelled' : 'failed', outcome.message, outcome.runId);
        if (outcome.status === 'done') void vscode.window.showInformationMessage(`${name} finished: ${outcome.message}`);
        else void vscode.window.showErrorMessage(`${name} ${outcome.status}: ${outcome.message}`);
        return outcome;
      },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await term.lines(['', `Could not run the plan: ${message}`]);
    panel.run('failed', message);
    void vscode.window.showErrorMessage(`dbt Recovery could not run "${name}": ${message}`);
    ctx.log.error(`${name}: ${message}`);
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
