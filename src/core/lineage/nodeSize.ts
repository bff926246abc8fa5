import { kindText, runText, testsText } from './nodeText';
import type { NodeTextInput } from './nodeText';
import { measureSvgText } from './textMeasure';
import type { MeasureText, TextStyle } from './textMeasure';

/**
 * The box of a node, from its text as measured in the font it is drawn in (textMeasure.ts for the
 * SVG; the webview re-measures in the editor's own fonts, webview/lineage/nodeFit.ts, its twin):
 * wide enough for its longest line, between MIN_WIDTH and MAX_WIDTH; a line longer than
 * MAX_WIDTH allows is cut with "…" (fitText) and shown whole in the node's tooltip.
 */
export const HEADER_HEIGHT = 58;
export const COLUMN_ROW = 18;
export const MIN_WIDTH = 180;
export const MAX_WIDTH = 360;
/** Text starts this far from the box's left edge (after the type bar). */
export const PAD_LEFT = 14;
/** Room kept free after a line's text at the box's right edge. */
export const PAD_RIGHT = 10;
/** Each round control (expand, columns) at the right of the name line: 16 px wide, 22 px apart. */
export const CONTROL_STEP = 22;

export type LineKind = 'name' | 'kind' | 'run' | 'tests' | 'column' | 'note';

/** One line of text on a node: what it says, where (baseline y), and the room it leaves at the right. */
export interface NodeLine {
  kind: LineKind;
  text: string;
  y: number;
  right: number;
  /** A column whose lineage is unknown (drawn muted). */
  unknown?: boolean;
}

/**
 * How each kind of line is drawn in the exported SVG: a fixed 12 px (11 px for tests and columns),
 * declared in the file, since an SVG file has no editor font to follow. The panel draws every line at
 * the editor's font size (media/lineage.css) and places lines and sizes boxes from the size it reads
 * back (webview/lineage/nodeFit.ts); a panel export draws these sizes in the panel's larger boxes.
 */
export const SVG_STYLES: Record<LineKind, TextStyle> = {
  name: { size: 12, weight: 700 },
  kind: { size: 12, weight: 400 },
  run: { size: 12, weight: 400 },
  tests: { size: 11, weight: 400 },
  column: { size: 11, weight: 400 },
  note: { size: 11, weight: 400 },
};

export interface Sized extends NodeTextInput {
  name: string;
  problem?: string;
  columnsOpen: boolean;
  columns: Array<{ name: string; from?: string[]; trace?: string }>;
  columnNote?: string;
}

export function columnLabel(c: { name: string; from?: string[]; trace?: string }): string {
  if (c.trace === undefined) return c.name;
  if (c.trace === 'unknown' || !c.from) return `${c.name} ← unknown`;
  return c.from.length === 0 ? `${c.name} ← (no column input)` : `${c.name} ← ${c.from.join(', ')}${c.trace === 'partial' ? ', unknown' : ''}`;
}

/** The round controls drawn at the right of the name line (graphRenderer.ts): a group's "+", else expand and columns. */
export function controlCount(n: Sized): number {
  if (n.group) return 1;
  return ((n.hiddenParents ?? 0) + (n.hiddenChildren ?? 0) > 0 ? 1 : 0) + (n.type !== 'exposure' ? 1 : 0);
}

/** Every line a node shows, top to bottom, in full (before any cut to the box). */
export function nodeLines(n: Sized): NodeLine[] {
  const controls = controlCount(n);
  const lines: NodeLine[] = [
    { kind: 'name', text: n.name, y: 19, right: controls > 0 ? controls * CONTROL_STEP + 4 : PAD_RIGHT },
    { kind: 'kind', text: kindText(n), y: 35, right: PAD_RIGHT },
    { kind: 'run', text: n.problem && !n.group ? `error: ${n.problem}` : runText(n), y: 51, right: PAD_RIGHT },
  ];
  const tests = n.group ? '' : testsText(n);
  if (tests) lines.push({ kind: 'tests', text: tests, y: 65, right: PAD_RIGHT });
  if (n.columnsOpen && !n.group) {
    let y = HEADER_HEIGHT + (n.tests.length > 0 ? 14 : 0) + 14;
    if (n.columns.length === 0) {
      lines.push({ kind: 'column', text: 'no known columns', y, right: PAD_RIGHT, unknown: true });
      y += COLUMN_ROW;
    }
    for (const c of n.columns) {
      lines.push({ kind: 'column', text: columnLabel(c), y, right: PAD_RIGHT, ...(c.trace === 'unknown' ? { unknown: true } : {}) });
      y += COLUMN_ROW;
    }
    if (n.columnNote) lines.push({ kind: 'note', text: n.columnNote, y, right: PAD_RIGHT });
  }
  return lines;
}

export function nodeHeight(n: Sized): number {
  let height = HEADER_HEIGHT + (n.tests.length > 0 && !n.group ? 14 : 0);
  if (n.columnsOpen && !n.group) height += (Math.max(1, n.columns.length) + (n.columnNote ? 1 : 0)) * COLUMN_ROW + 8;
  return height;
}

/** Width for the longest line (measured), clamped to MIN_WIDTH..MAX_WIDTH. */
export function nodeWidth(lines: NodeLine[], width: (line: NodeLine) => number): number {
  let need = MIN_WIDTH;
  for (const l of lines) need = Math.max(need, PAD_LEFT + width(l) + l.right);
  return Math.ceil(Math.min(MAX_WIDTH, need));
}

export function nodeSize(n: Sized, measure: MeasureText = measureSvgText): { width: number; height: number } {
  return { width: nodeWidth(nodeLines(n), (l) => measure(l.text, SVG_STYLES[l.kind])), height: nodeHeight(n) };
}

/**
 * `text` as it fits in `room` px: whole, or its longest start that fits followed by "…" (just "…"
 * when not even one character does). `cut` says whether it was shortened.
 */
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

/** The room a line has in a box of `boxWidth`. */
export function lineRoom(line: NodeLine, boxWidth: number): number {
  return boxWidth - PAD_LEFT - line.right;
}
