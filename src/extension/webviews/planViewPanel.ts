import * as vscode from 'vscode';
import { createViewPanel, viewHtml } from './webviewShell';
import type { Plan } from '../../core/plan/types';
import { isViewToHost, type HostToView, type RunState, type StepStatus, type ViewToHost } from '../../protocol/planView';

export interface PlanViewHandlers {
  /** The person approved every gate the view shows and asked to run. */
  onApproveAndRun(): void;
  /** Continue the stopped run `runId` at its first unfinished step. */
  onResume(runId: string): void;
  onCancel(): void;
}

/**
 * One plan shown in a webview panel: a strict CSP (scripts only with this panel's nonce), data only by typed
 * messages after the view's `ready`, and every message replayed on `ready` so the view is whole again after it was
 * hidden and restored.
 */
export class PlanViewPanel implements vscode.Disposable {
  static readonly viewType = 'dbtRecovery.planView';

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  /** The plan message and the latest message per step/check/run, in order: what a fresh view needs. */
  private planMessage: HostToView;
  private readonly latest = new Map<string, HostToView>();
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;
  /** Resolves when the view has said `ready` at least once (tests wait on it). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    extensionUri: vscode.Uri,
    readonly plan: Plan,
    readonly title: string,
    text: string,
    run: { canRun: boolean; reason: string | null },
    private readonly handlers: PlanViewHandlers,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.panel = createViewPanel(PlanViewPanel.viewType, title, extensionUri);
    this.planMessage = { type: 'plan', plan, title, text, canRun: run.canRun, cannotRunReason: run.reason };
    this.panel.webview.html = viewHtml(this.panel.webview, extensionUri, 'planView');
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }


  private receive(message: unknown): void {
    if (!isViewToHost(message)) return; // untrusted: anything else is ignored
    const msg: ViewToHost = message;
    switch (msg.type) {
      case 'ready':
        void this.panel.webview.postMessage(this.planMessage);
        for (const m of this.latest.values()) void this.panel.webview.postMessage(m);
        this.markReady();
        break;
      case 'approveAndRun':
        this.handlers.onApproveAndRun();
        break;
      case 'resume': {
        const run = this.latest.get('run');
        if (run?.type === 'run' && run.runId) this.handlers.onResume(run.runId);
        break;
      }
      case 'cancel':
        this.handlers.onCancel();
        break;
      case 'copyPlanText':
        void vscode.env.clipboard.writeText(this.planMessage.type === 'plan' ? this.planMessage.text : '');
        break;
    }
  }

  private post(key: string, message: HostToView): void {
    this.latest.set(key, message);
    void this.panel.webview.postMessage(message);
  }

  step(stepId: string, status: StepStatus, detail: string | null = null): void {
    this.post(`step:${stepId}`, { type: 'step', stepId, status, detail });
  }

  check(stepId: string, status: 'pass' | 'warn' | 'stop', message: string, columns: string[], rows: Array<Record<string, string | number | null>>): void {
    this.post(`check:${stepId}`, { type: 'check', stepId, status, message, columns, rows });
  }

  run(state: RunState, message: string | null = null, runId: string | null = null): void {
    this.post('run', { type: 'run', state, message, runId });
  }

  reveal(): void {
    this.panel.reveal();
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }
}
