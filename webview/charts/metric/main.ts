import { ChartView, drawAndReport } from '../shared/chartView';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import type { EventTypeChoice, HostToMetricChart, MetricChartState, MetricChartToHost, SeriesChoice } from './protocol';

const vscode = vscodeApi<MetricChartToHost, MetricChartState>();
const form = document.getElementById('controls') as HTMLFormElement;
const noteEl = document.getElementById('note') as HTMLElement;
const compareEl = document.getElementById('compare') as HTMLElement;
const eventTypeEl = document.getElementById('event-type') as HTMLElement;
const chart = new ChartView(document.getElementById('charts') as HTMLElement, (m) => vscode.postMessage(m), { headingLevel: 'h1', summaryId: 'summary', chartId: 'chart' });
let state: MetricChartState | undefined = vscode.getState();
let last: Extract<HostToMetricChart, { type: 'render' }> | undefined;

const field = <T extends HTMLInputElement | HTMLSelectElement>(name: string) => form.elements.namedItem(name) as T;

function showState(s: MetricChartState): void {
  field<HTMLSelectElement>('grain').value = s.grain;
  field<HTMLSelectElement>('mode').value = s.mode;
  field<HTMLInputElement>('log').checked = s.log;
  field<HTMLInputElement>('align').checked = s.align;
  field<HTMLInputElement>('from').value = s.from ?? '';
  field<HTMLInputElement>('to').value = s.to ?? '';
}

/** The GH Archive event type filter, shown only while a GH Archive series is charted. Types come from the network: textContent only. */
function showEventTypes(types: EventTypeChoice[] | undefined, s: MetricChartState): void {
  const select = field<HTMLSelectElement>('eventType');
  eventTypeEl.hidden = types === undefined;
  const all = document.createElement('option');
  all.value = '';
  all.textContent = 'All types';
  const options = (types ?? []).map((t) => {
    const o = document.createElement('option');
    o.value = t.type;
    o.textContent = `${t.type} (${t.events.toLocaleString('en-US')})`;
    return o;
  });
  select.replaceChildren(all, ...options);
  select.value = s.eventType ?? '';
}

/** One checkbox per metric that can be compared; labels are names from the network: textContent only. */
function showChoices(choices: SeriesChoice[], s: MetricChartState): void {
  compareEl.replaceChildren();
  for (const c of choices) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = s.series.some((r) => r.artifactId === c.artifactId && r.metricKey === c.metricKey);
    box.dataset.artifact = c.artifactId;
    box.dataset.metric = c.metricKey;
    box.addEventListener('change', send);
    label.append(box, document.createTextNode(` ${c.label}`));
    compareEl.append(label);
  }
}

function readState(): MetricChartState | undefined {
  if (!state) return undefined;
  const series = [...compareEl.querySelectorAll<HTMLInputElement>('input[type=checkbox]')]
    .filter((b) => b.checked)
    .map((b) => ({ artifactId: b.dataset.artifact as string, metricKey: b.dataset.metric as string }));
  const from = field<HTMLInputElement>('from').value;
  const to = field<HTMLInputElement>('to').value;
  const eventType = field<HTMLSelectElement>('eventType').value;
  return {
    series: series.length ? series : state.series,
    grain: field<HTMLSelectElement>('grain').value as MetricChartState['grain'],
    mode: field<HTMLSelectElement>('mode').value as MetricChartState['mode'],
    log: field<HTMLInputElement>('log').checked,
    align: field<HTMLInputElement>('align').checked,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(eventType ? { eventType } : {}),
  };
}

function send(): void {
  const next = readState();
  if (next) vscode.postMessage({ type: 'options', state: next });
}

async function draw(): Promise<void> {
  if (!last) return;
  await drawAndReport(chart, last.chart, (m) => vscode.postMessage(m));
}

form.addEventListener('change', (e) => {
  if ((e.target as HTMLElement).closest('#compare')) return;
  send();
});
form.addEventListener('submit', (e) => e.preventDefault());

window.addEventListener('message', (event: MessageEvent<HostToMetricChart>) => {
  const m = event.data;
  if (m?.type === 'render') {
    last = m;
    state = m.state;
    vscode.setState(m.state);
    showState(m.state);
    showChoices(m.choices, m.state);
    showEventTypes(m.eventTypes, m.state);
    noteEl.textContent = m.note ?? '';
    void draw();
  } else if (m?.type === 'failed') {
    state = m.state;
    noteEl.textContent = m.message;
  }
});

onThemeChange(() => void draw());
vscode.postMessage({ type: 'ready' });
