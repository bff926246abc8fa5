/**
 * The box of a node, from its text: computed, not measured, so that the host, the CLI and the
 * webview lay out the same graph to the same picture (deterministic layout needs fixed sizes).
 * 7.2 px per character fits the 12 px UI font the panel and the SVG use.
 */
export const CHAR_WIDTH = 7.2;
export const HEADER_HEIGHT = 58;
export const COLUMN_ROW = 18;
const MIN_WIDTH = 180;
const MAX_WIDTH = 360;

interface Sized {
  name: string;
  columnsOpen: boolean;
  columns: Array<{ name: string; from?: string[]; trace?: string }>;
  columnNote?: string;
  tests: unknown[];
}

export function columnLabel(c: { name: string; from?: string[]; trace?: string }): string {
  if (c.trace === undefined) return c.name;
  if (c.trace === 'unknown' || !c.from) return `${c.name} ← unknown`;
  return c.from.length === 0 ? `${c.name} ← (no column input)` : `${c.name} ← ${c.from.join(', ')}${c.trace === 'partial' ? ', unknown' : ''}`;
}

export function nodeSize(n: Sized): { width: number; height: number } {
  let chars = n.name.length + 4;
  let height = HEADER_HEIGHT + (n.tests.length > 0 ? 14 : 0);
  if (n.columnsOpen) {
    const rows = Math.max(1, n.columns.length) + (n.columnNote ? 1 : 0);
    height += rows * COLUMN_ROW + 8;
    for (const c of n.columns) chars = Math.max(chars, columnLabel(c).length + 2);
  }
  const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, chars * CHAR_WIDTH + 24)));
  return { width, height };
}
