import embed from 'vega-embed';
import type { Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { toCsv } from './csv';
import { ARIA_ROWS_LIMIT } from './messages';
import type { ChartPayloadMessage, ErrorNotice, ExportRequest, RenderedNotice } from './messages';
import { denserThanColumns, reduceToColumns, reducibleShape, reductionNote } from './pixelReduce';
import type { ReducibleShape } from './pixelReduce';
import { attachReadout } from './readout';
import type { ReadoutSpec } from './readout';
import { themeConfig, themeKind } from './theme';

/** Draws a page's one chart and tells the host how many rows it drew, or why it could not. */
export async function drawAndReport(chart: ChartView, payload: ChartPayloadMessage, post: (m: RenderedNotice | ErrorNotice) => void): Promise<void> {
  try {
    const n = await chart.render(payload);
    post({ type: 'rendered', points: { [payload.id]: n } });
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
}

/**
 * One chart on a page: title, text summary (read by screen readers), the vega view and export
 * buttons. All text from the payload goes in with textContent: names come from the network and
 * from the user's files.
 */
export class ChartView {
  readonly root: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly chartEl: HTMLDivElement;
  private readonly errorEl: HTMLElement;
  private readonly releasesEl: HTMLLabelElement;
  private readonly takeawayEl: HTMLElement;
  private view: Result | undefined;
  private payload: ChartPayloadMessage | undefined;
  /** Set while the drawn spec is one whose rows may be reduced to the plot's pixel columns. */
  private shape: ReducibleShape | undefined;
  /** The pixel columns the drawn rows were reduced for (0: not reduced). */
  private columns = 0;
  /** The rows handed to Vega. */
  private drawnValues: ChartPayloadMessage['values'] = [];
  /** The width the drawn rows were chosen for. */
  private fitWidth = 0;
  /** The plot's width when last drawn: the first estimate of the next drawing's columns. */
  private plotWidth = 0;
  private resizeObserver: ResizeObserver | undefined;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    parent: HTMLElement,
    private readonly post: (m: ExportRequest) => void,
    private readonly options: { headingLevel?: 'h1' | 'h2'; summaryId?: string; chartId?: string; renderer?: 'svg' | 'canvas' } = {},
  ) {
    this.root = document.createElement('section');
    this.root.className = 'chart-card';
    this.titleEl = document.createElement(options.headingLevel ?? 'h2');
    this.titleEl.className = 'chart-title';
    this.summaryEl = document.createElement('p');
    this.summaryEl.className = 'chart-summary';
    this.summaryEl.setAttribute('role', 'status');
    if (options.summaryId) this.summaryEl.id = options.summaryId;
    this.errorEl = document.createElement('div');
    this.errorEl.className = 'chart-error';
    this.errorEl.setAttribute('role', 'alert');
    this.chartEl = document.createElement('div');
    this.chartEl.className = 'chart-area';
    this.chartEl.setAttribute('role', 'img');
    if (options.chartId) this.chartEl.id = options.chartId;
    // One export menu per chart, beside its title, instead of a row of buttons under each.
    const head = document.createElement('div');
    head.className = 'chart-head';
    const tools = document.createElement('div');
    tools.className = 'chart-tools';
    this.releasesEl = document.createElement('label');
    this.releasesEl.className = 'releases-toggle';
    this.releasesEl.hidden = true;
    const releasesBox = document.createElement('input');
    releasesBox.type = 'checkbox';
    releasesBox.checked = true;
    releasesBox.name = 'releases';
    releasesBox.addEventListener('change', () => void this.view?.view.signal('showReleases', releasesBox.checked).runAsync());
    this.releasesEl.append(releasesBox, document.createTextNode(' Releases'));
    const menu = document.createElement('details');
    menu.className = 'export-menu';
    const summary = document.createElement('summary');
    summary.textContent = 'Export';
    summary.title = 'Save this chart as an image or its data as CSV';
    const items = document.createElement('div');
    items.className = 'export-items';
    items.setAttribute('role', 'menu');
    for (const [format, label] of [['png', 'PNG image'], ['svg', 'SVG image'], ['csv', 'CSV data']] as const) {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.textContent = label;
      b.dataset.export = format;
      b.addEventListener('click', () => {
        menu.open = false;
        void this.export(format);
      });
      items.append(b);
    }
    // Until the host's data arrives (the store is read off the extension host's thread).
    const loading = document.createElement('p');
    loading.className = 'chart-loading';
    loading.textContent = 'Reading the store…';
    this.chartEl.append(loading);
    menu.append(summary, items);
    tools.append(this.releasesEl, menu);
    head.append(this.titleEl, tools);
    this.takeawayEl = document.createElement('p');
    this.takeawayEl.className = 'chart-takeaway';
    this.takeawayEl.hidden = true;
    this.root.append(head, this.takeawayEl, this.summaryEl, this.errorEl, this.chartEl);
    parent.append(this.root);
  }

  /**
   * A dashboard card's one-line finding, above the chart; the full text summary then goes behind
   * a disclosure (it stays the chart's accessible description).
   */
  setTakeaway(text: string): void {
    this.takeawayEl.textContent = text;
    this.takeawayEl.hidden = false;
    this.root.classList.add('has-takeaway');
  }

  async render(payload: ChartPayloadMessage): Promise<number> {
    // A warm-up still drawing: let it finish rather than run two Vega views at once.
    await warming;
    this.payload = payload;
    this.shape = undefined;
    this.columns = 0;
    this.titleEl.textContent = payload.title;
    this.summaryEl.textContent = payload.summary;
    delete this.chartEl.dataset.reduction;
    delete this.chartEl.dataset.columns;
    this.errorEl.textContent = '';
    this.root.classList.toggle('empty', false);
    if (payload.empty !== undefined || payload.values.length === 0) {
      // Nothing to draw: say why and what to do, never bare axes.
      this.view?.finalize();
      this.view = undefined;
      const note = document.createElement('p');
      note.className = 'chart-empty';
      note.textContent = payload.empty ?? 'No data to chart yet. Run “Community Metrics: Refresh” to fetch it.';
      this.chartEl.replaceChildren(note);
      this.chartEl.dataset.points = '0';
      this.chartEl.dataset.drawn = '0';
      this.root.classList.toggle('empty', true);
      return 0;
    }
    // Never more rows than the plot has pixel columns can show, where the spec lets that be done
    // without changing what it shows (pixelReduce.ts); the width is corrected after drawing.
    this.shape = reducibleShape(payload.spec);
    // The plot is the container less the axes (and a side legend): a first guess of 85 % of it,
    // checked against the drawn plot's width after drawing.
    const values = this.reduced(payload, this.plotWidth || Math.floor(this.chartEl.clientWidth * PLOT_SHARE));
    // Vega sets the container's role and aria-label from the spec's description, replacing ours: give
    // it the text summary, so that the drawing's accessible name says what the chart shows.
    const spec = { ...payload.spec, description: this.describe(payload), data: { name: payload.dataset, values, format: { parse: parseOf(payload) } }, config: chartConfig(payload, values.length) };
    try {
      this.view?.finalize();
      this.chartEl.querySelectorAll('.chart-empty, .chart-loading').forEach((e) => e.remove());
      // ast + expressionInterpreter: Vega evaluates expressions without `new Function`, so the
      // panel's CSP needs no 'unsafe-eval'.
      const releases = Array.isArray(payload.spec.params) && (payload.spec.params as { name?: string }[]).some((p) => p.name === 'showReleases');
      this.releasesEl.hidden = !releases;
      const box = this.releasesEl.querySelector('input');
      if (box) box.checked = true;
      this.view = await embed(this.chartEl, spec as unknown as Parameters<typeof embed>[1], {
        actions: false,
        renderer: this.options.renderer ?? rendererFor(values.length),
        ast: true,
        expr: expressionInterpreter,
        defaultStyle: false,
      });
      // A dense line chart has no tooltip per point (see ReadoutSpec): a hover readout instead.
      const readout = (payload.spec.usermeta as { readout?: ReadoutSpec } | undefined)?.readout;
      if (readout) attachReadout(this.chartEl, this.view.view, payload.values, readout);
      this.chartEl.dataset.points = String(payload.values.length);
      this.chartEl.dataset.drawn = String(values.length);
      this.chartEl.dataset.renderer = this.options.renderer ?? rendererFor(values.length);
      if (this.shape) {
        this.drawnValues = values;
        await this.refit(values);
        this.watchSize();
      }
      // The theme it was drawn in: tests wait for every chart of a page to be redrawn after a switch.
      this.chartEl.dataset.theme = themeKind();
      this.chartEl.dataset.series = JSON.stringify(payload.series);
      return payload.values.length;
    } catch (err) {
      this.errorEl.textContent = `Could not draw the chart: ${(err as Error).message}`;
      throw err;
    }
  }

  /**
   * The rows to draw at a plot `width` px wide: reduced per pixel column when the spec allows it and
   * some series has more rows in a column than are kept (then said in the summary), else every row.
   */
  private reduced(payload: ChartPayloadMessage, width: number): ChartPayloadMessage['values'] {
    const columns = Math.floor(width);
    if (!this.shape || columns < 1) return payload.values;
    this.fitWidth = columns;
    const values = denserThanColumns(payload.values, this.shape, columns) ? reduceToColumns(payload.values, this.shape, columns) : payload.values;
    this.columns = values.length < payload.values.length ? columns : 0;
    if (this.columns) {
      this.chartEl.dataset.reduction = 'm4';
      this.chartEl.dataset.columns = String(columns);
    } else {
      delete this.chartEl.dataset.reduction;
      delete this.chartEl.dataset.columns;
    }
    this.summaryEl.textContent = this.columns ? `${payload.summary} ${reductionNote(values.length, payload.values.length)}` : payload.summary;
    return values;
  }

  private describe(payload: ChartPayloadMessage): string {
    const own = typeof payload.spec.description === 'string' && payload.spec.description ? ` ${payload.spec.description.replace(/\.?$/, '.')}` : '';
    return `Chart: ${payload.title}.${own} ${this.summaryEl.textContent ?? payload.summary}`;
  }

  /**
   * Reduces the rows again for the plot's width as drawn (the first drawing guessed it from the
   * container's; or a new width after a resize): when the rows drawn hold more than 4 of a series in
   * one of its pixel columns, or when they were reduced for a plot narrower by more than 5 %.
   */
  private async refit(drawn: ChartPayloadMessage['values']): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const payload = this.payload;
      const result = this.view;
      if (!payload || !result || !this.shape) return;
      const width = Math.floor(result.view.width());
      if (width < 1) return;
      this.plotWidth = width;
      const tooDense = width < this.fitWidth && denserThanColumns(drawn, this.shape, width);
      const tooCoarse = this.columns > 0 && width > this.fitWidth * 1.05;
      if (!tooDense && !tooCoarse) return;
      const values = this.reduced(payload, width);
      result.view.data(payload.dataset, values);
      await result.view.runAsync();
      if (this.view !== result) return;
      drawn = values;
      this.drawnValues = values;
      this.chartEl.dataset.drawn = String(values.length);
      if (this.chartEl.hasAttribute('aria-label')) this.chartEl.setAttribute('aria-label', this.describe(payload));
    }
  }

  /** Resizes of the panel: reduce the rows again for the new width, once the resize has settled. */
  private watchSize(): void {
    if (this.resizeObserver || typeof ResizeObserver === 'undefined') return;
    this.resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => void this.refit(this.drawnValues).catch(() => undefined), 150);
    });
    this.resizeObserver.observe(this.chartEl);
  }

  private async export(format: 'png' | 'svg' | 'csv'): Promise<void> {
    const p = this.payload;
    if (!p) return;
    const name = p.title.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'chart';
    if (format === 'csv') return this.post({ type: 'export', format, name, data: toCsv(p.columns, p.values) });
    if (!this.view) return;
    if (format === 'svg') return this.post({ type: 'export', format, name, data: await this.view.view.toSVG() });
    const url = await this.view.view.toImageURL('png', 2);
    this.post({ type: 'export', format, name, data: url.slice(url.indexOf(',') + 1) });
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    clearTimeout(this.resizeTimer);
    this.view?.finalize();
    this.root.remove();
  }
}

