import type { View } from 'vega';
import { nearest, periodLabel } from './readoutText';
import type { ReadoutSpec } from './readoutText';

export type { ReadoutSpec } from './readoutText';

type Row = Record<string, string | number | null>;

const numberText = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

function xOf(v: unknown, temporal: boolean): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !temporal) return undefined;
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  return Number.isNaN(t) ? undefined : t;
}

/** The x positions of the rows, sorted, and the rows at each: built on the first hover. */
function indexRows(rows: readonly Row[], spec: ReadoutSpec): { xs: number[]; at: Map<number, Row[]> } {
  const at = new Map<number, Row[]>();
  for (const r of rows) {
    const x = xOf(r[spec.x], spec.temporal);
    if (x === undefined) continue;
    const list = at.get(x);
    if (list) list.push(r);
    else at.set(x, [r]);
  }
  return { xs: [...at.keys()].sort((a, b) => a - b), at };
}

/**
 * A hover readout on `container` (the element Vega drew into): a vertical rule at the period
 * nearest the pointer and a box with every series' value there, largest first (as star-history
 * and OSS Insight show them). Text from the payload goes in with textContent only.
 */
export function attachReadout(container: HTMLElement, view: View, rows: readonly Row[], spec: ReadoutSpec): void {
  let index: ReturnType<typeof indexRows> | undefined;
  const rule = document.createElement('div');
  rule.className = 'chart-readout-rule';
  rule.hidden = true;
  const box = document.createElement('div');
  box.className = 'chart-readout';
  box.hidden = true;
  box.setAttribute('role', 'tooltip');
  container.append(rule, box);
  container.dataset.readout = 'on';
  const hide = () => {
    rule.hidden = true;
    box.hidden = true;
  };
  container.addEventListener('pointerleave', hide);
  container.addEventListener('pointermove', (e: PointerEvent) => {
    const drawing = container.querySelector('canvas, svg.marks');
    if (!drawing) return hide();
    const x = view.scale('x') as ((v: unknown) => number) & { invert?: (px: number) => unknown; range: () => number[] };
    if (!x || typeof x.invert !== 'function') return hide();
    const [ox, oy] = view.origin();
    const area = drawing.getBoundingClientRect();
    const own = container.getBoundingClientRect();
    const px = e.clientX - area.left - ox;
    const [r0, r1] = x.range() as [number, number];
    if (px < Math.min(r0, r1) - 4 || px > Math.max(r0, r1) + 4 || e.clientY - area.top - oy < -4 || e.clientY - area.top - oy > view.height() + 4) return hide();
    index ??= indexRows(rows, spec);
    const inv = x.invert(px);
    const at = nearest(index.xs, inv instanceof Date ? inv.getTime() : Number(inv));
    if (at === undefined) return hide();
    const here = (index.at.get(at) ?? []).filter((r) => typeof r[spec.value] === 'number');
    if (here.length === 0) return hide();
    const left = x(spec.temporal ? new Date(at) : at) + ox + area.left - own.left;
    rule.style.left = `${Math.round(left)}px`;
    rule.style.top = `${Math.round(oy + area.top - own.top)}px`;
    rule.style.height = `${Math.round(view.height())}px`;
    const color = view.scale('color') as ((v: unknown) => string) | undefined;
    const head = document.createElement('div');
    head.className = 'chart-readout-head';
    head.textContent = spec.temporal ? periodLabel(at, spec.grain) : `${spec.grain} ${at}`;
    const lines = [...here]
      .sort((a, b) => (b[spec.value] as number) - (a[spec.value] as number))
      .map((r) => {
        const line = document.createElement('div');
        line.className = 'chart-readout-line';
        const swatch = document.createElement('span');
        swatch.className = 'chart-readout-swatch';
        if (color) swatch.style.background = color(r[spec.series]);
        const name = document.createElement('span');
        name.className = 'chart-readout-name';
        name.textContent = String(r[spec.series] ?? '');
        const value = document.createElement('span');
        value.className = 'chart-readout-value';
        value.textContent = numberText(r[spec.value] as number);
        line.append(swatch, name, value);
        return line;
      });
    box.replaceChildren(head, ...lines);
    rule.hidden = false;
    box.hidden = false;
    // Beside the rule, on the side with room, inside the chart.
    const w = box.offsetWidth;
    const room = own.width - left - 16;
    box.style.left = `${Math.round(room >= w ? left + 12 : Math.max(0, left - 12 - w))}px`;
    box.style.top = `${Math.round(Math.max(0, e.clientY - own.top - box.offsetHeight / 2))}px`;
  });
}
