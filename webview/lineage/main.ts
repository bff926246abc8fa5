import { renderGraph } from './graphRenderer';
import { LayoutClient } from './layoutClient';
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
panZoom.onChange = (t) => save({ zoom: t });
const layouts = new LayoutClient(document.body.dataset.worker ?? '');
layouts.warm();

let view: LineageViewData | undefined;
let layout: LaidOut | undefined;
let nodes = new Map<string, SVGGElement>();
let current: string | undefined;
let highlighted = new Set<string>();
let sequence = 0;
let drawnOnce = false;

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
  // A layout the host kept from an earlier draw of exactly this input is used as it is.
  const result = next.layout ? { layout: next.layout, offThread: true } : await layouts.layout(next.elk);
  // A newer view arrived while this one was being laid out: draw only the newest.
  if (seq !== sequence) return;
  const t1 = performance.now();
  view = next.view;
  layout = result.layout;
  nodes = renderGraph(viewport, view, layout, handlers);
  applyHighlight();
  // Where this drawing's layout came from (tests read it): the worker, one kept by the host, or the fallback.
  svg.dataset.layout = next.layout ? 'kept' : result.offThread ? 'worker' : 'fallback';
  if (!result.offThread) showText(message, `Drawn with a simple layout: ${layouts.failure ?? 'the layout worker is unavailable'}.`);
  if (!drawnOnce && !state.zoom) {
    panZoom.fit(layout.width, layout.height);
    const focus = next.view.focus ? layout.nodes[next.view.focus] : undefined;
    if (focus && panZoom.transform.k < 0.5) panZoom.centre(focus.x + focus.width / 2, focus.y + focus.height / 2);
  }
  drawnOnce = true;
  // Let the browser paint before measuring: the render time includes style and layout of the DOM.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const t2 = performance.now();
  status.textContent = `${view.nodes.length} of ${view.totalNodes} nodes${next.layoutNote ? ` · ${next.layoutNote.short}` : ''}`;
  status.title = next.layoutNote?.detail ?? '';
  post({
    type: 'rendered',
    layout,
    highlighted: [...highlighted],
    layoutMs: Math.round(t1 - t0),
    renderMs: Math.round(t2 - t1),
    nodes: view.nodes.length,
    offThread: result.offThread,
    ...(next.layoutKey ? { layoutKey: next.layoutKey } : {}),
    ...(next.layout ? { reused: true } : {}),
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
byId<HTMLButtonElement>('full').addEventListener('click', () => request({ columnsOpen: state.request.columnsOpen ?? [] }, true));
byId<HTMLButtonElement>('fit').addEventListener('click', () => layout && panZoom.fit(layout.width, layout.height));
byId<HTMLButtonElement>('zoom-in').addEventListener('click', () => panZoom.zoomAt(svg.clientWidth / 2, svg.clientHeight / 2, 1.25));
byId<HTMLButtonElement>('zoom-out').addEventListener('click', () => panZoom.zoomAt(svg.clientWidth / 2, svg.clientHeight / 2, 0.8));
byId<HTMLButtonElement>('export-svg').addEventListener('click', () => post({ type: 'export', format: 'svg' }));
byId<HTMLButtonElement>('export-png').addEventListener('click', () => post({ type: 'export', format: 'png' }));
svg.addEventListener('click', (e) => {
  if ((e.target as Element).closest('.node')) return;
  if (!state.selected) return;
  save({ selected: undefined });
  applyHighlight();
  post({ type: 'highlight', highlighted: [] });
});

post({ type: 'ready', ...(saved ? { state: saved } : {}) });
