import assert from 'node:assert/strict';
import { starChartSpec, summarizeStars } from '../../src/core/charts/starChart';

describe('star chart spec', () => {
  it('is a vega-lite line with a point per snapshot over a named dataset, without colours', () => {
    const spec = starChartSpec('a/b') as unknown as Record<string, unknown> & { mark: { type: string; point: unknown }; data: { name: string } };
    assert.match(String(spec.$schema), /vega-lite\/v6/);
    assert.equal(spec.mark.type, 'line');
    assert.ok(spec.mark.point);
    assert.deepEqual(spec.data, { name: 'points' });
    assert.equal(spec.config, undefined, 'colours come from the theme in the webview');
  });

  it('summarises the series in words', () => {
    assert.match(summarizeStars('a/b', []), /no star snapshots yet/);
    assert.equal(
      summarizeStars('a/b', [
        { timestamp: '2026-11-20T10:00:00.000Z', stars: 1000 },
        { timestamp: '2026-11-23T10:30:00.000Z', stars: 1234 },
      ]),
      'a/b: 2 snapshots; latest 1,234 stars at 2026-11-23 10:30 UTC; +234 since 2026-11-20 10:00 UTC.',
    );
  });
});

/** Draws a vega-lite spec with real Vega (SVG, no browser) and returns the text of its labels. */
async function drawnLabels(spec: Record<string, unknown>, values: unknown[]): Promise<string[]> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const view = new vega.View(vega.parse(vl.compile({ ...spec, data: { values }, width: 400 } as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

describe('star chart of a single snapshot', () => {
  it('labels its time axis with dates, not a millisecond tick such as ".227"', async () => {
    const points = [{ timestamp: '2026-11-23T10:00:00.227Z', stars: 7578 }];
    const labels = await drawnLabels(starChartSpec('a/b', points), points.map((p) => ({ timestamp: new Date(p.timestamp), stars: p.stars })));
    assert.ok(!labels.some((l) => /^\.\d+$|^:\d\d$/.test(l)), labels.join(' | '));
    assert.ok(labels.some((l) => /^2026-11-2[34]$/.test(l)), labels.join(' | '));
  });

  it('keeps the ordinary time axis once there are two snapshots', async () => {
    const spec = starChartSpec('a/b', [{ timestamp: '2026-11-20T10:00:00Z', stars: 1 }, { timestamp: '2026-11-23T10:00:00Z', stars: 2 }]) as unknown as { encoding: { x: { scale?: unknown } } };
    assert.equal(spec.encoding.x.scale, undefined);
  });
});
