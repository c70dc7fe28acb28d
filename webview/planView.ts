/**
 * The plan view, in the webview's browser context. It only ever builds DOM from the typed messages of
 * src/protocol/planView.ts with textContent (never innerHTML), and keeps what it shows in the webview state so the
 * view comes back as it was after being hidden.
 */
import type { Plan, Step } from '../src/core/plan/types';
import type { HostToView, RunState, StepStatus, ViewToHost } from '../src/protocol/planView';

interface VsCodeApi {
  postMessage(message: ViewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface CheckView {
  status: 'pass' | 'warn' | 'stop';
  message: string;
  columns: string[];
  rows: Array<Record<string, string | number | null>>;
}

interface ViewState {
  plan: Plan | null;
  title: string;
  text: string;
  canRun: boolean;
  cannotRunReason: string | null;
  steps: Record<string, { status: StepStatus; detail: string | null }>;
  checks: Record<string, CheckView>;
  run: { state: RunState; message: string | null; runId: string | null };
}

const vscode = acquireVsCodeApi();
const initial: ViewState = {
  plan: null,
  title: '',
  text: '',
  canRun: false,
  cannotRunReason: null,
  steps: {},
  checks: {},
  run: { state: 'idle', message: null, runId: null },
};
let state: ViewState = { ...initial, ...((vscode.getState() as Partial<ViewState> | undefined) ?? {}) };

/** An argument as a POSIX shell would need it, for display only: the runner never builds a shell string. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function stepCode(step: Step, plan: Plan): string {
  switch (step.kind) {
    case 'dbt':
      return [...plan.dbtCommand, ...step.argv].map(shellWord).join(' ');
    case 'sql':
    case 'check':
      return step.sql;
    case 'gate':
      return step.shows.join('\n');
    case 'compare':
      return step.sql.join('\n\n');
  }
}

const STATUS_TEXT: Record<StepStatus, string> = {
  pending: 'pending',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
  approval: 'waiting for approval',
};

function renderCheck(check: CheckView): HTMLElement {
  const box = el('div', `check check-${check.status}`);
  box.append(el('div', 'check-message', check.message));
  if (check.rows.length > 0) {
    const table = el('table');
    const head = el('tr');
    for (const c of check.columns) head.append(el('th', undefined, c));
    table.append(head);
    for (const row of check.rows.slice(0, 200)) {
      const tr = el('tr');
      for (const c of check.columns) tr.append(el('td', undefined, row[c] === null || row[c] === undefined ? '' : String(row[c])));
      table.append(tr);
    }
    box.append(table);
  }
  return box;
}

function render(): void {
  const root = document.getElementById('root');
  if (!root) return;
  root.replaceChildren();
  const plan = state.plan;
  if (!plan) {
    root.append(el('p', 'muted', 'Preparing the plan…'));
    return;
  }
  root.append(el('h1', undefined, state.title));
  const facts = el('dl', 'facts');
  const fact = (k: string, v: string): void => {
    facts.append(el('dt', undefined, k), el('dd', undefined, v));
  };
  if (plan.lookbackDays !== null) fact('Lookback', `${plan.lookbackDays} days`);
  if (plan.months.length > 0) fact('Months rewritten', plan.months.join(', '));
  fact('Today', plan.today);
  fact('dbt', plan.dbtCommand.map(shellWord).join(' '));
  if (plan.connection) fact('Connection', plan.connection);
  fact('Steps', String(plan.steps.length));
  root.append(facts);

  if (plan.warnings.length > 0) {
    const w = el('section', 'warnings');
    w.append(el('h2', undefined, 'Before anything runs'));
    const ul = el('ul');
    for (const warning of plan.warnings) ul.append(el('li', undefined, warning.message));
    w.append(ul);
    root.append(w);
  }
  if (plan.notes.length > 0) {
    const ul = el('ul', 'notes');
    for (const n of plan.notes) ul.append(el('li', undefined, n));
    root.append(ul);
  }

  const list = el('ol', 'steps');
  let phase = '';
  for (const step of plan.steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      list.append(el('li', 'phase', phase));
    }
    const status = state.steps[step.id]?.status ?? 'pending';
    const li = el('li', `step step-${step.kind} status-${status}`);
    li.dataset.stepId = step.id;
    const head = el('div', 'step-head');
    head.append(el('span', 'badge', STATUS_TEXT[status]), el('span', 'kind', step.kind), el('span', 'description', step.kind === 'gate' ? step.title : step.description));
    if (step.always) head.append(el('span', 'always', 'always runs, even after a failure'));
    if (step.kind === 'gate' && step.requiresExplained && step.requiresExplained.length > 0) {
      head.append(el('span', 'explain', `needs a note for every outlier of ${step.requiresExplained.join(', ')}`));
    }
    li.append(head);
    const detail = state.steps[step.id]?.detail;
    if (detail) li.append(el('div', 'detail', detail));
    li.append(el('pre', 'code', stepCode(step, plan)));
    const check = state.checks[step.id];
    if (check) li.append(renderCheck(check));
    list.append(li);
  }
  root.append(list);

  const bar = el('div', 'actions');
  const stopped = state.run.state === 'failed' || state.run.state === 'cancelled';
  const run = el('button', 'primary', stopped ? 'Resume run' : state.run.state === 'idle' ? 'Approve and run' : state.run.state === 'running' ? 'Running…' : 'Done');
  run.id = stopped ? 'resume-run' : 'approve-and-run';
  run.disabled = !state.canRun || !(state.run.state === 'idle' || (stopped && state.run.runId !== null));
  run.title =
    state.cannotRunReason ??
    (stopped ? 'Continues the run at its first unfinished step; the approvals given stay given' : 'Approves every gate shown above, then runs the plan in a terminal');
  run.addEventListener('click', () => vscode.postMessage({ type: stopped ? 'resume' : 'approveAndRun' }));
  const cancel = el('button', 'secondary', 'Cancel run');
  cancel.disabled = state.run.state !== 'running';
  cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
  const copy = el('button', 'secondary', 'Copy plan as text');
  copy.addEventListener('click', () => vscode.postMessage({ type: 'copyPlanText' }));
  bar.append(run, cancel, copy);
  if (state.cannotRunReason) bar.append(el('span', 'muted', state.cannotRunReason));
  if (state.run.message) bar.append(el('div', `run-message run-${state.run.state}`, state.run.message));
  root.append(bar);
}

window.addEventListener('message', (event: MessageEvent<HostToView>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'plan':
      state = { ...initial, plan: msg.plan, title: msg.title, text: msg.text, canRun: msg.canRun, cannotRunReason: msg.cannotRunReason };
      break;
    case 'step':
      state.steps[msg.stepId] = { status: msg.status, detail: msg.detail };
      break;
    case 'check':
      state.checks[msg.stepId] = { status: msg.status, message: msg.message, columns: msg.columns, rows: msg.rows };
      break;
    case 'run':
      state.run = { state: msg.state, message: msg.message, runId: msg.runId };
      break;
  }
  vscode.setState(state);
  render();
});

render();
vscode.postMessage({ type: 'ready' });
