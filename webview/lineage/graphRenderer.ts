import { PAD_LEFT, controlGeometry, fitText, kindText, nodeLines, runText } from './nodeFit';
import type { TextMeasurer } from './nodeFit';
import type { LaidOut, LineageViewData, ViewNode } from './protocol';

/**
 * Draws a laid-out view as SVG elements. Every text that came from the user's files goes in through
 * textContent, never markup. Node geometry mirrors src/core/lineage/svgExport.ts, so that an export
 * looks like the panel.
 */
const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface RenderHandlers {
  select(id: string): void;
  expand(id: string): void;
  toggleColumns(id: string): void;
}

function edgePath(points: Array<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function nodeElement(n: ViewNode, box: { x: number; y: number; width: number; height: number }, handlers: RenderHandlers, measure: TextMeasurer): SVGGElement {
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
  // Each line measured in its own font and cut with "…" to the box; a cut line shows its whole text on hover.
  // The full name stays in data-name (main.ts applyLod draws it zoomed out, in text.lod).
  g.dataset.name = n.name;
  for (const line of nodeLines(n, measure.sizes)) {
    const fit = fitText(line.text, box.width - PAD_LEFT - line.right, (t) => measure.width(t, line.kind));
    const cls = line.kind === 'note' ? 'column note' : line.kind === 'column' && line.unknown ? 'column unknown' : line.kind;
    const t = el('text', { class: cls, x: PAD_LEFT, y: line.y }, fit.text);
    if (fit.cut) t.dataset.full = line.text;
    const tip = fit.cut ? [line.text, line.tip].filter(Boolean).join('\n') : line.tip;
    if (tip) t.append(el('title', {}, tip));
    g.append(t);
    if (line.kind === 'name') g.append(el('text', { class: 'lod', x: PAD_LEFT, y: box.height / 2 }));
  }
  // Controls on the right edge, centred on the name line and sized to its font: expand hidden neighbours, show columns.
  const c = controlGeometry(measure.sizes);
  let cx = box.width - 6 - c.r;
  const control = (cls: string, glyph: string, tip: string) => {
    const b = el('g', { class: cls, transform: `translate(${cx},${c.y})`, role: 'button', tabindex: 0 });
    b.append(el('circle', { r: c.r }), el('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' }, glyph), el('title', {}, tip));
    return b;
  };
  if (n.group) {
    // A group: drawn as a stack of cards; a click (or +) shows its nodes.
    g.insertBefore(el('rect', { class: 'stack', x: 4, y: -4, width: box.width, height: box.height, rx: 6 }), g.firstChild?.nextSibling ?? null);
    const b = control('control expand', '+', `Show the ${n.group.members} nodes of ${n.name}`);
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
    const b = control('control expand', '+', `Show ${n.hiddenParents} more upstream and ${n.hiddenChildren} more downstream`);
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      handlers.expand(n.id);
    });
    g.append(b);
    cx -= c.step;
  }
  if (n.type !== 'exposure') {
    const b = control(`control columns${n.columnsOpen ? ' open' : ''}`, n.columnsOpen ? '−' : '≡', n.columnsOpen ? 'Hide columns' : 'Show columns and their lineage');
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      handlers.toggleColumns(n.id);
    });
    g.append(b);
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
export function renderGraph(layer: SVGGElement, view: LineageViewData, layout: LaidOut, handlers: RenderHandlers, measure: TextMeasurer): Map<string, SVGGElement> {
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
    const g = nodeElement(n, box, handlers, measure);
    byId.set(n.id, g);
    nodes.append(g);
  }
  layer.replaceChildren(edges, nodes);
  return byId;
}
