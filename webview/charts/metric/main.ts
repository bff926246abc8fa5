import { ChartView, drawAndReport, warmUp } from '../shared/chartView';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscodeApi';
import type { EventTypeChoice, HostToMetricChart, MetricChartState, MetricChartToHost, SeriesChoice } from './protocol';

const vscode = vscodeApi<MetricChartToHost, MetricChartState>();
const form = document.getElementById('controls') as HTMLFormElement;
const noteEl = document.getElementById('note') as HTMLElement;
const chosenEl = document.getElementById('chosen') as HTMLElement;
const searchEl = document.getElementById('compare-search') as HTMLInputElement;
const listEl = document.getElementById('compare-list') as HTMLElement;
document.body.classList.add('fill');
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

/** The charted series as chips (× removes one, never the last); labels are names from the network: textContent only. */
function showChosen(choices: SeriesChoice[], s: MetricChartState): void {
  const chips = s.series.map((r) => {
    const c = choices.find((x) => x.artifactId === r.artifactId && x.metricKey === r.metricKey);
    const li = document.createElement('li');
    li.className = 'chip';
    li.dataset.artifact = r.artifactId;
    li.dataset.metric = r.metricKey;
    const text = document.createElement('span');
    text.textContent = c?.label ?? `${r.artifactId} · ${r.metricKey}`;
    li.append(text);
    if (s.series.length > 1) {
      const x = document.createElement('button');
      x.type = 'button';
      x.className = 'chip-remove';
      x.textContent = '×';
      x.setAttribute('aria-label', `Remove ${text.textContent}`);
      x.addEventListener('click', () => sendSeries(s.series.filter((o) => o !== r)));
      li.append(x);
    }
    return li;
  });
  chosenEl.replaceChildren(...chips);
}

/**
 * The searchable picker: every metric not yet charted, filtered by the words typed (each must occur,
 * in any order), at most PICKER_ROWS shown. Arrow keys move, Enter adds, Escape closes.
 */
const PICKER_ROWS = 30;
let choicesNow: SeriesChoice[] = [];
let active = 0;
function showPicker(): void {
  if (!state) return;
  const words = searchEl.value.toLowerCase().split(/\s+/).filter(Boolean);
  const charted = new Set(state.series.map((r) => `${r.artifactId}#${r.metricKey}`));
  const matches = choicesNow.filter((c) => !charted.has(`${c.artifactId}#${c.metricKey}`) && words.every((w) => c.label.toLowerCase().includes(w)));
  active = Math.min(active, Math.max(0, matches.length - 1));
  const rows = matches.slice(0, PICKER_ROWS).map((c, i) => {
    const li = document.createElement('li');
    li.setAttribute('role', 'option');
    li.id = `choice-${i}`;
    li.setAttribute('aria-selected', String(i === active));
    li.textContent = c.label;
    li.addEventListener('mousedown', (e) => {
      e.preventDefault();
      add(c);
    });
    return li;
  });
  if (matches.length > PICKER_ROWS) {
    const more = document.createElement('li');
    more.className = 'more';
    more.textContent = `${matches.length - PICKER_ROWS} more: type to narrow`;
    rows.push(more);
  }
  if (matches.length === 0) {
    const none = document.createElement('li');
    none.className = 'more';
    none.textContent = 'No other metric matches';
    rows.push(none);
  }
  listEl.replaceChildren(...rows);
  searchEl.setAttribute('aria-activedescendant', matches.length ? `choice-${active}` : '');
  pickerMatches = matches;
}
let pickerMatches: SeriesChoice[] = [];

function add(c: SeriesChoice): void {
  if (!state) return;
  searchEl.value = '';
  listEl.hidden = true;
  sendSeries([...state.series, { artifactId: c.artifactId, metricKey: c.metricKey }]);
}

function sendSeries(series: MetricChartState['series']): void {
  const next = readState();
  if (next) vscode.postMessage({ type: 'options', state: { ...next, series } });
}

searchEl.addEventListener('focus', () => {
  listEl.hidden = false;
  showPicker();
});
searchEl.addEventListener('input', () => {
  active = 0;
  listEl.hidden = false;
  showPicker();
});
searchEl.addEventListener('blur', () => {
  listEl.hidden = true;
});
searchEl.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    active = Math.max(0, Math.min(Math.min(pickerMatches.length, PICKER_ROWS) - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
    showPicker();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    const c = pickerMatches[active];
    if (c) add(c);
  } else if (e.key === 'Escape') {
    listEl.hidden = true;
  }
});

function readState(): MetricChartState | undefined {
  if (!state) return undefined;
  const series = [...chosenEl.querySelectorAll<HTMLElement>('li.chip')].map((b) => ({ artifactId: b.dataset.artifact as string, metricKey: b.dataset.metric as string }));
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

form.addEventListener('change', () => send());
form.addEventListener('submit', (e) => e.preventDefault());

window.addEventListener('message', (event: MessageEvent<HostToMetricChart>) => {
  const m = event.data;
  if (m?.type === 'render') {
    last = m;
    state = m.state;
    vscode.setState(m.state);
    showState(m.state);
    choicesNow = m.choices;
    showChosen(m.choices, m.state);
    if (!listEl.hidden) showPicker();
    showEventTypes(m.eventTypes, m.state);
    noteEl.textContent = m.note ?? '';
    void draw();
  } else if (m?.type === 'failed') {
    state = m.state;
    noteEl.textContent = m.message;
  }
});

onThemeChange(() => void draw());
// The plot's width bounds the points drawn per series: the host aggregates to a grain that fits.
vscode.postMessage({ type: 'ready', plotWidth: Math.round((document.getElementById('charts') as HTMLElement).clientWidth || window.innerWidth) });
// While the host reads the store: compile Vega's code paths, so the first chart draws on warm code.
void warmUp();
