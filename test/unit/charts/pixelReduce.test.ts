import assert from 'node:assert/strict';
import { denserThanColumns, reduceToColumns, reducibleShape } from '../../../webview/charts/shared/pixelReduce';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** `days` daily rows per project, a smooth count with one spike (and one dip) in the middle of the first. */
function daily(projects: string[], days: number): Array<{ day: string; project: string; stars: number | null }> {
  const rows: Array<{ day: string; project: string; stars: number | null }> = [];
  for (const project of projects) {
    for (let i = 0; i < days; i++) rows.push({ day: addDays('2016-01-01', i), project, stars: 1000 + i });
  }
  return rows;
}

const LINE = { mark: 'line', encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'stars', type: 'quantitative' }, color: { field: 'project', type: 'nominal' } } };

describe('rows reduced to the pixel columns of a chart (issue 14, deliverable 7)', () => {
  describe('reducibleShape: only specs whose picture cannot change', () => {
    it('a line, area or point mark over a temporal or quantitative x, with a series field', () => {
      assert.deepEqual(reducibleShape(LINE), { x: 'day', y: 'stars', series: ['project'] });
      assert.deepEqual(reducibleShape({ mark: { type: 'point', filled: true }, encoding: { x: { field: 'n', type: 'quantitative', scale: { type: 'linear' } }, y: { field: 'v', type: 'quantitative', scale: { type: 'log' } } } }), { x: 'n', y: 'v', series: [] });
      assert.deepEqual(reducibleShape({ mark: 'area', encoding: { x: { field: 'day', type: 'temporal', scale: { type: 'utc' } }, y: { field: 'v', type: 'quantitative' }, tooltip: [{ field: 'day', type: 'temporal' }, { field: 'v' }] } }), { x: 'day', y: 'v', series: [] });
      // Layers over the same data, x and y: the series of every layer.
      assert.deepEqual(reducibleShape({ encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'v', type: 'quantitative' } }, layer: [{ mark: 'line', encoding: { color: { field: 'a', type: 'nominal' } } }, { mark: 'point', encoding: { detail: { field: 'b' } } }] }), { x: 'day', y: 'v', series: ['a', 'b'] });
    });

    it('leaves alone what reducing rows would change: transforms, aggregates, bins, stacks, facets, selections, bars, set domains', () => {
      const refused: Array<[string, Record<string, unknown>]> = [
        ['transform', { ...LINE, transform: [{ window: [{ op: 'sum', field: 'stars', as: 'total' }] }] }],
        ['aggregate y', { ...LINE, encoding: { ...LINE.encoding, y: { field: 'stars', type: 'quantitative', aggregate: 'sum' } } }],
        ['time unit on x', { ...LINE, encoding: { ...LINE.encoding, x: { field: 'day', type: 'temporal', timeUnit: 'yearmonth' } } }],
        ['binned x', { ...LINE, encoding: { ...LINE.encoding, x: { field: 'day', type: 'quantitative', bin: true } } }],
        ['nominal x', { ...LINE, encoding: { ...LINE.encoding, x: { field: 'day', type: 'nominal' } } }],
        ['bar mark', { ...LINE, mark: 'bar' }],
        ['stacked area', { ...LINE, mark: 'area' }],
        ['explicit stack', { ...LINE, encoding: { ...LINE.encoding, y: { field: 'stars', type: 'quantitative', stack: 'normalize' } } }],
        ['facet channel', { ...LINE, encoding: { ...LINE.encoding, row: { field: 'project' } } }],
        ['order channel', { ...LINE, encoding: { ...LINE.encoding, order: { field: 'stars' } } }],
        ['interval selection', { ...LINE, params: [{ name: 'zoom', select: 'interval', bind: 'scales' }] }],
        ['set x domain', { ...LINE, encoding: { ...LINE.encoding, x: { field: 'day', type: 'temporal', scale: { domain: ['2016-01-01', '2016-02-01'] } } } }],
        ['log x', { ...LINE, encoding: { ...LINE.encoding, x: { field: 'day', type: 'quantitative', scale: { type: 'log' } } } }],
        ['nested field', { ...LINE, encoding: { ...LINE.encoding, y: { field: 'a.b', type: 'quantitative' } } }],
        ['aggregated tooltip', { ...LINE, encoding: { ...LINE.encoding, tooltip: { field: 'stars', aggregate: 'max' } } }],
        ['conditional colour', { ...LINE, encoding: { ...LINE.encoding, color: { condition: { test: 'datum.stars > 3', field: 'project' }, value: 'grey' } } }],
        ['concat', { hconcat: [LINE, LINE] }],
        ['layer with its own data', { layer: [LINE, { ...LINE, data: { values: [] } }] }],
        ['layer with a rule', { layer: [LINE, { mark: 'rule', encoding: { y: { datum: 3 } } }] }],
      ];
      for (const [what, spec] of refused) assert.equal(reducibleShape(spec), undefined, what);
    });
  });

  describe('reduceToColumns (M4: first, last, lowest and highest row per series and pixel column)', () => {
    it('a decade of days in 400 columns: at most 4 rows per series and column, and far fewer rows', () => {
      const rows = daily(['a', 'b', 'c'], 3653);
      const kept = reduceToColumns(rows, reducibleShape(LINE)!, 400);
      for (const p of ['a', 'b', 'c']) assert.ok(kept.filter((r) => r.project === p).length <= 4 * 400, p);
      assert.ok(kept.length < rows.length / 3, `${kept.length} of ${rows.length}`);
      // The same objects, in their order.
      assert.ok(kept.every((r) => rows.includes(r)));
      assert.deepEqual(kept, [...kept].sort((a, b) => rows.indexOf(a) - rows.indexOf(b)));
    });

    it('keeps every series’ first and last row, and a one-day spike and dip', () => {
      const rows = daily(['a', 'b'], 3653);
      const spike = rows.find((r) => r.project === 'a' && r.day === '2020-06-15')!;
      spike.stars = 1_000_000;
      const dip = rows.find((r) => r.project === 'b' && r.day === '2018-02-03')!;
      dip.stars = -5;
      const kept = reduceToColumns(rows, reducibleShape(LINE)!, 300);
      for (const p of ['a', 'b']) {
        const mine = rows.filter((r) => r.project === p);
        assert.ok(kept.includes(mine[0]!), `${p}: first row`);
        assert.ok(kept.includes(mine[mine.length - 1]!), `${p}: last row`);
      }
      assert.ok(kept.includes(spike), 'the spike');
      assert.ok(kept.includes(dip), 'the dip');
      // Each column's highest and lowest value is drawn: the line spans the same pixels.
      const colOf = (r: { day: string }) => Math.min(299, Math.floor(((Date.parse(r.day) - Date.parse('2016-01-01')) / (Date.parse(rows[3652]!.day) - Date.parse('2016-01-01'))) * 300));
      for (const p of ['a', 'b']) {
        const byCol = new Map<number, number[]>();
        for (const r of rows.filter((x) => x.project === p)) byCol.set(colOf(r), [...(byCol.get(colOf(r)) ?? []), r.stars as number]);
        const keptByCol = new Map<number, number[]>();
        for (const r of kept.filter((x) => x.project === p)) keptByCol.set(colOf(r), [...(keptByCol.get(colOf(r)) ?? []), r.stars as number]);
        for (const [c, vs] of byCol) {
          assert.equal(Math.max(...(keptByCol.get(c) ?? [])), Math.max(...vs), `${p} column ${c} max`);
          assert.equal(Math.min(...(keptByCol.get(c) ?? [])), Math.min(...vs), `${p} column ${c} min`);
        }
      }
    });

    it('a sparse chart is left whole (fewer rows than 4 per column), whatever the row order', () => {
      const rows = daily(['a', 'b'], 300).reverse();
      assert.equal(reduceToColumns(rows, reducibleShape(LINE)!, 400).length, rows.length);
    });

    it('denserThanColumns: only a series with more than 4 rows in one pixel column asks for reducing', () => {
      const shape = reducibleShape(LINE)!;
      // 2,000 days in 500 columns: 4 a column per series, however many series.
      assert.equal(denserThanColumns(daily(['a', 'b', 'c'], 2000), shape, 500), false);
      assert.equal(denserThanColumns(daily(['a', 'b', 'c'], 2000), shape, 450), true);
      // Five rows of one day: one column holds them.
      const burst = [...daily(['a'], 100), ...Array.from({ length: 5 }, () => ({ day: '2016-02-01', project: 'b', stars: 1 }))];
      assert.equal(denserThanColumns(burst, shape, 1000), true);
    });

    it('first and last by x, not by row order; a missing value stays a gap; rows without a placeable x stay', () => {
      const rows = daily(['a'], 1000).reverse();
      rows[500]!.stars = null;
      const unplaced = { day: 'not a date', project: 'a', stars: 3 };
      const kept = reduceToColumns([...rows, unplaced], reducibleShape(LINE)!, 10);
      assert.ok(kept.includes(rows[0]!) && kept.includes(rows[999]!), 'the last and the first day');
      assert.ok(kept.includes(rows[500]!), 'the gap');
      assert.ok(kept.includes(unplaced));
      assert.ok(kept.length <= 10 * 5 + 1);
    });

    it('reads dates as Vega leaves them after drawing (Date objects) and numbers as numbers', () => {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ t: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000), v: i % 7 }));
      const shape = reducibleShape({ mark: 'line', encoding: { x: { field: 't', type: 'temporal' }, y: { field: 'v', type: 'quantitative' } } })!;
      assert.ok(reduceToColumns(rows, shape, 50).length <= 200);
      const nums = Array.from({ length: 1000 }, (_, i) => ({ t: i, v: Math.sin(i) }));
      assert.ok(reduceToColumns(nums, shape, 50).length <= 200);
    });

    it('a series per row (coloured by a unique id) is counted without a cell for every series and column', () => {
      const rows = Array.from({ length: 50_000 }, (_, i) => ({ t: i % 1000, id: `row-${i}`, v: i }));
      const shape = reducibleShape({ mark: 'point', encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' }, color: { field: 'id', type: 'nominal' } } })!;
      assert.equal(denserThanColumns(rows, shape, 1000), false);
      assert.equal(reduceToColumns(rows, shape, 1000).length, rows.length);
    });
  });
});
