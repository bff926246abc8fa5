import * as vscode from 'vscode';
import { EVENT_TYPE, GHARCHIVE_METRIC_KEY } from '../../core/charts/gharchiveMetric';
import { metricChart } from '../../core/charts/metricChart';
import { MAX_POINTS_PER_SERIES } from '../../core/charts/metricSeries';
import type { MetricSeries } from '../../core/charts/metricSeries';
import type { EventTypeChoice, HostToMetricChart, MetricChartState, MetricChartToHost, SeriesChoice, SeriesRef } from '../../../webview/charts/metric/protocol';
import type { ExtensionServices } from '../services';
import { saveExport } from './exportSaver';
import { storeCall } from './storeReader';
import { chartPage } from './webviewPage';
import { webviewOptions } from '../webviewPage';

export const METRIC_CHART_VIEW_TYPE = 'communityMetrics.metricChart';

const BODY = `<form id="controls" aria-label="Chart options">
  <label>Grain <select name="grain"><option value="day">Day</option><option value="week">Week</option><option value="month">Month</option><option value="quarter">Quarter</option></select></label>
  <label>Values <select name="mode"><option value="total">Total</option><option value="new">New per period</option><option value="cumulative">Cumulative</option><option value="pct">% change over previous period</option></select></label>
  <label><input type="checkbox" name="log"> Log scale</label>
  <label><input type="checkbox" name="align"> Align at first non-zero</label>
  <label>From <input type="date" name="from"></label>
  <label>To <input type="date" name="to"></label>
  <label id="event-type" hidden>GH Archive event type <select name="eventType"><option value="">All types</option></select></label>
</form>
<div id="compare" class="compare" role="group" aria-label="Series compared">
  <ul id="chosen" class="chips" aria-label="Charted series"></ul>
  <div class="picker">
    <input type="search" id="compare-search" placeholder="Compare with… (type to search metrics)" aria-label="Search a metric to compare" aria-controls="compare-list" autocomplete="off">
    <ul id="compare-list" role="listbox" aria-label="Metrics to compare" hidden></ul>
  </div>
</div>
<p id="note" role="status"></p>
<div id="charts"></div>`;

/** The state a tree metric opens with: stars and other running counts read best cumulative. */
export function initialState(ref: SeriesRef): MetricChartState {
  return { series: [ref], grain: 'day', mode: ref.metricKey === 'stars' && ref.artifactId.startsWith('github:') ? 'cumulative' : 'total', log: false, align: false };
}

