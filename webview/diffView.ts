/**
 * The dev-vs-prod diff view, in the webview's browser context: summary cards, schema diff, the outliers (sortable,
 * each explainable), match rates, per-partition counts as a small chart, and the promotion gate. DOM is built from
 * the typed messages with textContent only; the view keeps what it shows in the webview state.
 */
import type { Comparison, Outlier } from '../src/core/compare/types';
import type { DiffViewToHost, HostToDiffView, OutlierNote, PromotionGate } from '../src/protocol/diffView';

interface VsCodeApi {
  postMessage(message: DiffViewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type SortKey = 'relDelta' | 'column' | 'key' | 'prod' | 'dev';

interface ViewState {
  title: string;
  comparison: Comparison | null;
  notes: OutlierNote[];
  gate: PromotionGate;
  canApprove: boolean;
  cannotApproveReason: string | null;
  sort: { key: SortKey; descending: boolean };
}

const vscode = acquireVsCodeApi();
const initial: ViewState = {
  title: '',
  comparison: null,
  notes: [],
  gate: { title: '', statements: [], state: 'none' },
  canApprove: false,
  cannotApproveReason: null,
  sort: { key: 'relDelta', descending: true },
};
let state: ViewState = { ...initial, ...((vscode.getState() as Partial<ViewState> | undefined) ?? {}) };

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function num(n: number | null): string {
  if (n === null) return 'NULL';
  return Math.abs(n) >= 1e6 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(3) : n.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function pct(r: number | null): string {
  return r === null ? 'n/a' : `${r >= 0 ? '+' : ''}${(r * 100).toFixed(2)}%`;
}

const idOf = (key: readonly string[], column: string): string => JSON.stringify([key, column]);

function noteOf(o: Outlier): string {
  return state.notes.find((n) => idOf(n.key, n.column) === idOf(o.key, o.column))?.note ?? '';
}

function unexplained(c: Comparison): number {
  return c.outliers.filter((o) => o.needsExplanation && noteOf(o).trim() === '').length;
}

function card(label: string, value: string, tone: 'ok' | 'warn' | 'plain' = 'plain', id?: string): HTMLElement {
  const box = el('div', `card card-${tone}`);
  const v = el('div', 'card-value', value);
  if (id) v.id = id;
  box.append(v, el('div', 'card-label', label));
  return box;
}

function relation(r: Comparison['dev']): string {
  return [r.database, r.schema, r.name].filter((x): x is string => x !== null && x !== '').join('.');
}

function section(title: string): HTMLElement {
  const s = el('section');
  s.append(el('h2', undefined, title));
  return s;
}

function renderSummary(c: Comparison): HTMLElement {
  const s = el('div', 'cards');
  s.append(
    card('rows in dev', num(c.rowCounts.dev), 'plain', 'rows-dev'),
    card('rows in prod', num(c.rowCounts.prod), 'plain', 'rows-prod'),
    card('keys only in dev', num(c.keys.onlyInDev), c.keys.onlyInDev > 0 ? 'warn' : 'ok', 'only-in-dev'),
    card('keys only in prod', num(c.keys.onlyInProd), c.keys.onlyInProd > 0 ? 'warn' : 'ok', 'only-in-prod'),
    card('duplicated keys in dev', num(c.keys.duplicatedInDev), c.keys.duplicatedInDev > 0 ? 'warn' : 'ok', 'duplicated-dev'),
    card('duplicated keys in prod', num(c.keys.duplicatedInProd), c.keys.duplicatedInProd > 0 ? 'warn' : 'ok', 'duplicated-prod'),
    card('changed rows', num(c.changedRows), c.changedRows > 0 ? 'warn' : 'ok', 'changed-rows'),
    card('outliers to explain', String(unexplained(c)), unexplained(c) > 0 ? 'warn' : 'ok', 'unexplained'),
  );
  return s;
}

function renderSchema(c: Comparison): HTMLElement {
  const s = section('Schema');
  if (c.schema.added.length + c.schema.removed.length + c.schema.retyped.length === 0) {
    s.append(el('p', 'muted', 'Same columns and types on both sides.'));
    return s;
  }
  const ul = el('ul', 'schema');
  for (const a of c.schema.added) ul.append(el('li', 'added', `+ ${a} (only in dev)`));
  for (const r of c.schema.removed) ul.append(el('li', 'removed', `− ${r} (only in prod)`));
  for (const t of c.schema.types) ul.append(el('li', 'retyped', `~ ${t.column}: ${t.prod ?? '?'} in prod, ${t.dev ?? '?'} in dev`));
  s.append(ul);
  return s;
}

function renderChecks(c: Comparison): HTMLElement | null {
  if (!c.history && c.anomalies.length === 0 && !c.spotCheck) return null;
  const s = section('Checks');
  const ul = el('ul', 'checks');
  if (c.history) {
    const ok = c.history.differing === 0;
    const li = el('li', ok ? 'ok' : 'bad', `(a) history before ${c.history.before}: ${num(c.history.differing)} of ${num(c.history.rows)} rows differ`);
    if (!ok) li.append(el('span', 'muted', ` (${c.history.columns.filter((x) => x.differing > 0).map((x) => `${x.column}: ${x.differing}`).join(', ')})`));
    ul.append(li);
  }
  for (const a of c.anomalies) {
    const bound = [a.min !== null ? `below ${num(a.min)}` : null, a.max !== null ? `above ${num(a.max)}` : null].filter(Boolean).join(' or ');
    ul.append(el('li', a.rows === 0 ? 'ok' : 'bad', `(b) ${a.column} ${bound}: ${num(a.rows)} rows in dev`));
  }
  if (c.spotCheck) ul.append(el('li', c.spotCheck.differing === 0 ? 'ok' : 'bad', `(c) spot check against the upstream: ${num(c.spotCheck.differing)} of ${num(c.spotCheck.rows)} differ`));
  s.append(ul);
  return s;
}

function sortedOutliers(c: Comparison): Outlier[] {
  const { key, descending } = state.sort;
  const value = (o: Outlier): number | string => {
    switch (key) {
      case 'relDelta':
        return o.relDelta === null ? Number.POSITIVE_INFINITY : Math.abs(o.relDelta);
      case 'column':
        return o.column;
      case 'key':
        return o.key.join('\u0000');
      case 'prod':
        return o.prod ?? Number.NEGATIVE_INFINITY;
      case 'dev':
        return o.dev ?? Number.NEGATIVE_INFINITY;
    }
  };
  return [...c.outliers].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const cmp = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -cmp : cmp;
  });
}

function renderOutliers(c: Comparison): HTMLElement {
  const s = section(`Top outliers (${c.outliers.length})`);
  if (c.outliers.length === 0) {
    s.append(el('p', 'muted', 'No matched row changed a numeric value.'));
    return s;
  }
  const table = el('table', 'outliers');
  const head = el('tr');
  const headers: Array<[SortKey | null, string]> = [['key', c.key.join(', ')], ['column', 'column'], ['prod', 'prod'], ['dev', 'dev'], ['relDelta', 'Δ'], [null, 'explanation']];
  for (const [key, label] of headers) {
    const th = el('th', key ? 'sortable' : undefined, label + (key && state.sort.key === key ? (state.sort.descending ? ' ▼' : ' ▲') : ''));
    if (key) {
      th.addEventListener('click', () => {
        state.sort = { key, descending: state.sort.key === key ? !state.sort.descending : true };
        save();
      });
    }
    head.append(th);
  }
  table.append(head);
  for (const o of sortedOutliers(c)) {
    const note = noteOf(o);
    const tr = el('tr', o.needsExplanation ? (note.trim() ? 'explained' : 'needs-note') : undefined);
    tr.append(el('td', 'key', o.key.join(', ')), el('td', undefined, o.column), el('td', 'n', num(o.prod)), el('td', 'n', num(o.dev)), el('td', 'n', pct(o.relDelta)));
    const cell = el('td');
    if (o.needsExplanation) {
      const input = el('input', 'note');
      input.type = 'text';
      input.placeholder = 'why this change is expected';
      input.value = note;
      input.addEventListener('change', () => {
        state.notes = state.notes.filter((n) => idOf(n.key, n.column) !== idOf(o.key, o.column));
        if (input.value.trim()) state.notes.push({ key: o.key, column: o.column, note: input.value.trim() });
        vscode.postMessage({ type: 'explain', key: o.key, column: o.column, note: input.value.trim() });
        save();
      });
      cell.append(input);
    } else {
      cell.append(el('span', 'muted', 'below the threshold'));
    }
    tr.append(cell);
    table.append(tr);
  }
  s.append(table);
  return s;
}

function renderMatchRates(c: Comparison): HTMLElement | null {
  if (c.matchRates.length === 0) return null;
  const s = section('Match rate per column');
  const table = el('table', 'rates');
  for (const m of c.matchRates) {
    const tr = el('tr');
    tr.append(el('td', undefined, m.column), el('td', 'n', `${(m.rate * 100).toFixed(2)}%`), el('td', 'muted', `${num(m.matched)} of ${num(m.total)}`));
    table.append(tr);
  }
  s.append(table);
  return s;
}

/** Dev and prod row counts per partition as paired bars. */
function renderPartitions(c: Comparison): HTMLElement | null {
  if (c.partitions.length === 0) return null;
  const s = section('Rows per partition');
  const max = Math.max(1, ...c.partitions.flatMap((p) => [p.dev, p.prod]));
  const barW = 10;
  const gap = 8;
  const h = 120;
  const width = c.partitions.length * (2 * barW + gap) + gap;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${h + 4}`);
  svg.setAttribute('width', String(Math.min(width * 2, 1200)));
  svg.setAttribute('height', String(h * 1.2));
  c.partitions.forEach((p, i) => {
    const x = gap + i * (2 * barW + gap);
    for (const [side, v, dx] of [['prod', p.prod, 0], ['dev', p.dev, barW]] as const) {
      const bh = (v / max) * h;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('class', `bar bar-${side}${p.dev !== p.prod ? ' bar-differs' : ''}`);
      rect.setAttribute('x', String(x + dx));
      rect.setAttribute('y', String(h - bh));
      rect.setAttribute('width', String(barW - 1));
      rect.setAttribute('height', String(bh));
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${p.partition} ${side}: ${num(v)}`;
      rect.append(title);
      svg.append(rect);
    }
  });
  s.append(svg);
  const legend = el('p', 'muted', 'left bar: prod, right bar: dev; hover for the counts.');
  s.append(legend);
  const differing = c.partitions.filter((p) => p.dev !== p.prod);
  if (differing.length > 0) s.append(el('p', undefined, `Partitions that differ: ${differing.map((p) => `${p.partition} (prod ${num(p.prod)}, dev ${num(p.dev)})`).join(', ')}`));
  return s;
}

