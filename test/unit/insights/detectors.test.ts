import assert from 'node:assert/strict';
import { absenceFactor, detectConcentration } from '../../../src/core/insights/activityConcentration';
import { detectOldVersionShare } from '../../../src/core/insights/oldVersionShare';
import { detectRateDrop } from '../../../src/core/insights/rateDrop';
import { mannKendallZ, median, theilSenSlope } from '../../../src/core/insights/robustStats';
import { detectStarTrend } from '../../../src/core/insights/starTrend';
import { compareVersions } from '../../../src/core/insights/versionOrder';

/** A seeded generator, so that every "random" series is the same at every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const DAY0 = Date.parse('2026-01-05T00:00:00Z'); // a Monday
const dayAt = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);

/** Daily downloads with a strong weekly cycle (weekends at 40%) and ±15% noise; `factor(i)` scales day i. */
function weeklySeasonal(days: number, seed: number, factor: (i: number) => number = () => 1) {
  const r = rng(seed);
  return Array.from({ length: days }, (_, i) => {
    const weekend = [5, 6].includes(i % 7);
    const base = weekend ? 400 : 1000;
    return { day: dayAt(i), value: Math.round(base * factor(i) * (0.85 + 0.3 * r())) };
  });
}

describe('insight detectors on generated series with known answers', () => {
  it('robust statistics', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(theilSenSlope([1, 3, 5, 7, 100]), 2);
    assert.ok(mannKendallZ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) > 1.96);
    assert.equal(mannKendallZ([5, 5, 5, 5]), 0);
  });

  describe('rate drop, robust to weekly seasonality', () => {
    it('fires when the last 7 days fall to half of normal', () => {
      const s = weeklySeasonal(91, 1, (i) => (i >= 84 ? 0.5 : 1));
      const d = detectRateDrop(s);
      assert.ok(d, 'a halved week is a drop');
      assert.ok(d.drop > 0.4 && d.drop < 0.6, `drop ${d.drop}`);
      assert.equal(d.endDay, dayAt(90));
    });

    it('stays silent on the same seasonal series without a drop, whichever weekday it ends on', () => {
      for (let seed = 1; seed <= 20; seed++) {
        for (const days of [91, 93, 96]) assert.equal(detectRateDrop(weeklySeasonal(days, seed)), undefined, `seed ${seed}, ${days} days`);
      }
    });

    it('does not read a weekend as a drop, even with no noise at all', () => {
      const flat = Array.from({ length: 70 }, (_, i) => ({ day: dayAt(i), value: [5, 6].includes(i % 7) ? 10 : 100 }));
      assert.equal(detectRateDrop(flat), undefined);
      assert.equal(detectRateDrop(flat.slice(0, 68)), undefined, 'ending on a Saturday');
    });

    it('stays silent on a 10% dip, on a gap, and on too short a history', () => {
      assert.equal(detectRateDrop(weeklySeasonal(91, 3, (i) => (i >= 84 ? 0.9 : 1))), undefined);
      const gap = weeklySeasonal(91, 4, (i) => (i >= 84 ? 0.3 : 1)).map((d, i) => (i === 88 ? { ...d, value: null } : d));
      assert.equal(detectRateDrop(gap), undefined, 'a week with a day without data is not judged');
      assert.equal(detectRateDrop(weeklySeasonal(50, 5, (i) => (i >= 43 ? 0.3 : 1))), undefined);
    });
  });

  describe('downloads on versions older than the marked one', () => {
    it('orders PEP 440 and semver versions', () => {
      assert.ok(compareVersions('1.10.0', '1.9.3') > 0);
      assert.ok(compareVersions('2.0.0rc1', '2.0.0') < 0);
      assert.ok(compareVersions('2.0.0-beta.2', '2.0.0') < 0);
      assert.ok(compareVersions('2.0.0.post1', '2.0.0') > 0);
      assert.equal(compareVersions('v1.2', '1.2.0'), 0);
      assert.ok(compareVersions('0.3.12', '0.4.0') < 0);
      assert.ok(compareVersions('1.0.0.dev3', '1.0.0a1') < 0);
    });

    it('fires when a large share is still on older versions, naming them', () => {
      const r = detectOldVersionShare([{ version: '1.9.0', downloads: 300 }, { version: '1.8.2', downloads: 100 }, { version: '2.0.1', downloads: 500 }, { version: '2.1.0', downloads: 100 }], '2.0.1');
      assert.ok(r);
      assert.equal(r.share, 0.4);
      assert.deepEqual(r.top.map((v) => v.version), ['1.9.0', '1.8.2']);
    });

    it('stays silent when most downloads are on the fixed version or later, or there are too few', () => {
      assert.equal(detectOldVersionShare([{ version: '1.9.0', downloads: 50 }, { version: '2.0.1', downloads: 950 }], '2.0.1'), undefined);
      // Downloads whose version is unknown are not counted as older.
      assert.equal(detectOldVersionShare([{ version: 'unknown', downloads: 400 }, { version: '', downloads: 100 }, { version: '2.0.1', downloads: 500 }], '2.0.1'), undefined);
      assert.equal(detectOldVersionShare([{ version: '1.0.0', downloads: 40 }], '2.0.0'), undefined);
    });
  });

  describe('one person accounting for most recent activity', () => {
    it('computes the contributor absence factor', () => {
      assert.equal(absenceFactor([{ person: 'a', count: 50 }, { person: 'b', count: 50 }]), 1);
      assert.equal(absenceFactor([{ person: 'a', count: 30 }, { person: 'b', count: 30 }, { person: 'c', count: 40 }]), 2);
    });

    it('fires when one person made most of the activity', () => {
      const c = detectConcentration([{ person: 'alice', count: 62 }, { person: 'bob', count: 20 }, { person: 'carol', count: 18 }]);
      assert.ok(c);
      assert.equal(c.top.person, 'alice');
      assert.equal(c.next?.person, 'bob');
    });

    it('stays silent when activity is spread, or too small to say', () => {
      assert.equal(detectConcentration([{ person: 'a', count: 40 }, { person: 'b', count: 35 }, { person: 'c', count: 25 }]), undefined);
      assert.equal(detectConcentration([{ person: 'a', count: 9 }, { person: 'b', count: 1 }]), undefined);
    });
  });

  describe('star growth accelerating or flattening', () => {
    const noisy = (seed: number, f: (w: number) => number) => {
      const r = rng(seed);
      return Array.from({ length: 26 }, (_, w) => Math.max(0, Math.round(f(w) * (0.7 + 0.6 * r()))));
    };

    it('sees acceleration when the weekly rate climbs', () => {
      const t = detectStarTrend(noisy(7, (w) => 5 + w));
      assert.equal(t?.direction, 'accelerating');
      assert.ok((t?.to ?? 0) > (t?.from ?? 0) * 2);
    });

    it('sees flattening when the weekly rate falls off', () => {
      assert.equal(detectStarTrend(noisy(8, (w) => 30 - w))?.direction, 'flattening');
    });

    it('stays silent on a steady rate, however noisy, and on too short a history', () => {
      for (let seed = 1; seed <= 30; seed++) assert.equal(detectStarTrend(noisy(seed, () => 15)), undefined, `seed ${seed}`);
      assert.equal(detectStarTrend([1, 2, 3, 4, 5, 6, 7, 8]), undefined);
      assert.equal(detectStarTrend(Array(26).fill(0)), undefined, 'no stars at all is not a trend');
    });
  });
});
