import { ChartView } from '../shared/chartView';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import type { DashboardState, DashboardToHost, HostToDashboard } from './protocol';

const vscode = vscodeApi<DashboardToHost, DashboardState>();
const form = document.getElementById('range') as HTMLFormElement;
const insightsEl = document.getElementById('insights') as HTMLUListElement;
const problemsEl = document.getElementById('problems') as HTMLElement;
const chartsEl = document.getElementById('charts') as HTMLElement;
let views: ChartView[] = [];
let last: HostToDashboard | undefined;

const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;

async function draw(): Promise<void> {
  if (!last) return;
  const points: Record<string, number> = {};
  for (const [i, chart] of last.charts.entries()) {
    try {
      points[chart.id] = await (views[i] as ChartView).render(chart);
    } catch (err) {
      vscode.postMessage({ type: 'error', message: `${chart.id}: ${(err as Error).message}` });
    }
  }
  vscode.postMessage({ type: 'rendered', points });
}

/** Insights as a list; each opens its chart. Text from the network: textContent only. */
function showInsights(m: HostToDashboard): void {
  insightsEl.replaceChildren();
  if (m.insights.length === 0) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = m.hasData === false
      ? 'No data yet, so nothing to look at: run “Community Metrics: Refresh” to fetch the tracked projects’ metrics.'
      : 'No insight flags: nothing unusual in the data.';
    insightsEl.append(li);
  }
  m.insights.forEach((ins, index) => {
    const li = document.createElement('li');
    const strong = document.createElement('strong');
    strong.textContent = `${ins.subject}: ${ins.title}`;
    const p = document.createElement('p');
    p.textContent = ins.explanation;
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Open chart';
    open.addEventListener('click', () => vscode.postMessage({ type: 'openInsight', index }));
    li.append(strong, p, open);
    insightsEl.append(li);
  });
}

window.addEventListener('message', (event: MessageEvent<HostToDashboard>) => {
  const m = event.data;
  if (m?.type !== 'render') return;
  last = m;
  vscode.setState(m.state);
  input('from').value = m.state.from ?? '';
  input('to').value = m.state.to ?? '';
  showInsights(m);
  problemsEl.textContent = m.problems.join('\n');
  for (const v of views) v.dispose();
  views = m.charts.map(() => new ChartView(chartsEl, (x) => vscode.postMessage(x)));
  void draw();
});

form.addEventListener('change', () => {
  const from = input('from').value;
  const to = input('to').value;
  vscode.postMessage({ type: 'range', state: { ...(from ? { from } : {}), ...(to ? { to } : {}) } });
});
form.addEventListener('submit', (e) => e.preventDefault());
onThemeChange(() => void draw());
vscode.postMessage({ type: 'ready' });
