import type { LaidOut } from './layoutGraph';
import type { LineageView } from './lineageView';
import { PAD_LEFT, PAD_RIGHT, SVG_STYLES, fitText, lineRoom, nodeLines } from './nodeSize';
import type { NodeLine } from './nodeSize';
import { SVG_FONT_FAMILY, measureSvgText } from './textMeasure';

/**
 * A laid-out lineage view as a standalone SVG document: what the panel shows, in fixed colours (an
 * exported file has no editor theme), every name escaped (names come from the user's files).
 */
export interface SvgOptions {
  /** Nodes to draw as highlighted (a selected node's upstream and downstream paths). */
  highlighted?: Set<string>;
  /** The node of the active file. */
  current?: string;
  title?: string;
}

const TYPE_COLOURS: Record<string, string> = {
  source: '#2e7d32',
  seed: '#6a1b9a',
  model: '#1565c0',
  snapshot: '#00838f',
  exposure: '#ef6c00',
};
const STATUS_COLOURS: Record<string, string> = { success: '#2e7d32', pass: '#2e7d32', error: '#c62828', fail: '#c62828', warn: '#f9a825', skipped: '#757575' };

export function escapeXml(text: string): string {
  // Characters XML 1.0 forbids are dropped: a file name cannot be allowed to break the document.
  const allowed = (c: string) => {
    const code = c.codePointAt(0) ?? 0;
    return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
  };
  return [...text]
    .filter(allowed)
    .join('')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const f = (n: number) => String(Math.round(n * 10) / 10);

export function lineageSvg(view: LineageView, layout: LaidOut, options: SvgOptions = {}): string {
  const width = Math.max(200, Math.ceil(layout.width));
  const height = Math.max(80, Math.ceil(layout.height));
  const lines: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(SVG_FONT_FAMILY)}" font-size="12">`,
    `<title>${escapeXml(options.title ?? 'Lineage')}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8a8a"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g class="edges" fill="none" stroke-width="1.4">`,
  ];
  const lit = options.highlighted;
  for (const e of view.edges) {
    const points = layout.edges[e.id];
    if (!points || points.length < 2) continue;
    const on = lit ? lit.has(e.source) && lit.has(e.target) : false;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(p.x)},${f(p.y)}`).join(' ');
    lines.push(`<path d="${d}" stroke="${on ? '#1565c0' : '#9e9e9e'}"${on ? ' stroke-width="2.4"' : ''} marker-end="url(#arrow)"/>`);
  }
  lines.push('</g>', '<g class="nodes">');
  for (const n of view.nodes) {
    const box = layout.nodes[n.id];
    if (!box) continue;
    const colour = TYPE_COLOURS[n.type] ?? '#455a64';
    const dim = lit && !lit.has(n.id);
    const stroke = n.id === options.current ? '#ef6c00' : n.problem ? '#c62828' : '#bdbdbd';
    lines.push(`<g class="node" data-id="${escapeXml(n.id)}" transform="translate(${f(box.x)},${f(box.y)})"${dim ? ' opacity="0.35"' : ''}>`);
    lines.push(`<title>${escapeXml(`${n.name} (${n.id})${n.problem ? `\n${n.problem}` : ''}`)}</title>`);
    lines.push(`<rect width="${f(box.width)}" height="${f(box.height)}" rx="6" fill="#fafafa" stroke="${stroke}" stroke-width="${n.id === options.current ? 2.5 : 1.2}"/>`);
    lines.push(`<rect width="5" height="${f(box.height)}" rx="2" fill="${colour}"/>`);
    const status = n.run ? (STATUS_COLOURS[n.run.status] ?? '#616161') : '#757575';
    const fills: Record<NodeLine['kind'], string> = { name: '#212121', kind: colour, run: n.problem ? '#c62828' : status, tests: '#616161', column: '#424242', note: '#9e9e9e' };
    for (const line of nodeLines(n)) {
      // Measured in the font the SVG declares, and cut with "…" to the box; the whole text in a tooltip.
      const style = SVG_STYLES[line.kind];
      // The export draws no controls: the name may use the whole line.
      const fit = fitText(line.text, lineRoom(line.kind === 'name' ? { ...line, right: PAD_RIGHT } : line, box.width), (t) => measureSvgText(t, style));
      const attrs = `x="${PAD_LEFT}" y="${f(line.y)}" fill="${line.unknown ? '#9e9e9e' : fills[line.kind]}"${style.weight === 700 ? ' font-weight="700"' : ''}${style.size !== 12 ? ` font-size="${style.size}"` : ''}`;
      lines.push(`<text class="${line.kind}" ${attrs}>${escapeXml(fit.text)}${fit.cut ? `<title>${escapeXml(line.text)}</title>` : ''}</text>`);
    }
    lines.push('</g>');
  }
  lines.push('</g>', '</svg>', '');
  return lines.join('\n');
}
