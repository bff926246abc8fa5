import type { ElkInput, LaidOut, ViewNode } from './protocol';

/**
 * Node boxes sized to their text as the browser draws it: every line is measured (canvas
 * measureText) in the very font its SVG text element gets from media/lineage.css and the editor's
 * theme (the workbench font, the editor font for tests and columns), before ELK lays the graph out.
 * A line longer than the widest box is cut with "…" and shown whole in its tooltip. Every line is
 * drawn at the editor's font size (issue 14: text never smaller than the editor's font at the
 * default zoom), and the lines' positions and the box's height follow from the size read from the
 * drawing, as the widths do. The line model is the twin of src/core/lineage/nodeSize.ts (the webview
 * may not import src/), whose exported SVG keeps its own fixed 12 px; the host's sizes, for that SVG,
 * are replaced by these.
 */
export const PAD_LEFT = 14;
const PAD_RIGHT = 10;
/** Room above the first line and below the last. */
const PAD_Y = 6;

export type LineKind = 'name' | 'kind' | 'run' | 'tests' | 'column' | 'note';

/**
 * The font size (px) each kind of line is drawn at, read from the drawing (media/lineage.css: the
 * editor's font size). Heights, line positions, box widths and the controls follow from it.
 */
export type LineSizes = Record<LineKind, number>;
/** VS Code's default editor font size: used until the drawing's sizes are read. */
export const DEFAULT_SIZES: LineSizes = { name: 14, kind: 14, run: 14, tests: 14, column: 14, note: 14 };

/** A line's height: a header line about 1.35 of its font size, a column row a little more (it is a list). */
function advance(kind: LineKind, size: number): number {
  return Math.ceil(size * (kind === 'column' || kind === 'note' ? 1.5 : 1.35));
}

/** The baseline of a line `size` px high in a row from `top` of `height`: the text centred in it. */
function baseline(top: number, height: number, size: number): number {
  // Latin ascenders are about 0.72 of the size, descenders 0.2: centre the ink's middle.
  return Math.round((top + height / 2 + size * 0.3) * 10) / 10;
}

/** The round controls at the right of the name line: radius, their centre's y, and the step from one to the next. */
export function controlGeometry(sizes: LineSizes): { r: number; y: number; step: number } {
  const r = Math.max(8, Math.round(sizes.name * 0.6));
  return { r, y: PAD_Y + advance('name', sizes.name) / 2, step: 2 * r + 6 };
}

/** The narrowest and widest a box is: in proportion to the name's size (180 and 360 px at 12 px). */
function widthRange(sizes: LineSizes): { min: number; max: number } {
  return { min: Math.round(sizes.name * 15), max: Math.round(sizes.name * 30) };
}

export interface NodeLine {
  kind: LineKind;
  text: string;
  y: number;
  right: number;
  unknown?: boolean;
  /** More about the line, shown on hover (a column's description, the tests' names). */
  tip?: string;
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

export function controlCount(n: ViewNode): number {
  if (n.group) return 1;
  return (n.hiddenParents + n.hiddenChildren > 0 ? 1 : 0) + (n.type !== 'exposure' ? 1 : 0);
}

/**
 * Every line a node shows, top to bottom, in full, each placed by the size it is drawn at; and the
 * box's height for them.
 */
export function nodeLayout(n: ViewNode, sizes: LineSizes = DEFAULT_SIZES): { lines: NodeLine[]; height: number } {
  const controls = controlCount(n);
  const lines: NodeLine[] = [];
  let y = PAD_Y;
  const push = (line: Omit<NodeLine, 'y'>) => {
    const h = advance(line.kind, sizes[line.kind]);
    lines.push({ ...line, y: baseline(y, h, sizes[line.kind]) });
    y += h;
  };
  push({ kind: 'name', text: n.name, right: controls > 0 ? controls * controlGeometry(sizes).step + 4 : PAD_RIGHT });
  push({ kind: 'kind', text: kindText(n), right: PAD_RIGHT });
  push({ kind: 'run', text: n.problem && !n.group ? `error: ${n.problem}` : runText(n), right: PAD_RIGHT });
  if (n.tests.length > 0 && !n.group) {
    const tip = n.tests.map((x) => (x.column ? `${x.name} (${x.column})` : x.name)).join('\n');
    push({ kind: 'tests', text: `${n.tests.length} test${n.tests.length === 1 ? '' : 's'}`, right: PAD_RIGHT, tip });
  }
  if (n.columnsOpen && !n.group) {
    // The columns: a list below the header, set off from it.
    y += PAD_Y;
    if (n.columns.length === 0) push({ kind: 'column', text: 'no known columns', right: PAD_RIGHT, unknown: true });
    for (const c of n.columns) {
      push({ kind: 'column', text: columnLabel(c), right: PAD_RIGHT, ...(c.trace === 'unknown' ? { unknown: true } : {}), ...(c.description ? { tip: c.description } : {}) });
    }
    if (n.columnNote) push({ kind: 'note', text: n.columnNote, right: PAD_RIGHT });
  }
  return { lines, height: Math.ceil(y + PAD_Y) };
}

/** Every line a node shows, top to bottom, in full. */
export function nodeLines(n: ViewNode, sizes: LineSizes = DEFAULT_SIZES): NodeLine[] {
  return nodeLayout(n, sizes).lines;
}

/** `text` whole when it fits `room` px, else its longest start that fits followed by "…". */
export function fitText(text: string, room: number, width: (text: string) => number): { text: string; cut: boolean } {
  if (width(text) <= room) return { text, cut: false };
  const chars = [...text];
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (width(`${chars.slice(0, mid).join('').trimEnd()}…`) <= room) lo = mid;
    else hi = mid - 1;
  }
  return { text: `${chars.slice(0, lo).join('').trimEnd()}…`, cut: true };
}