/** The share of a chart's container its plot is first assumed to have (a 1,100 px chart had 946 px). */
const PLOT_SHARE = 0.85;

let warming: Promise<void> | undefined;

/**
 * Draws a small chart of the kind the panels draw (time axis with fixed ticks, count axis, a
 * legend, lines, points with tooltips, a rule layer) off screen, with the renderers the page will use, and throws it
 * away. The page calls it while the host reads the store: the first real chart then runs on
 * compiled code instead of paying V8's lazy compilation of Vega and Vega-Lite (bench/charts.ts
 * measures the first render of a fresh page with and without it).
 */
export function warmUp(renderers: ReadonlyArray<'svg' | 'canvas'> = ['canvas', 'svg']): Promise<void> {
  warming ??= (async () => {
    const box = document.createElement('div');
    box.setAttribute('aria-hidden', 'true');
    box.style.position = 'absolute';
    box.style.left = '-10000px';
    box.style.top = '0';
    box.style.width = '480px';
    box.style.height = '240px';
    document.body.append(box);
    const values = [];
    for (let s = 0; s < 3; s++) for (let i = 0; i < 60; i++) values.push({ series: `s${s}`, period: new Date(Date.UTC(2024, 0, 1 + 7 * i)).toISOString().slice(0, 10), value: i % 9 === 8 ? null : (s + 1) * (100 + i) });
    const dt = (m: number) => ({ year: 2024, month: m, date: 1, utc: true });
    const enc = {
      x: { field: 'period', type: 'temporal', scale: { type: 'utc' }, axis: { values: [dt(1), dt(4), dt(7), dt(10)], format: '%b %Y', labelOverlap: 'greedy', grid: false } },
      y: { field: 'value', type: 'quantitative', scale: { zero: true, nice: true }, axis: { labelExpr: "format(datum.value, ',~r')", tickMinStep: 1 } },
      color: { field: 'series', type: 'nominal', legend: { orient: 'top', direction: 'vertical', symbolType: 'stroke' } },
    };
    const spec = {
      width: 'container', height: 'container', autosize: { type: 'fit', contains: 'padding', resize: true },
      data: { name: 'table', values, format: { parse: { period: 'date' } } },
      params: [{ name: 'showReleases', value: true }],
      encoding: { x: enc.x },
      layer: [
        { mark: { type: 'line', invalid: 'break-paths-show-domains', clip: true }, encoding: { y: enc.y, color: enc.color } },
        { mark: { type: 'point', filled: false }, encoding: { y: enc.y, color: enc.color, tooltip: [{ field: 'period', type: 'temporal', format: '%b %-d, %Y' }, { field: 'value', type: 'quantitative', format: ',.2~f' }] }, transform: [{ filter: "datum.series == 's0'" }] },
        { mark: { type: 'bar' }, encoding: { y: enc.y }, transform: [{ filter: "datum.series == 's1' && showReleases" }] },
        { mark: { type: 'rule', strokeDash: [2, 3] }, data: { values: [{ period: '2024-05-01', label: 'v1' }], format: { parse: { period: 'date' } } }, encoding: { tooltip: { field: 'label' } } },
        { mark: { type: 'text', angle: 270 }, data: { values: [{ period: '2024-05-01', label: 'v1' }], format: { parse: { period: 'date' } } }, encoding: { y: { value: 0 }, text: { field: 'label' } } },
      ],
      config: themeConfig(),
    };
    try {
      for (const renderer of renderers) {
        const r = await embed(box, spec as unknown as Parameters<typeof embed>[1], { actions: false, renderer, ast: true, expr: expressionInterpreter, defaultStyle: false });
        r.finalize();
      }
    } catch {
      // Only a warm-up: the real chart reports its own errors.
    } finally {
      box.remove();
    }
  })();
  return warming;
}

