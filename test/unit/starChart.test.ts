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
