import type { ElkInput, LaidOut, ViewNode } from './protocol';

/**
 * Node boxes sized to their text as the browser draws it: every line is measured (canvas
 * measureText) in the very font its SVG text element gets from media/lineage.css and the editor's
 * theme (the workbench font, the editor font for tests and columns), before ELK lays the graph out.
 * A line longer than the widest box is cut with "…" and shown whole in its tooltip.
 * The line model is the twin of src/core/lineage/nodeSize.ts (the webview may not import src/);
 * the host's sizes, measured in the exported SVG's font, are replaced by these.
 */
export const HEADER_HEIGHT = 58;
export const COLUMN_ROW = 18;
const MIN_WIDTH = 180;
const MAX_WIDTH = 360;
export const PAD_LEFT = 14;
const PAD_RIGHT = 10;
const CONTROL_STEP = 22;

export type LineKind = 'name' | 'kind' | 'run' | 'tests' | 'column' | 'note';

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

/** Every line a node shows, top to bottom, in full. */
export function nodeLines(n: ViewNode): NodeLine[] {
  const controls = controlCount(n);
  const lines: NodeLine[] = [
    { kind: 'name', text: n.name, y: 19, right: controls > 0 ? controls * CONTROL_STEP + 4 : PAD_RIGHT },
    { kind: 'kind', text: kindText(n), y: 35, right: PAD_RIGHT },
    { kind: 'run', text: n.problem && !n.group ? `error: ${n.problem}` : runText(n), y: 51, right: PAD_RIGHT },
  ];
  if (n.tests.length > 0 && !n.group) {
    const tip = n.tests.map((x) => (x.column ? `${x.name} (${x.column})` : x.name)).join('\n');
    lines.push({ kind: 'tests', text: `${n.tests.length} test${n.tests.length === 1 ? '' : 's'}`, y: 65, right: PAD_RIGHT, tip });
  }
  if (n.columnsOpen && !n.group) {
    let y = HEADER_HEIGHT + (n.tests.length > 0 ? 14 : 0) + 14;
    if (n.columns.length === 0) {
      lines.push({ kind: 'column', text: 'no known columns', y, right: PAD_RIGHT, unknown: true });
      y += COLUMN_ROW;
    }
    for (const c of n.columns) {
      lines.push({ kind: 'column', text: columnLabel(c), y, right: PAD_RIGHT, ...(c.trace === 'unknown' ? { unknown: true } : {}), ...(c.description ? { tip: c.description } : {}) });
      y += COLUMN_ROW;
    }
    if (n.columnNote) lines.push({ kind: 'note', text: n.columnNote, y, right: PAD_RIGHT });
  }
  return lines;
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
    });
    probe.remove();
    if (changed) this.cache.clear();
    return changed;
  }

  width(text: string, kind: LineKind): number {
    const font = this.fonts.get(kind) ?? '12px sans-serif';
    const key = `${font}\u0000${text}`;
    let w = this.cache.get(key);
    if (w === undefined) {
      if (this.ctx) {
        this.ctx.font = font;
        w = this.ctx.measureText(text).width;
      } else {
        // No 2D canvas (never in a webview): the font's size per character, generously.
        w = text.length * (Number.parseFloat(font.split(' ')[2] ?? '12') || 12);
      }
      this.cache.set(key, w);
    }
    return w;
  }
}

/** Box width for a node's lines as measured (between MIN_WIDTH and MAX_WIDTH px). */
export function measuredWidth(n: ViewNode, measure: TextMeasurer): number {
  let need = MIN_WIDTH;
  // A pixel of slack for anti-aliasing at the text's end.
  for (const l of nodeLines(n)) need = Math.max(need, PAD_LEFT + measure.width(l.text, l.kind) + 1 + l.right);
  return Math.ceil(Math.min(MAX_WIDTH, need));
}

/**
 * Every node's width measured, in the view and in ELK's input (a copy: the host's message is kept
 * as it came). Heights are fixed by the number of lines, as the host computed them.
 */
export function measureNodes(nodes: ViewNode[], elk: ElkInput, measure: TextMeasurer): ElkInput {
  const widths = new Map<string, number>();
  for (const n of nodes) {
    n.width = measuredWidth(n, measure);
    widths.set(n.id, n.width);
  }
  return { ...elk, children: elk.children.map((c) => ({ ...c, width: widths.get(c.id) ?? c.width })) };
}

/** A layout made for these very boxes (one the host kept may have been measured in another font). */
export function layoutFits(layout: LaidOut, elk: ElkInput): boolean {
  return elk.children.every((c) => {
    const box = layout.nodes[c.id];
    return box !== undefined && Math.abs(box.width - c.width) < 0.5 && Math.abs(box.height - c.height) < 0.5;
  });
}