function renderGate(c: Comparison): HTMLElement | null {
  if (state.gate.state === 'none') return null;
  const s = section('Promotion');
  s.append(el('p', undefined, state.gate.title));
  s.append(el('pre', 'code', state.gate.statements.join('\n')));
  const left = unexplained(c);
  const bar = el('div', 'actions');
  const approve = el('button', 'primary', state.gate.state === 'waiting' ? 'Approve promotion' : state.gate.state === 'approved' ? 'Promotion approved' : 'Promotion refused');
  approve.id = 'approve-promotion';
  approve.disabled = state.gate.state !== 'waiting' || !state.canApprove || left > 0;
  approve.title = state.cannotApproveReason ?? (left > 0 ? `Explain the ${left} outlier${left === 1 ? '' : 's'} above the threshold first` : 'Runs the promotion statements above');
  approve.addEventListener('click', () => vscode.postMessage({ type: 'approvePromotion' }));
  const refuse = el('button', 'secondary', 'Refuse');
  refuse.disabled = state.gate.state !== 'waiting';
  refuse.addEventListener('click', () => vscode.postMessage({ type: 'refusePromotion' }));
  bar.append(approve, refuse);
  if (left > 0 && state.gate.state === 'waiting') bar.append(el('span', 'muted', `${left} outlier${left === 1 ? '' : 's'} still to explain`));
  if (state.cannotApproveReason) bar.append(el('span', 'muted', state.cannotApproveReason));
  s.append(bar);
  return s;
}

