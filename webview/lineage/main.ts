import { renderGraph } from './graphRenderer';
import { LayoutClient } from './layoutClient';
import { TextMeasurer, layoutFits, measureNodes } from './nodeFit';
import { PanZoom } from './panZoom';
import { connected } from './paths';
import type { HostToLineage, LaidOut, LineageState, LineageToHost, LineageViewData, ViewRequest } from './protocol';
import { rasterize } from './rasterize';

/**
 * The lineage panel's browser side: asks the host for a view (selector, scope, expansions), lays it
 * out in a worker, draws it, and keeps zoom, pan and the selected node across every redraw — a save
 * in the editor redraws the graph in place.
 */
interface VsCodeApi {
  postMessage(message: LineageToHost): void;
  getState(): LineageState | undefined;
  setState(state: LineageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const byId = <T extends Element>(id: string) => document.getElementById(id) as unknown as T;
const svg = byId<SVGSVGElement>('graph');
const viewport = byId<SVGGElement>('viewport');
const selectorBox = byId<HTMLInputElement>('selector');
const banner = byId<HTMLDivElement>('banner');
const message = byId<HTMLDivElement>('message');
const empty = byId<HTMLDivElement>('empty');
const status = byId<HTMLSpanElement>('status');

const saved = vscode.getState();
let state: LineageState = saved ?? { request: {} };
const panZoom = new PanZoom(svg, viewport);
if (state.zoom) panZoom.set(state.zoom);
panZoom.onChange = (t) => {
  save({ zoom: t });
  scheduleLod();
};

/**
 * Level of detail: text on screen is never smaller than the editor's font. Every line of a node is
 * drawn at the editor's font size (media/lineage.css), so at zoom 1 and above a node shows all its
 * lines; below the zoom at which its smallest line would shrink under the editor's font, a node
 * shows only its name, drawn at the editor's font size on screen (so larger in drawing units), cut
 * to what its box holds; when a box is too narrow for even a few letters, nodes are coloured boxes
 * whose names show on hover. The status says which.
 */
function fullDetailZoom(): number {
  return editorFontPx() / Math.min(...Object.values(measurer.sizes));
}
let lodFrame = 0;
let lodLevel = '';
function scheduleLod(): void {
  if (lodFrame) return;
  lodFrame = requestAnimationFrame(() => {
    lodFrame = 0;
    applyLod();
  });
}
function editorFontPx(): number {
  return Number.parseFloat(getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-size')) || Number.parseFloat(getComputedStyle(document.body).fontSize) || 13;
}
let measureCtx: CanvasRenderingContext2D | null | undefined;
/** The width of `text` in the names' font at `px`, measured by the browser (not estimated per character). */
function measure(text: string, px: number): number {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * px * 0.6;
  measureCtx.font = `600 ${px}px ${getComputedStyle(document.body).fontFamily}`;
  return measureCtx.measureText(text).width;
}
function applyLod(): void {
  const k = panZoom.transform.k;
  const px = editorFontPx();
  const level = k >= fullDetailZoom() - 1e-6 ? 'full' : 'names';
  svg.classList.toggle('lod-names', level === 'names');
  let blocks = 0;
  const key = `${level}:${k.toFixed(3)}:${nodes.size}`;
  if (key === lodLevel) return;
  lodLevel = key;
  for (const g of nodes.values()) {
    const full = g.dataset.name ?? '';
    const lod = g.querySelector<SVGTextElement>('text.lod');
    if (!lod) continue;
    if (level === 'full') {
      lod.textContent = '';
      g.classList.remove('lod-block');
      continue;
    }
    // The name at `px` on screen is px / k in drawing units; it must fit the box's inner width.
    // Rounded up (to the 0.1 px written below), never under the editor's size on screen.
    const size = Math.ceil((px / k) * 10) / 10;
    const room = (Number(g.dataset.width) - 22) * k;
    let text = full;
    if (measure(text, px) > room) {
      let lo = 0;
      let hi = full.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (measure(`${full.slice(0, mid)}…`, px) <= room) lo = mid;
        else hi = mid - 1;
      }
      text = lo >= 3 ? `${full.slice(0, lo)}…` : '';
    }
    // Nor can its line be higher than the box.
    if (size * 1.25 > Number(g.dataset.height)) text = '';
    g.classList.toggle('lod-block', text === '');
    if (text === '') blocks++;
    lod.textContent = text;
    // Through the CSSOM: the panel's CSP allows no style attributes.
    lod.style.fontSize = `${size.toFixed(1)}px`;
    lod.setAttribute('y', String(Number(g.dataset.height) / 2 + size * 0.35));
  }
  svg.dataset.lod = level === 'full' ? 'full' : blocks === nodes.size ? 'blocks' : 'names';
  lodNote.textContent = level === 'full' ? '' : blocks === nodes.size ? ' · zoomed out: boxes only, zoom in or select to read names' : ' · zoomed out: names only';
}
/**
 * The smallest zoom at which every name is readable and whole: the names-only level of detail draws
 * a name at the editor's font size on screen inside its box, so the box must be at least as wide on
 * screen as the name; the full-detail zoom when that is more (every line then at least the editor's font).
 */
function readableZoom(): number {
  const full = fullDetailZoom();
  if (!view || !layout) return full;
  const px = editorFontPx();
  let k = 0;
  for (const n of view.nodes) {
    const box = layout.nodes[n.id];
    if (!box) continue;
    // As wide as the name, and as high as its line (1.25 of its size) on screen.
    // A pixel more than the name: the zoom the drawing gets is rounded (to a float's precision), and may come out a hair under.
    k = Math.max(k, (measure(n.name, px) + 1) / Math.max(1, box.width - 22), (px * 1.25 + 1) / Math.max(1, box.height));
  }
  // Names that need more than the full-detail zoom: every line of a node shows, each at least the editor's font.
  return Math.min(k, full);
}

/**
 * Fit on open and on every change of what is shown: the whole drawing when it is readable at that
 * size; otherwise the readable zoom, showing the focus node (or the drawing's start, where its
 * sources are) — the rest is reached by panning, never by shrinking names below the editor's font.
 */
function fitReadable(focusId: string | undefined): void {
  if (!layout) return;
  const readable = readableZoom();
  const k = panZoom.fitScale(layout.width, layout.height);
  svg.dataset.fit = k >= readable ? 'whole' : 'readable';
  if (k >= readable) {
    panZoom.fit(layout.width, layout.height);
    return;
  }
  // The focus node; without one, the node nearest the middle of all nodes (where most of the graph
  // is: the drawing's left edge may hold a single long chain's first source and nothing else).
  const focus = (focusId ? layout.nodes[focusId] : undefined) ?? middleNode();
  const r = svg.getBoundingClientRect();
  const w = layout.width * readable;
  const h = layout.height * readable;
  panZoom.set({ k: readable, x: w <= r.width ? (r.width - w) / 2 : 8, y: h <= r.height ? (r.height - h) / 2 : 8 });
  if (focus) {
    panZoom.centre(focus.x + focus.width / 2, focus.y + focus.height / 2);
    // On the axis where the drawing fits, it stays centred whole.
    const t = panZoom.transform;
    panZoom.set({ k: t.k, x: w <= r.width ? (r.width - w) / 2 : t.x, y: h <= r.height ? (r.height - h) / 2 : t.y });
  }
  fittedAt = { ...panZoom.transform };
}

/** Where the last fit left the view: a later active-file change refits only if the user has not moved it. */
let fittedAt: { x: number; y: number; k: number } | undefined;

function middleNode(): { x: number; y: number; width: number; height: number } | undefined {
  if (!layout || !view) return undefined;
  const boxes = view.nodes.map((n) => layout?.nodes[n.id]).filter((b): b is NonNullable<typeof b> => b !== undefined);
  if (boxes.length === 0) return undefined;
  const cx = boxes.reduce((a, b) => a + b.x + b.width / 2, 0) / boxes.length;
  const cy = boxes.reduce((a, b) => a + b.y + b.height / 2, 0) / boxes.length;
  let best = boxes[0];
  let bestD = Infinity;
  for (const b of boxes) {
    const d = (b.x + b.width / 2 - cx) ** 2 + (b.y + b.height / 2 - cy) ** 2;
    if (d < bestD) {
      best = b;
      bestD = d;
    }
  }
  return best;
}

const lodNote = document.createElement('span');
lodNote.id = 'lod-note';
const layouts = new LayoutClient(document.body.dataset.worker ?? '');
const measurer = new TextMeasurer(svg);
layouts.warm();

let view: LineageViewData | undefined;
let layout: LaidOut | undefined;
let nodes = new Map<string, SVGGElement>();
let current: string | undefined;
let highlighted = new Set<string>();
let sequence = 0;
let drawnOnce = false;
let drawCount = 0;
/** The request last drawn: a different one (another selection, scope or expansion) is fitted to the view. */
let drawnRequest = '';

function save(patch: Partial<LineageState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function post(m: LineageToHost): void {
  vscode.postMessage(m);
}

function request(patch: Partial<ViewRequest>, replace = false): void {
  const next: ViewRequest = replace ? { ...patch } : { ...state.request, ...patch };
  save({ request: next });
  post({ type: 'request', request: next });
}

function showText(target: HTMLElement, text: string | undefined): void {
  target.textContent = text ?? '';
  target.hidden = !text;
}

function applyHighlight(): void {
  const selected = state.selected && view?.nodes.some((n) => n.id === state.selected) ? state.selected : undefined;
  highlighted = selected && view ? connected(view.edges, selected) : new Set();
  svg.classList.toggle('has-selection', !!selected);
  for (const [id, g] of nodes) {
    g.classList.toggle('lit', highlighted.has(id));
    g.classList.toggle('selected', id === selected);
    g.classList.toggle('current', id === current);
  }
  for (const p of viewport.querySelectorAll<SVGPathElement>('path.edge')) {
    p.classList.toggle('lit', highlighted.has(p.dataset.source ?? '') && highlighted.has(p.dataset.target ?? ''));
  }
}

const handlers = {
  select(id: string) {
    save({ selected: id });
    applyHighlight();
    post({ type: 'highlight', highlighted: [...highlighted] });
    post({ type: 'open', id });
  },
  expand(id: string) {
    request({ expanded: [...new Set([...(state.request.expanded ?? []), id])] });
  },
  toggleColumns(id: string) {
    const open = new Set(state.request.columnsOpen ?? []);
    if (open.has(id)) open.delete(id);
    else open.add(id);
    request({ columnsOpen: [...open] });
  },
};

async function draw(next: Extract<HostToLineage, { type: 'view' }>): Promise<void> {
  const seq = ++sequence;
  save({ request: next.request });
  selectorBox.value = next.request.selector ?? '';
  current = next.current;
  const problems = [...(next.projectProblem ? [next.projectProblem] : []), ...next.view.problems.map((p) => p.message)];
  showText(banner, problems.length > 0 ? problems.join('\n') : undefined);
  showText(message, next.view.selectorError);
  if (next.view.empty || next.view.nodes.length === 0) {
    view = next.view;
    nodes = new Map();
    viewport.replaceChildren();
    showText(empty, next.view.empty ?? 'Nothing to show.');
    status.textContent = `0 of ${next.view.totalNodes} nodes`;
    status.title = '';
    post({ type: 'rendered', layout: { width: 0, height: 0, nodes: {}, edges: {} }, highlighted: [], layoutMs: 0, renderMs: 0, nodes: 0, offThread: true });
    return;
  }
  showText(empty, undefined);
  status.textContent = `laying out ${next.view.nodes.length} nodes…`;
  const t0 = performance.now();
  // Node boxes as wide as their text measured in the fonts it is drawn in (the host's sizes are for its SVG font).
  // Fonts still loading would be measured as their fallback.
  await document.fonts.ready;
  if (seq !== sequence) return;
  const tm = performance.now();
  measurer.refresh();
  const elk = measureNodes(next.view.nodes, next.elk, measurer);
  const measureMs = performance.now() - tm;
  // A layout the host kept from an earlier draw of exactly this input is used as it is, if made for these boxes.
  const kept = next.layout && layoutFits(next.layout, elk) ? next.layout : undefined;
  const result = kept ? { layout: kept, offThread: true } : await layouts.layout(elk);
  // A newer view arrived while this one was being laid out: draw only the newest.
  if (seq !== sequence) return;
  const t1 = performance.now();
  view = next.view;
  layout = result.layout;
  nodes = renderGraph(viewport, view, layout, handlers, measurer);
  applyHighlight();
  // Where this drawing's layout came from (tests read it): the worker, one kept by the host, or the fallback.
  svg.dataset.layout = kept ? 'kept' : result.offThread ? 'worker' : 'fallback';
  if (!result.offThread) showText(message, `Drawn with a simple layout: ${layouts.failure ?? 'the layout worker is unavailable'}.`);
  // Fitted on open (unless a reload restores the user's zoom) and on every change of what is shown;
  // a redraw of the same view (a save in the editor) keeps the user's pan and zoom.
  const requestKey = JSON.stringify({ s: next.view.selector ?? '', f: next.view.focus ?? '', r: next.request });
  const changed = drawnOnce && requestKey !== drawnRequest;
  if ((!drawnOnce && !state.zoom) || changed) {
    // After the browser has laid out the page: the drawing's size is the SVG's size then.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    // Not all of it fits readably: the view's focus, else the active file's node, is put in view.
    fitReadable(next.view.focus ?? current);
  }
  drawnOnce = true;
  drawnRequest = requestKey;
  lodLevel = '';
  applyLod();
  // Let the browser paint before measuring: the render time includes style and layout of the DOM.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const t2 = performance.now();
  const unread = view.unreadSourcesHidden ? ` · ${view.unreadSourcesHidden} unread source${view.unreadSourcesHidden === 1 ? '' : 's'} hidden (select resource_type:source to see them)` : '';
  const grouped = view.clustered ? `${view.clustered.nodes} of ${view.totalNodes} nodes, ${view.clustered.groups} folder${view.clustered.groups === 1 ? '' : 's'} grouped (click one to open it)` : `${view.nodes.length} of ${view.totalNodes} nodes`;
  // Drawn at the readable zoom, not whole: say how to reach the rest.
  const partial = svg.dataset.fit === 'readable' ? ' · part of the graph at a readable size: drag to pan' : '';
  status.textContent = `${grouped}${partial}${unread}${next.layoutNote ? ` · ${next.layoutNote.short}` : ''}`;
  svg.dataset.clustered = view.clustered ? 'yes' : 'no';
  clustersButton.textContent = (state.request.clusters ?? 'auto') === 'off' ? 'Group large views by folder' : 'Show every node';
  status.append(lodNote);
  // The whole status on hover too (a narrow panel wraps it).
  status.title = [status.textContent, next.layoutNote?.detail].filter(Boolean).join('\n');
  // How many views were drawn (tests wait for the next one after a click).
  svg.dataset.drawn = String(++drawCount);
  post({
    type: 'rendered',
    layout,
    highlighted: [...highlighted],
    layoutMs: Math.round(t1 - t0),
    measureMs: Math.round(measureMs),
    renderMs: Math.round(t2 - t1),
    nodes: view.nodes.length,
    offThread: result.offThread,
    ...(next.layoutKey ? { layoutKey: next.layoutKey } : {}),
    ...(kept ? { reused: true } : {}),
  });
}

window.addEventListener('message', (event: MessageEvent<HostToLineage>) => {
  const m = event.data;
  if (m.type === 'view') {
    draw(m).catch((err: unknown) => {
      showText(empty, `The graph could not be drawn: ${(err as Error).message}`);
      post({ type: 'error', message: (err as Error).stack ?? String(err) });
    });
  } else if (m.type === 'current') {
    current = m.id;
    applyHighlight();
    // The active file changed and the view shows part of the graph where the last fit left it: its node is brought into view.
    const t = panZoom.transform;
    if (svg.dataset.fit === 'readable' && fittedAt && t.x === fittedAt.x && t.y === fittedAt.y && t.k === fittedAt.k && !view?.focus) fitReadable(current);
  } else if (m.type === 'rasterize') {
    rasterize(m.svg, m.width, m.height).then(
      (dataUrl) => post({ type: 'png', dataUrl }),
      (err: unknown) => post({ type: 'error', message: `PNG export: ${(err as Error).message}` }),
    );
  }
});

selectorBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') request({ selector: selectorBox.value.trim(), expanded: [] });
});
byId<HTMLButtonElement>('apply').addEventListener('click', () => request({ selector: selectorBox.value.trim(), expanded: [] }));
byId<HTMLButtonElement>('around').addEventListener('click', () => {
  const focus = current ?? state.request.focus;
  request(focus ? { focus, columnsOpen: state.request.columnsOpen ?? [] } : {}, true);
});
byId<HTMLButtonElement>('full').addEventListener('click', () => request({ columnsOpen: state.request.columnsOpen ?? [], ...(state.request.clusters ? { clusters: state.request.clusters } : {}) }, true));
byId<HTMLButtonElement>('fit').addEventListener('click', () => fitReadable(view?.focus ?? current));
// The panel resized (split, sidebar): the drawing follows if it was fitted.
new ResizeObserver(() => scheduleLod()).observe(svg);
byId<HTMLButtonElement>('zoom-in').addEventListener('click', () => panZoom.zoomAt(svg.clientWidth / 2, svg.clientHeight / 2, 1.25));
byId<HTMLButtonElement>('zoom-out').addEventListener('click', () => panZoom.zoomAt(svg.clientWidth / 2, svg.clientHeight / 2, 0.8));
const clustersButton = byId<HTMLButtonElement>('clusters');
clustersButton.addEventListener('click', () => request({ clusters: (state.request.clusters ?? 'auto') === 'off' ? 'auto' : 'off', expanded: [] }));
// The "⋯" menu closes once an item is chosen, or on a click elsewhere.
const more = byId<HTMLDetailsElement>('more');
more.querySelector('.menu')?.addEventListener('click', () => {
  more.open = false;
});
document.addEventListener('pointerdown', (e) => {
  if (more.open && !more.contains(e.target as Node)) more.open = false;
});
byId<HTMLButtonElement>('export-svg').addEventListener('click', () => post({ type: 'export', format: 'svg' }));
byId<HTMLButtonElement>('export-png').addEventListener('click', () => post({ type: 'export', format: 'png' }));
// A node reached with Tab (or found by a test) outside the visible part is brought into view.
svg.addEventListener('focusin', (e) => {
  const g = (e.target as Element).closest<SVGGElement>('g.node');
  const box = g && layout?.nodes[g.dataset.id ?? ''];
  if (!g || !box) return;
  const r = g.getBoundingClientRect();
  const s = svg.getBoundingClientRect();
  if (r.left < s.left || r.right > s.right || r.top < s.top || r.bottom > s.bottom) panZoom.centre(box.x + box.width / 2, box.y + box.height / 2);
});
function clearSelection(): void {
  if (!state.selected) return;
  save({ selected: undefined });
  applyHighlight();
  post({ type: 'highlight', highlighted: [] });
}
svg.addEventListener('click', (e) => {
  if ((e.target as Element).closest('.node')) return;
  clearSelection();
});
// Escape clears the selection (and its highlighted paths), as in the editor; not while typing a selector or in the menu.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.target === selectorBox || more.open) return;
  clearSelection();
});

/**
 * The theme the drawing is painted in, as data-theme on the graph (tests wait on it after a theme
 * switch): VS Code sets the theme's variables and the body's class together; the colours come from
 * those variables, so two frames after the class changes the new theme is on screen.
 */
function themeName(): string {
  const c = document.body.classList;
  return c.contains('vscode-high-contrast-light') ? 'high-contrast-light' : c.contains('vscode-high-contrast') ? 'high-contrast' : c.contains('vscode-light') ? 'light' : 'dark';
}
function markTheme(): void {
  delete svg.dataset.theme;
  requestAnimationFrame(() => requestAnimationFrame(() => (svg.dataset.theme = themeName())));
}
new MutationObserver(markTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });
markTheme();
// VS Code sets the theme's and the settings' variables on <html>: when the fonts the nodes are drawn
// in change (a font setting), the view is asked for again, measured and laid out anew (pan and zoom kept).
new MutationObserver(() => {
  if (!view || view.nodes.length === 0 || !measurer.refresh()) return;
  request({});
}).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

post({ type: 'ready', ...(saved ? { state: saved } : {}) });
