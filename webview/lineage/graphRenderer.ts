import type { LaidOut, LineageViewData, ViewNode } from './protocol';

/**
 * Draws a laid-out view as SVG elements. Every text that came from the user's files goes in through
 * textContent, never markup. Node geometry mirrors src/core/lineage/svgExport.ts, so that an export
 * looks like the panel.
 */
const SVG = 'http://www.w3.org/2000/svg';
const HEADER_HEIGHT = 58;
const COLUMN_ROW = 18;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function kindText(n: ViewNode): string {
  if (n.group) return n.group.what;
  return n.materialized && n.materialized !== n.type ? `${n.type} · ${n.materialized}` : n.type;
}

export function runText(n: ViewNode): string {
  if (n.group) return n.group.runs ?? 'not built yet';
  if (!n.run) return n.type === 'source' ? 'raw table' : n.type === 'test' ? 'not run yet' : 'not built yet';
  const parts = [n.run.status, `${(n.run.durationMs / 1000).toFixed(2)} s`];
  if (n.run.rowsAffected !== undefined) parts.push(`${n.run.rowsAffected.toLocaleString('en-US')} ${n.run.rowsAffected === 1 ? 'row' : 'rows'}`);
  return parts.join(' · ');
}

function columnLabel(c: ViewNode['columns'][number]): string {
  if (c.trace === undefined) return c.name;
  if (c.trace === 'unknown' || !c.from) return `${c.name} ← unknown`;
  return c.from.length === 0 ? `${c.name} ← (no column input)` : `${c.name} ← ${c.from.join(', ')}${c.trace === 'partial' ? ', unknown' : ''}`;
}

export interface RenderHandlers {
  select(id: string): void;
  expand(id: string): void;
  toggleColumns(id: string): void;
}