function render(): void {
  const root = document.getElementById('root');
  if (!root) return;
  root.replaceChildren();
  const c = state.comparison;
  if (!c) {
    root.append(el('p', 'muted', 'Comparing…'));
    return;
  }
  root.append(el('h1', undefined, state.title));
  const facts = el('p', 'muted', `dev ${relation(c.dev)} vs prod ${relation(c.prod)} on (${c.key.join(', ')})${c.scope ? `, ${c.scope.column} from ${c.scope.from ?? 'the start'} to ${c.scope.to ?? 'the end'}` : ''}; computed in the warehouse in ${(c.millis / 1000).toFixed(2)} s`);
  root.append(facts, renderSummary(c), renderSchema(c));
  for (const part of [renderChecks(c), renderOutliers(c), renderMatchRates(c), renderPartitions(c), renderGate(c)]) if (part) root.append(part);
  const copy = el('button', 'secondary', 'Copy comparison as JSON');
  copy.addEventListener('click', () => vscode.postMessage({ type: 'copyJson' }));
  root.append(copy);
}

function save(): void {
  vscode.setState(state);
  render();
}

window.addEventListener('message', (event: MessageEvent<HostToDiffView>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'comparison':
      state = { ...state, title: msg.title, comparison: msg.comparison, notes: msg.notes, gate: msg.gate, canApprove: msg.canApprove, cannotApproveReason: msg.cannotApproveReason };
      break;
    case 'gate':
      state.gate = msg.gate;
      break;
  }
  save();
});

render();
vscode.postMessage({ type: 'ready' });
