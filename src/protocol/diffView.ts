/**
 * Messages between the diff view (webview/diffView.ts) and the extension. The view gets a Comparison (computed in
 * the warehouse) and sends back the person's notes on outliers and the approval of the promotion gate.
 */
import type { Comparison } from '../core/compare/types';

/** An outlier's explanation: its key values and column identify it. */
export interface OutlierNote {
  key: string[];
  column: string;
  note: string;
}

/** The promotion gate as the view shows it: the exact statements, and whether the view can approve it now. */
export interface PromotionGate {
  title: string;
  statements: string[];
  /** `waiting`: the run waits for this approval; `approved`/`refused`: decided; `none`: a comparison only. */
  state: 'waiting' | 'approved' | 'refused' | 'none';
}

export type HostToDiffView =
  | { type: 'comparison'; title: string; comparison: Comparison; notes: OutlierNote[]; gate: PromotionGate; canApprove: boolean; cannotApproveReason: string | null }
  | { type: 'gate'; gate: PromotionGate };

export type DiffViewToHost =
  | { type: 'ready' }
  /** A note on one outlier (empty text removes it). */
  | { type: 'explain'; key: string[]; column: string; note: string }
  /** Approve the promotion gate with the notes given so far. */
  | { type: 'approvePromotion' }
  | { type: 'refusePromotion' }
  | { type: 'copyJson' };

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** What a webview sends is untrusted input: only these shapes, with bounded sizes, are acted on. */
export function isDiffViewToHost(message: unknown): message is DiffViewToHost {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'approvePromotion':
    case 'refusePromotion':
    case 'copyJson':
      return Object.keys(m).length === 1;
    case 'explain':
      return (
        isStringArray(m.key) &&
        m.key.length <= 32 &&
        typeof m.column === 'string' &&
        m.column.length <= 512 &&
        typeof m.note === 'string' &&
        m.note.length <= 4000 &&
        Object.keys(m).length === 4
      );
    default:
      return false;
  }
}