function edgePath(points: Array<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function nodeElement(n: ViewNode, box: { x: number; y: number; width: number; height: number }, handlers: RenderHandlers): SVGGElement {
  const classes = ['node', `type-${n.type.replace(/[^a-z_]/gi, '')}`];
  if (n.run) classes.push(`status-${n.run.status.replace(/[^a-z]/gi, '')}`);
  if (n.group?.worst) classes.push(`status-${n.group.worst.replace(/[^a-z]/gi, '')}`);
  if (n.problem) classes.push('broken');
  const g = el('g', { class: classes.join(' '), transform: `translate(${box.x},${box.y})`, tabindex: 0, role: 'button' });
  g.dataset.id = n.id;
  g.setAttribute('aria-label', `${n.name}, ${kindText(n)}, ${runText(n)}`);
  const title = el('title', {}, `${n.name}\n${n.id}${n.path ? `\n${n.path}` : ''}${n.problem ? `\n${n.problem}` : ''}${n.run?.message ? `\n${n.run.message}` : ''}`);
  g.append(title, el('rect', { class: 'box', width: box.width, height: box.height, rx: 6 }), el('rect', { class: 'bar', width: 5, height: box.height, rx: 2 }));
  g.dataset.width = String(box.width);
  g.dataset.height = String(box.height);
  // The name, and the name as the zoomed-out level of detail shows it (main.ts applyLod fills it).
  g.append(el('text', { class: 'name', x: 14, y: 19 }, n.name), el('text', { class: 'lod', x: 14, y: box.height / 2 }));
  g.append(el('text', { class: 'kind', x: 14, y: 35 }, kindText(n)));
  g.append(el('text', { class: 'run', x: 14, y: 51 }, n.problem ? `error: ${n.problem}`.slice(0, 60) : runText(n)));
  if (n.tests.length > 0) {
    const t = el('text', { class: 'tests', x: 14, y: 65 }, `${n.tests.length} test${n.tests.length === 1 ? '' : 's'}`);
    t.append(el('title', {}, n.tests.map((x) => (x.column ? `${x.name} (${x.column})` : x.name)).join('\n')));
    g.append(t);
  }
  // Controls on the right edge: expand hidden neighbours, show columns.
  let cx = box.width - 14;
  if (n.group) {
    // A group: drawn as a stack of cards; a click (or +) shows its nodes.
    g.insertBefore(el('rect', { class: 'stack', x: 4, y: -4, width: box.width, height: box.height, rx: 6 }), g.firstChild?.nextSibling ?? null);
    const b = el('g', { class: 'control expand', transform: `translate(${cx},14)`, role: 'button', tabindex: 0 });
    b.append(el('circle', { r: 8 }), el('text', { 'text-anchor': 'middle', y: 4 }, '+'), el('title', {}, `Show the ${n.group.members} nodes of ${n.name}`));
    g.append(b);
    g.setAttribute('aria-label', `${n.name}: ${n.group.what}; press to show its nodes`);
    const open = (e: Event) => {
      e.stopPropagation();
      handlers.expand(n.id);
    };
    g.addEventListener('click', open);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(e);
      }
    });
    return g;
  }
  if (n.hiddenParents + n.hiddenChildren > 0) {
    const b = el('g', { class: 'control expand', transform: `translate(${cx},14)`, role: 'button', tabindex: 0 });
    b.append(el('circle', { r: 8 }), el('text', { 'text-anchor': 'middle', y: 4 }, '+'), el('title', {}, `Show ${n.hiddenParents} more upstream and ${n.hiddenChildren} more downstream`));
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      handlers.expand(n.id);
    });
    g.append(b);
    cx -= 22;
  }
  if (n.type !== 'exposure') {
    const b = el('g', { class: `control columns${n.columnsOpen ? ' open' : ''}`, transform: `translate(${cx},14)`, role: 'button', tabindex: 0 });
    b.append(el('circle', { r: 8 }), el('text', { 'text-anchor': 'middle', y: 4 }, n.columnsOpen ? '−' : '≡'), el('title', {}, n.columnsOpen ? 'Hide columns' : 'Show columns and their lineage'));
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      handlers.toggleColumns(n.id);
    });
    g.append(b);
  }
  if (n.columnsOpen) {
    let y = HEADER_HEIGHT + (n.tests.length > 0 ? 14 : 0) + 14;
    const rows = n.columns.length > 0 ? n.columns : [{ name: 'no known columns' }];
    for (const c of rows) {
      const t = el('text', { class: `column${'trace' in c && c.trace === 'unknown' ? ' unknown' : ''}`, x: 14, y }, 'trace' in c || 'from' in c ? columnLabel(c) : c.name);
      if ('description' in c && c.description) t.append(el('title', {}, c.description));
      g.append(t);
      y += COLUMN_ROW;
    }
    if (n.columnNote) g.append(el('text', { class: 'column note', x: 14, y }, n.columnNote.slice(0, 60)));
  }
  g.addEventListener('click', () => handlers.select(n.id));
  g.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      handlers.select(n.id);
    }
  });
  return g;
}

/** Replaces the drawing in `layer` with the view; returns the element of each node by id. */
export function renderGraph(layer: SVGGElement, view: LineageViewData, layout: LaidOut, handlers: RenderHandlers): Map<string, SVGGElement> {
  const edges = el('g', { class: 'edges' });
  for (const e of view.edges) {
    const points = layout.edges[e.id];
    if (!points || points.length < 2) continue;
    const p = el('path', { d: edgePath(points), class: 'edge', 'marker-end': 'url(#arrow)' });
    p.dataset.source = e.source;
    p.dataset.target = e.target;
    edges.append(p);
  }
  const nodes = el('g', { class: 'nodes' });
  const byId = new Map<string, SVGGElement>();
  for (const n of view.nodes) {
    const box = layout.nodes[n.id];
    if (!box) continue;
    const g = nodeElement(n, box, handlers);
    byId.set(n.id, g);
    nodes.append(g);
  }
  layer.replaceChildren(edges, nodes);
  return byId;
}
