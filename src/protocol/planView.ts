/**
 * Messages between the plan view (webview/planView.ts, in the browser) and the extension. Data goes in only as
 * these messages after the view says `ready`; the view never receives HTML.
 */
import type { Plan } from '../core/plan/types';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped' | 'approval';
export type RunState = 'idle' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export type HostToView =
  /** The plan to show; `text` is what `--dry-run` prints, for copying. */
  | { type: 'plan'; plan: Plan; title: string; text: string; canRun: boolean; cannotRunReason: string | null }
  | { type: 'step'; stepId: string; status: StepStatus; detail: string | null }
  | { type: 'check'; stepId: string; status: 'pass' | 'warn' | 'stop'; message: string; columns: string[]; rows: Array<Record<string, string | number | null>> }
  | { type: 'run'; state: RunState; message: string | null; runId: string | null };

export type ViewToHost =
  | { type: 'ready' }
  /** The person approved every gate the view shows and asked to run. */
  | { type: 'approveAndRun' }
  /** Continue the failed or cancelled run at its first unfinished step (its approvals stay given). */
  | { type: 'resume' }
  | { type: 'cancel' }
  | { type: 'copyPlanText' };

const VIEW_MESSAGES = new Set<ViewToHost['type']>(['ready', 'approveAndRun', 'resume', 'cancel', 'copyPlanText']);

/** What a webview sends is untrusted input: only these shapes are acted on. */
export function isViewToHost(message: unknown): message is ViewToHost {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return typeof type === 'string' && VIEW_MESSAGES.has(type as ViewToHost['type']) && Object.keys(message).length === 1;
}
