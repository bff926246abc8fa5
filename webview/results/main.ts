import type { Cell, HostToResults, ResultsState, ResultsToHost } from './protocol';

interface VsCodeApi {
  postMessage(message: ResultsToHost): void;
  setState(state: ResultsState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const MAX_CELL = 200;
const titleEl = document.getElementById('title') as HTMLElement;
const summaryEl = document.getElementById('summary') as HTMLElement;
const errorEl = document.getElementById('error') as HTMLElement;
const table = document.getElementById('results') as HTMLTableElement;
(document.getElementById('export') as HTMLButtonElement).addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));

/** A JSON object or array in a text cell, pretty-printed; anything else as it is. */
function pretty(value: string): string | undefined {
  const t = value.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return undefined;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return undefined;
  }
}

function cell(value: Cell): HTMLTableCellElement {
  const td = document.createElement('td');
  if (value === null) {
    td.textContent = 'NULL';
    td.className = 'null';
    return td;
  }
  if (typeof value === 'number') {
    td.textContent = String(value);
    td.className = 'num';
    return td;
  }
  const json = pretty(value);
  const text = json ?? value;
  // Everything goes in as text: values come from the network and the user's files.
  if (json) {
    const pre = document.createElement('pre');
    pre.textContent = json.length > MAX_CELL * 5 ? `${json.slice(0, MAX_CELL * 5)}…` : json;
    td.appendChild(pre);
  } else {
    td.textContent = text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}…` : text;
  }
  if (text.length > MAX_CELL) {
    td.title = text.slice(0, 4000);
    td.classList.add('truncated');
  }
  return td;
}

window.addEventListener('message', (event: MessageEvent<HostToResults>) => {
  const m = event.data;
  if (m?.type !== 'show') return;
  titleEl.textContent = m.title;
  errorEl.textContent = m.error ?? '';
  table.replaceChildren();
  if (m.error) {
    summaryEl.textContent = '';
    return;
  }
  summaryEl.textContent = m.rows.length === 0
    ? 'No rows: the relation is empty. Run “Community Metrics: Refresh” for data, then Run Model or Build Project.'
    : m.total > m.rows.length ? `First ${m.rows.length.toLocaleString('en-US')} of ${m.total.toLocaleString('en-US')} rows` : `${m.rows.length.toLocaleString('en-US')} rows`;
  const head = table.createTHead().insertRow();
  for (const c of m.columns) {
    const th = document.createElement('th');
    th.textContent = c;
    th.scope = 'col';
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const r of m.rows) {
    const tr = body.insertRow();
    for (const v of r) tr.appendChild(cell(v));
  }
  vscode.postMessage({ type: 'shown', rows: m.rows.length });
});

vscode.postMessage({ type: 'ready' });