/** Metric charts from tree metric nodes: one panel per first series; controls re-query in SQL. */
export class MetricChartPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<MetricChartState> {
  private readonly panels = new Map<vscode.WebviewPanel, { state: MetricChartState; ready: boolean }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly s: ExtensionServices) {
    // A refresh or a store change re-draws every open chart from the store.
    this.subscriptions.push(s.model.onDidChange(() => {
      for (const panel of this.panels.keys()) void this.post(panel);
    }));
  }

  show(ref: SeriesRef, view: Partial<Pick<MetricChartState, 'grain' | 'mode'>> = {}): vscode.WebviewPanel {
    for (const [panel, entry] of this.panels) {
      const first = entry.state.series[0];
      if (first?.artifactId === ref.artifactId && first.metricKey === ref.metricKey) {
        panel.reveal(vscode.ViewColumn.Beside);
        return panel;
      }
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(METRIC_CHART_VIEW_TYPE, 'Chart', column, webviewOptions(this.s.context.extensionUri));
    this.attach(panel, sanitize({ ...initialState(ref), ...view }, initialState(ref)));
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: MetricChartState | undefined): Promise<void> {
    if (!state || !Array.isArray(state.series) || state.series.length === 0) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.s.context.extensionUri);
    // The saved state came from the webview: as untrusted as any message from it.
    const first = state.series.find((r) => typeof r?.artifactId === 'string' && typeof r.metricKey === 'string');
    if (!first) {
      panel.dispose();
      return;
    }
    this.attach(panel, sanitize(state, initialState(first)));
  }

  private attach(panel: vscode.WebviewPanel, state: MetricChartState): void {
    const entry = { state, ready: false };
    this.panels.set(panel, entry);
    panel.title = this.title(state);
    panel.webview.html = chartPage(panel.webview, this.s.context.extensionUri, 'charts-metric', BODY);
    panel.onDidDispose(() => this.panels.delete(panel));
    panel.webview.onDidReceiveMessage((m: MetricChartToHost) => {
      switch (m.type) {
        case 'ready':
          entry.ready = true;
          entry.state = sanitize({ ...entry.state, plotWidth: m.plotWidth }, entry.state);
          void this.post(panel);
          break;
        case 'options':
          entry.state = sanitize(m.state, entry.state);
          panel.title = this.title(entry.state);
          void this.post(panel);
          break;
        case 'export':
          void saveExport(m, this.s.model.folder?.uri).catch((err) => this.s.logger.error(`chart export: ${(err as Error).message}`));
          break;
        case 'rendered':
          this.s.logger.debug(`metric chart: ${JSON.stringify(m.points)} rows drawn`);
          break;
        case 'error':
          this.s.logger.error(`metric chart: ${m.message}`);
          break;
      }
    });
  }

  private title(state: MetricChartState): string {
    const first = state.series[0];
    const name = first ? first.artifactId.slice(first.artifactId.indexOf(':') + 1) : '';
    const metric = first ? this.choices().find((c) => c.artifactId === first.artifactId && c.metricKey === first.metricKey) : undefined;
    const more = state.series.length > 1 ? ` +${state.series.length - 1}` : '';
    const type = state.eventType && first?.metricKey === GHARCHIVE_METRIC_KEY ? ` (${state.eventType})` : '';
    return `Chart: ${metric?.label ?? name}${type}${more}`;
  }

  /** The GitHub repositories of the projects the charted artifacts belong to: their releases mark the timeline. */
  private reposOf(refs: readonly SeriesRef[]): string[] {
    const all = [...this.s.model.summaries.values()];
    const projects = new Set(refs.map((r) => all.find((a) => a.artifact === r.artifactId)?.project).filter((p): p is string => p !== undefined));
    return [...new Set(all.filter((a) => a.source === 'github' && projects.has(a.project)).map((a) => a.name))];
  }

  /** Every metric of every tracked artifact, as the tree lists them. */
  private choices(): SeriesChoice[] {
    return [...this.s.model.summaries.values()].flatMap((a) => a.metrics.map((m) => ({ artifactId: a.artifact, metricKey: m.key, label: `${a.project} / ${a.name} · ${m.label}` })));
  }

  private async post(panel: vscode.WebviewPanel): Promise<void> {
    const entry = this.panels.get(panel);
    if (!entry?.ready) return;
    const state = entry.state;
    let message: HostToMetricChart;
    try {
      const archived = state.series.filter((r) => r.metricKey === GHARCHIVE_METRIC_KEY && r.artifactId.startsWith('github:'));
      // Never more points per series than the plot has pixel columns for (two per point): a finer
      // grain is aggregated to the one that fits, and the summary says so.
      const maxPoints = state.plotWidth ? Math.max(60, Math.min(MAX_POINTS_PER_SERIES, Math.floor(state.plotWidth / 2))) : undefined;
      const asOf = new Date().toISOString().slice(0, 10);
      const repos = this.reposOf(state.series);
      const { series, eventTypes, events } = await storeCall(this.s, 'metricChart', {
        series: state.series.map((r) => ({ artifactId: r.artifactId, metricKey: r.metricKey })),
        options: { grain: state.grain, mode: state.mode, from: state.from, to: state.to, align: state.align, eventType: state.eventType, asOf, ...(maxPoints ? { maxPoints } : {}) },
        eventTypesOf: archived.map((r) => r.artifactId.slice('github:'.length)),
        releasesOf: repos,
      });
      const widened = series.filter((x) => x.grain !== state.grain);
      const chart = metricChart(series, { log: state.log, align: state.align, title: series.length === 1 ? chartTitle(series[0] as MetricSeries) : undefined, events });
      message = {
        type: 'render',
        state,
        chart,
        choices: this.choices(),
        ...(eventTypes ? { eventTypes: withChosen(eventTypes, state.eventType) } : {}),
        ...(widened.length ? { note: `Shown by ${widened[0]?.grain}: by ${state.grain} the range has more points than a chart draws. Narrow the date range to see each ${state.grain}.` } : {}),
      };
    } catch (err) {
      this.s.logger.error(`metric chart: ${(err as Error).message}`);
      message = { type: 'failed', state, message: `Could not read the series: ${(err as Error).message}` };
    }
    await panel.webview.postMessage(message);
  }

  dispose(): void {
    for (const panel of this.panels.keys()) panel.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

const GRAINS = ['day', 'week', 'month', 'quarter'];
const MODES = ['total', 'new', 'cumulative', 'pct'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Options from the webview are input: keep only known values. */
function sanitize(next: MetricChartState, prev: MetricChartState): MetricChartState {
  const series = Array.isArray(next.series)
    ? next.series.filter((r) => typeof r?.artifactId === 'string' && typeof r.metricKey === 'string').slice(0, 12)
    : prev.series;
  return {
    series: series.length ? series : prev.series,
    grain: GRAINS.includes(next.grain) ? next.grain : prev.grain,
    mode: MODES.includes(next.mode) ? next.mode : prev.mode,
    log: next.log === true,
    align: next.align === true,
    ...(typeof next.from === 'string' && DAY.test(next.from) ? { from: next.from } : {}),
    ...(typeof next.to === 'string' && DAY.test(next.to) ? { to: next.to } : {}),
    ...(typeof next.eventType === 'string' && EVENT_TYPE.test(next.eventType) ? { eventType: next.eventType } : {}),
    ...(typeof next.plotWidth === 'number' && next.plotWidth >= 100 && next.plotWidth <= 20_000 ? { plotWidth: Math.round(next.plotWidth) } : {}),
  };
}

/** The chart's heading, for people: "left-pad: npm downloads per day". */
function chartTitle(s: MetricSeries): string {
  return `${s.name}: ${s.axisTitle}`;
}

/** A chosen type stays offered (with 0 events) after the series that had it are no longer charted. */
function withChosen(types: EventTypeChoice[], chosen: string | undefined): EventTypeChoice[] {
  return chosen && !types.some((t) => t.type === chosen) ? [...types, { type: chosen, events: 0 }] : types;
}
