import assert from 'node:assert/strict';
import { metricChart } from '../../../src/core/charts/metricChart';
import type { MetricSeries } from '../../../src/core/charts/metricSeries';
import { nearest, periodLabel } from '../../../webview/charts/shared/readoutText';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function series(n: number, points: number): MetricSeries[] {
  return Array.from({ length: n }, (_, s) => ({
    artifactId: `npm:pkg-${s}`, metricKey: 'downloads_daily', name: `pkg-${s}`, label: `pkg-${s}: downloads per week`, counts: 'downloads', unit: 'downloads',
    kind: 'flow' as const, mode: 'total' as const, grain: 'week' as const, axisTitle: 'downloads per week',
    points: Array.from({ length: points }, (_, i) => ({ period: addDays('2016-11-21', 7 * i), value: 100 * (s + 1) + i })),
  }));
}

/** The Vega marks of a compiled chart, flattened out of their groups. */
async function marks(spec: Record<string, unknown>): Promise<Array<{ type: string; name?: string; encode?: { update?: Record<string, unknown> } }>> {
  // ESM with a top-level await: imported dynamically, as the other chart tests do.
  const { compile } = await import('vega-lite');
  const out: Array<{ type: string; name?: string; encode?: { update?: Record<string, unknown> } }> = [];
  const walk = (ms: unknown) => {
    for (const m of (ms as Array<{ type: string; marks?: unknown }>) ?? []) {
      out.push(m as never);
      if (m.marks) walk(m.marks);
    }
  };
  walk((compile(spec as never).spec as { marks?: unknown }).marks);
  return out;
}

describe('dense charts (issue 14: a decade of 10 series first drawn in ≤ 300 ms)', () => {
  it('a line with more points than are marked carries no tooltip per point, and asks the page for a hover readout', async () => {
    const dense = metricChart(series(10, 523));
    const lines = (await marks(dense.spec)).filter((m) => m.type === 'line');
    assert.ok(lines.length > 0);
    for (const l of lines) assert.equal(l.encode?.update?.tooltip, undefined, 'no tooltip expression evaluated per point');
    assert.deepEqual((dense.spec.usermeta as { readout: unknown }).readout, { x: 'period', series: 'series', value: 'value', grain: 'week', temporal: true, valueTitle: 'downloads per week' });
  });

  it('a sparse line keeps its points and their tooltips, and needs no readout', async () => {
    const sparse = metricChart(series(2, 30));
    const withTooltip = (await marks(sparse.spec)).filter((m) => m.encode?.update?.tooltip !== undefined);
    assert.ok(withTooltip.some((m) => m.type === 'symbol' || m.type === 'line'), 'points or line carry tooltips');
    assert.equal(sparse.spec.usermeta, undefined);
  });

  it('the readout finds the period nearest the pointer and writes it as the tooltips do', () => {
    const xs = [0, 10, 20, 30];
    assert.equal(nearest(xs, -5), 0);
    assert.equal(nearest(xs, 14), 10);
    assert.equal(nearest(xs, 16), 20);
    assert.equal(nearest(xs, 99), 30);
    assert.equal(nearest([], 3), undefined);
    const t = Date.parse('2024-03-04T00:00:00Z');
    assert.equal(periodLabel(t, 'week'), 'week of Mar 4, 2024');
    assert.equal(periodLabel(t, 'day'), 'Mar 4, 2024');
    assert.equal(periodLabel(Date.parse('2024-04-01T00:00:00Z'), 'quarter'), 'Q2 2024');
    assert.equal(periodLabel(t, 'month'), 'Mar 2024');
  });
});
