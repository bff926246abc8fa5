import { ChartView, warmUp } from '../shared/chartView';
import type { ChartPayloadMessage } from '../shared/messages';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import type { DashboardState, DashboardToHost, HostToDashboard, InsightMessage, ProjectMessage } from './protocol';

const vscode = vscodeApi<DashboardToHost, DashboardState>();
const form = document.getElementById('range') as HTMLFormElement;
const insightsEl = document.getElementById('insights') as HTMLUListElement;
const insightsSection = document.getElementById('insights-section') as HTMLElement;
const problemsEl = document.getElementById('problems') as HTMLElement;
const projectsEl = document.getElementById('projects') as HTMLElement;
const chartsEl = document.getElementById('charts') as HTMLElement;
let views: ChartView[] = [];
let last: HostToDashboard | undefined;

const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;

/** The questions a project's charts answer, in the order a maintainer asks them. */
const GROUPS: Array<{ key: NonNullable<ChartPayloadMessage['group']>; title: string }> = [
  { key: 'growth', title: 'Growth' },
  { key: 'usage', title: 'Usage' },
  { key: 'community', title: 'Community health' },
];

/** How long the page draws cards before it lets the browser paint them. */
const FRAME_BUDGET = 100;

/**
 * Draws every card, one after another but yielding to the browser between them, so that the page
 * paints its first cards while the later ones are still being built.
 */
async function draw(): Promise<void> {
  if (!last) return;
  const points: Record<string, number> = {};
  let slice = performance.now();
  for (const [i, chart] of last.charts.entries()) {
    try {
      points[chart.id] = await (views[i] as ChartView).render(chart);
    } catch (err) {
      vscode.postMessage({ type: 'error', message: `${chart.id}: ${(err as Error).message}` });
    }
    // Let the page paint what is drawn so far every FRAME_BUDGET ms, not after every card: waiting
    // for a frame after each of 20 cards adds up to 20 frames of doing nothing.
    if (performance.now() - slice > FRAME_BUDGET) {
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      slice = performance.now();
    }
  }
  vscode.postMessage({ type: 'rendered', points });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Insights as a list; each opens its chart. Text from the network: textContent only. */
function insightItems(list: Array<{ ins: InsightMessage; index: number }>): HTMLLIElement[] {
  return list.map(({ ins, index }) => {
    const li = el('li');
    const strong = el('strong', undefined, `${ins.subject}: ${ins.title}`);
    const p = el('p', undefined, ins.explanation);
    const open = el('button', undefined, 'Open chart');
    open.type = 'button';
    open.addEventListener('click', () => vscode.postMessage({ type: 'openInsight', index }));
    li.append(strong, p, open);
    return li;
  });
}

function figures(p: ProjectMessage): HTMLElement {
  const row = el('div', 'figures');
  row.setAttribute('role', 'list');
  for (const f of p.figures) {
    const card = el('div', 'figure');
    card.setAttribute('role', 'listitem');
    card.append(el('div', 'figure-label', f.label), el('div', 'figure-value', f.value), el('div', `figure-detail${f.trend ? ` trend-${f.trend}` : ''}`, f.detail));
    row.append(card);
  }
  return row;
}

/**
 * The page, top-down: per project its headline figures, the insight flags about it, then its
 * charts grouped by question, each card with its one-line takeaway; charts of the user's models
 * and flags about no tracked project last.
 */
function layout(m: HostToDashboard): void {
  for (const v of views) v.dispose();
  views = [];
  const ordered: ChartPayloadMessage[] = [];
  const sections: HTMLElement[] = [];
  const indexed = m.insights.map((ins, index) => ({ ins, index }));
  const known = new Set(m.projects.map((p) => p.name));
  for (const p of m.projects) {
    const section = el('section', 'project');
    section.append(el('h2', 'project-title', p.name));
    if (p.figures.length) section.append(figures(p));
    const flags = indexed.filter((x) => x.ins.project === p.name);
    if (flags.length) {
      const ul = el('ul', 'insights');
      ul.setAttribute('aria-label', `Insights about ${p.name}`);
      ul.append(...insightItems(flags));
      section.append(ul);
    }
    for (const g of GROUPS) {
      const mine = m.charts.filter((c) => c.project === p.name && c.group === g.key);
      if (!mine.length) continue;
      const grid = el('div', 'dashboard-grid');
      section.append(el('h3', 'group-title', g.title), grid);
      for (const c of mine) {
        ordered.push(c);
        views.push(card(grid, c));
      }
    }
    sections.push(section);
  }
  projectsEl.replaceChildren(...sections);
  // Flags about no project shown above (or every flag when there is no project section yet).
  const rest = indexed.filter((x) => !x.ins.project || !known.has(x.ins.project));
  insightsEl.replaceChildren(...insightItems(rest));
  if (m.insights.length === 0) {
    insightsEl.append(el('li', 'none', m.hasData === false
      ? 'No data yet, so nothing to look at: run “Community Metrics: Refresh” to fetch the tracked projects’ metrics.'
      : 'No insight flags: nothing unusual in the data.'));
  }
  insightsSection.hidden = rest.length === 0 && m.insights.length > 0;
  chartsEl.replaceChildren();
  const others = m.charts.filter((c) => !c.project || !known.has(c.project) || !c.group);
  if (others.length) chartsEl.before(el('h2', 'models-title', 'Charts of your models'));
  for (const c of others) {
    ordered.push(c);
    views.push(card(chartsEl, c));
  }
  last = { ...m, charts: ordered };
}

function card(parent: HTMLElement, c: ChartPayloadMessage): ChartView {
  const view = new ChartView(parent, (x) => vscode.postMessage(x));
  if (c.takeaway) view.setTakeaway(c.takeaway);
  return view;
}

window.addEventListener('message', (event: MessageEvent<HostToDashboard>) => {
  const m = event.data;
  if (m?.type !== 'render') return;
  vscode.setState(m.state);
  input('from').value = m.state.from ?? '';
  input('to').value = m.state.to ?? '';
  problemsEl.textContent = m.problems.join('\n');
  document.querySelectorAll('h2.models-title').forEach((h) => h.remove());
  layout(m);
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
// While the host reads the store: compile Vega's code paths, so the first chart draws on warm code.
// Its cards have fewer rows than CANVAS_ROWS: SVG only.
void warmUp(['svg']);
