import * as vscode from 'vscode';
import { createViewPanel, viewHtml } from './webviewShell';
import type { Comparison } from '../../core/compare/types';
import { isDiffViewToHost, type HostToDiffView, type OutlierNote, type PromotionGate } from '../../protocol/diffView';

/** The person's decision on a promotion gate, with the notes they wrote on the outliers. */
export interface PromotionDecision {
  approved: boolean;
  notes: OutlierNote[];
}

/**
 * A comparison in a webview panel: strict CSP, data only by typed messages after `ready`, and the whole state sent
 * again on every `ready`, so the view is as it was after being hidden and restored. It collects notes on outliers
 * and, when a run waits on its promotion gate, the approval.
 */
export class DiffViewPanel implements vscode.Disposable {
  static readonly viewType = 'dbtRecovery.diffView';

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private notes: OutlierNote[] = [];
  private gate: PromotionGate;
  private pending: ((d: PromotionDecision) => void) | null = null;
  private disposed = false;
  private markReady!: () => void;
  /** Resolves when the view said `ready` at least once. */
  readonly ready: Promise<void> = new Promise((resolve) => (this.markReady = resolve));
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    extensionUri: vscode.Uri,
    readonly title: string,
    readonly comparison: Comparison,
    private readonly approval: { canApprove: boolean; reason: string | null },
  ) {
    this.gate = { title: '', statements: [], state: 'none' };
    this.panel = createViewPanel(DiffViewPanel.viewType, title, extensionUri);
    this.panel.webview.html = viewHtml(this.panel.webview, extensionUri, 'diffView');
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }


  private stateMessage(): HostToDiffView {
    return {
      type: 'comparison',
      title: this.title,
      comparison: this.comparison,
      notes: this.notes,
      gate: this.gate,
      canApprove: this.approval.canApprove,
      cannotApproveReason: this.approval.reason,
    };
  }

  private receive(message: unknown): void {
    if (!isDiffViewToHost(message)) return; // untrusted: anything else is ignored
    switch (message.type) {
      case 'ready':
        void this.panel.webview.postMessage(this.stateMessage());
        this.markReady();
        break;
      case 'explain': {
        const id = JSON.stringify([message.key, message.column]);
        // Only outliers of this comparison can be explained.
        if (!this.comparison.outliers.some((o) => JSON.stringify([o.key, o.column]) === id)) return;
        this.notes = this.notes.filter((n) => JSON.stringify([n.key, n.column]) !== id);
        if (message.note.trim()) this.notes.push({ key: message.key, column: message.column, note: message.note.trim() });
        break;
      }
      case 'approvePromotion':
        this.decide(true);
        break;
      case 'refusePromotion':
        this.decide(false);
        break;
      case 'copyJson':
        void vscode.env.clipboard.writeText(JSON.stringify(this.comparison, null, 2));
        break;
    }
  }

  /** The notes written so far. */
  get outlierNotes(): readonly OutlierNote[] {
    return this.notes;
  }

  /** Outliers above the threshold that still have no note. */
  unexplained(): number {
    const explained = new Set(this.notes.map((n) => JSON.stringify([n.key, n.column])));
    return this.comparison.outliers.filter((o) => o.needsExplanation && !explained.has(JSON.stringify([o.key, o.column]))).length;
  }

  private decide(approved: boolean): void {
    if (!this.pending || this.gate.state !== 'waiting') return;
    if (approved && (!this.approval.canApprove || this.unexplained() > 0)) return; // the view disables the button too
    this.gate = { ...this.gate, state: approved ? 'approved' : 'refused' };
    void this.panel.webview.postMessage({ type: 'gate', gate: this.gate } satisfies HostToDiffView);
    const resolve = this.pending;
    this.pending = null;
    resolve({ approved, notes: [...this.notes] });
  }

  /** Shows the promotion gate and resolves when the person approves (with every required note) or refuses. */
  askPromotion(title: string, statements: string[]): Promise<PromotionDecision> {
    this.gate = { title, statements, state: 'waiting' };
    void this.panel.webview.postMessage({ type: 'gate', gate: this.gate } satisfies HostToDiffView);
    this.panel.reveal();
    return new Promise((resolve) => (this.pending = resolve));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // A gate nobody answered is refused: closing the view never promotes.
    this.decide(false);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }
}