/**
 * Measures text in the fonts the drawing uses. The fonts are read from hidden probe text elements
 * in `svg` (so a theme or a setting that changes the editor font is followed); widths are cached
 * per font and text.
 */
export class TextMeasurer {
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly fonts = new Map<LineKind, string>();
  /** The size each kind of line is drawn at, px (as read by the last refresh). */
  readonly sizes: LineSizes = { ...DEFAULT_SIZES };
  private readonly cache = new Map<string, number>();

  constructor(private readonly svg: SVGSVGElement) {
    this.ctx = document.createElement('canvas').getContext('2d');
  }

  /** Reads the fonts again (call before a draw: the editor font may have changed since); true when they changed. */
  refresh(): boolean {
    const probe = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    probe.setAttribute('class', 'node probe');
    probe.setAttribute('visibility', 'hidden');
    const kinds: LineKind[] = ['name', 'kind', 'run', 'tests', 'column', 'note'];
    for (const k of kinds) {
      const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      t.setAttribute('class', k === 'note' ? 'column note' : k);
      probe.append(t);
    }
    this.svg.append(probe);
    let changed = false;
    kinds.forEach((k, i) => {
      const s = getComputedStyle(probe.children[i] as Element);
      const font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      if (this.fonts.get(k) !== font) changed = true;
      this.fonts.set(k, font);
      this.sizes[k] = Number.parseFloat(s.fontSize) || DEFAULT_SIZES[k];
    });
    probe.remove();
    if (changed) this.cache.clear();
    return changed;
  }

  width(text: string, kind: LineKind): number {
    const font = this.fonts.get(kind) ?? `${DEFAULT_SIZES[kind]}px sans-serif`;
    const key = `${font}\u0000${text}`;
    let w = this.cache.get(key);
    if (w === undefined) {
      if (this.ctx) {
        this.ctx.font = font;
        w = this.ctx.measureText(text).width;
      } else {
        // No 2D canvas (never in a webview): the font's size per character, generously.
        w = text.length * this.sizes[kind];
      }
      this.cache.set(key, w);
    }
    return w;
  }
}

/** Box width for a node's lines as measured (between the narrowest and widest box for its font size). */
export function measuredWidth(n: ViewNode, measure: TextMeasurer, lines: NodeLine[] = nodeLines(n, measure.sizes)): number {
  const { min, max } = widthRange(measure.sizes);
  let need = min;
  // A pixel of slack for anti-aliasing at the text's end.
  for (const l of lines) need = Math.max(need, PAD_LEFT + measure.width(l.text, l.kind) + 1 + l.right);
  return Math.ceil(Math.min(max, need));
}

/**
 * Every node's size from its text as drawn: the width measured, the height from the lines and the
 * size they are drawn at; set in the view and in ELK's input (a copy: the host's message is kept as
 * it came, its sizes are for the exported SVG's font).
 */
export function measureNodes(nodes: ViewNode[], elk: ElkInput, measure: TextMeasurer): ElkInput {
  const sizes = new Map<string, { width: number; height: number }>();
  for (const n of nodes) {
    const { lines, height } = nodeLayout(n, measure.sizes);
    n.width = measuredWidth(n, measure, lines);
    n.height = height;
    sizes.set(n.id, { width: n.width, height });
  }
  return { ...elk, children: elk.children.map((c) => ({ ...c, ...(sizes.get(c.id) ?? {}) })) };
}

/** A layout made for these very boxes (one the host kept may have been measured in another font). */
export function layoutFits(layout: LaidOut, elk: ElkInput): boolean {
  return elk.children.every((c) => {
    const box = layout.nodes[c.id];
    return box !== undefined && Math.abs(box.width - c.width) < 0.5 && Math.abs(box.height - c.height) < 0.5;
  });
}
