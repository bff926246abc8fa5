import { ChartView, drawAndReport, warmUp } from '../shared/chartView';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import type { HostToModelChart, ModelChartState, ModelChartToHost } from './protocol';

const vscode = vscodeApi<ModelChartToHost, ModelChartState>();
const chartTab = document.getElementById('tab-chart') as HTMLButtonElement;
const tableTab = document.getElementById('tab-table') as HTMLButtonElement;
const chartPane = document.getElementById('pane-chart') as HTMLElement;
const tablePane = document.getElementById('pane-table') as HTMLElement;
const statusEl = document.getElementById('status') as HTMLElement;
document.body.classList.add('fill');
const chart = new ChartView(chartPane, (m) => vscode.postMessage(m), { headingLevel: 'h1', summaryId: 'summary', chartId: 'chart' });
let last: Extract<HostToModelChart, { type: 'render' }> | undefined;
let state: ModelChartState | undefined = vscode.getState();

function showTab(tab: ModelChartState['tab']): void {
  chartTab.setAttribute('aria-selected', String(tab === 'chart'));
  tableTab.setAttribute('aria-selected', String(tab === 'table'));
  chartPane.hidden = tab !== 'chart';
  tablePane.hidden = tab !== 'table';
  if (state) {
    state = { ...state, tab };
    vscode.setState(state);
  }
}

/** The results table; every cell is text from the user's data: textContent only. */
function showTable(m: Extract<HostToModelChart, { type: 'render' }>): void {
  const table = document.createElement('table');
  table.className = 'results';
  const head = table.createTHead().insertRow();
  for (const c of m.table.columns) {
    const th = document.createElement('th');
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of m.table.rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = v === null ? 'NULL' : String(v);
  }
  const caption = table.createCaption();
  caption.textContent = `${m.model}: ${m.table.rows.length} of ${m.table.total} rows`;
  tablePane.replaceChildren(table);
}

async function draw(): Promise<void> {
  if (!last) return;
  await drawAndReport(chart, last.chart, (m) => vscode.postMessage(m));
}

chartTab.addEventListener('click', () => {
  showTab('chart');
  vscode.postMessage({ type: 'tab', tab: 'chart' });
});
tableTab.addEventListener('click', () => {
  showTab('table');
  vscode.postMessage({ type: 'tab', tab: 'table' });
});

window.addEventListener('message', (event: MessageEvent<HostToModelChart>) => {
  const m = event.data;
  if (m?.type === 'render') {
    last = m;
    state = m.state;
    statusEl.textContent = '';
    showTab(m.state.tab);
    showTable(m);
    void draw();
  } else if (m?.type === 'failed') {
    state = m.state;
    vscode.setState(m.state);
    statusEl.textContent = `${m.model}: ${m.message}`;
  }
});

onThemeChange(() => void draw());
vscode.postMessage({ type: 'ready' });
// While the host reads the store: compile Vega's code paths, so the first chart draws on warm code.
// Its cards have fewer rows than CANVAS_ROWS: SVG only.
void warmUp(['svg']);