/**
 * SVG while the marks are few (crisp, inspectable, what the export writes anyway); Vega's canvas
 * renderer above CANVAS_ROWS rows, where building one DOM node per mark costs more than drawing
 * (bench/charts.ts measures both).
 */
export const CANVAS_ROWS = 4000;
export function rendererFor(rows: number): 'svg' | 'canvas' {
  return rows > CANVAS_ROWS ? 'canvas' : 'svg';
}

/** The theme's colours and fonts, under what the chart's own spec configures (a declared or .vl.json chart). */
function chartConfig(payload: ChartPayloadMessage, drawn: number): Record<string, unknown> {
  const config: Record<string, unknown> = themeConfig();
  const own = payload.spec.config;
  if (own && typeof own === 'object' && !Array.isArray(own)) {
    for (const [k, v] of Object.entries(own as Record<string, unknown>)) {
      const base = config[k];
      config[k] = isPlainObject(base) && isPlainObject(v) ? { ...base, ...v } : v;
    }
  }
  if (drawn > ARIA_ROWS_LIMIT) config.aria = false;
  return config;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Date columns arrive as `YYYY-MM-DD` text: parse them as UTC dates, leave the rest as given. */
function parseOf(p: ChartPayloadMessage): Record<string, string> {
  const parse: Record<string, string> = {};
  const first = p.values[0] ?? {};
  for (const [k, v] of Object.entries(first)) {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(v)) parse[k] = 'date';
  }
  return parse;
}
