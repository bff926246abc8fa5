import assert from 'node:assert/strict';
import { metricChart } from '../../../src/core/charts/metricChart';
import type { MetricSeries } from '../../../src/core/charts/metricSeries';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** A weekly series at `value` every week. */
function flat(value: number): MetricSeries[] {
  return [{
    artifactId: 'pypi:marquez-airflow', metricKey: 'downloads_daily', name: 'marquez-airflow', label: 'marquez-airflow: downloads per week', counts: 'downloads', unit: 'downloads',
    kind: 'flow', mode: 'total', grain: 'week', axisTitle: 'downloads per week',
    points: Array.from({ length: 28 }, (_, i) => ({ period: addDays('2021-03-01', 7 * i), value })),
  }];
}

/** The y scale's domain of a chart as Vega computes it, drawn 300 px tall. */
async function yDomain(spec: Record<string, unknown>, values: unknown[]): Promise<number[]> {
  // ESM with a top-level await: imported dynamically, as the other chart tests do.
  const { compile } = await import('vega-lite');
  const vega = await import('vega');
  const full = { ...spec, width: 600, height: 300, autosize: 'none', data: { name: 'table', values, format: { parse: { period: 'date' } } } };
  const view = new vega.View(vega.parse(compile(full as never).spec), { renderer: 'none' });
  await view.runAsync();
  const domain = view.scale('y').domain() as number[];
  view.finalize();
  return domain;
}

describe('count axes leave room above the highest value (issue 14: screens)', () => {
  it('a flat line at a round 1,400 is not drawn on the top edge of the plot', async () => {
    const chart = metricChart(flat(1400));
    const [lo, hi] = await yDomain(chart.spec, chart.values);
    assert.equal(lo, 0, 'counts from zero');
    assert.ok((hi as number) > 1400 * 1.03, `the axis ends at ${hi}`);
  });

  it('a maximum already below a round number keeps that axis (4,060 → 4,500)', async () => {
    const chart = metricChart(flat(4060));
    assert.deepEqual(await yDomain(chart.spec, chart.values), [0, 4500]);
  });
});
