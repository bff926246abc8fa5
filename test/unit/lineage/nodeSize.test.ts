import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import opentype from 'opentype.js';
import type { Font } from 'opentype.js';
import { layoutLineage } from '../../../src/core/lineage/elkLayout';
import { MAX_WIDTH, fitText, nodeSize } from '../../../src/core/lineage/nodeSize';
import { lineageSvg } from '../../../src/core/lineage/svgExport';
import { SVG_FONT_FAMILY, measureSvgText } from '../../../src/core/lineage/textMeasure';
import { HARD_ERROR, HARD_NAMES, hardTextView } from '../../support/lineageHardText';

/**
 * The font the SVG declares, read here by opentype.js's own text layout (kerning included), not by
 * the code under test: the width a renderer with Arial's metrics gives the text.
 */
function font(weight: 400 | 700): Font & { getAdvanceWidth(text: string, size: number): number } {
  const bytes = readFileSync(require.resolve(`@fontsource/arimo/files/arimo-latin-${weight}-normal.woff`));
  return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer) as Font & { getAdvanceWidth(text: string, size: number): number };
}
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const node = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'model', tests: [], hiddenParents: 0, hiddenChildren: 0, columnsOpen: false, columns: [], ...extra });

describe('lineage node text measured, not estimated (issue 14)', () => {
  it('a box is as wide as its widest line in the font: wide letters get a wider box than narrow ones of the same count', () => {
    const wide = nodeSize(node('MMMMMMMMMMMMMMMMMMMMMM'));
    const narrow = nodeSize(node('iiiiiiiiiiiiiiiiiiiiii'));
    assert.ok(wide.width > narrow.width + 50, `${wide.width} vs ${narrow.width}`);
    // The run line counts too: millions of rows under a short name.
    const rows = nodeSize(node('x', { run: { status: 'success', durationMs: 12_345, rowsAffected: 15_920_000 } }));
    assert.ok(rows.width >= 14 + measureSvgText('success · 12.35 s · 15,920,000 rows', { size: 12, weight: 400 }) + 10, `${rows.width}`);
    assert.equal(nodeSize(node('x', { problem: HARD_ERROR })).width, MAX_WIDTH);
  });

  it('fitText keeps what fits and ends a cut with …', () => {
    const w = (t: string) => t.length * 10;
    assert.deepEqual(fitText('abcdef', 60, w), { text: 'abcdef', cut: false });
    assert.deepEqual(fitText('abcdefgh', 60, w), { text: 'abcde…', cut: true });
    assert.deepEqual(fitText('ab  cdefgh', 40, w), { text: 'ab…', cut: true });
  });

  it("the CLI's SVG: every line, measured in the declared font, inside its box; a cut line is whole in its <title>", async () => {
    const view = await hardTextView();
    const svg = lineageSvg(view, await layoutLineage(view));
    assert.ok(svg.includes(`font-family="${SVG_FONT_FAMILY.replace(/'/g, '&apos;')}"`));
    const fonts = { 400: font(400), 700: font(700) };
    let texts = 0;
    const cut: Array<{ shown: string; whole: string }> = [];
    for (const g of svg.split('<g class="node"').slice(1)) {
      const width = Number(/<rect width="([\d.]+)"/.exec(g)?.[1]);
      assert.ok(width >= 180 && width <= MAX_WIDTH, `box ${width}`);
      for (const m of g.matchAll(/<text class="(\w+)" x="([\d.]+)"[^>]*?(?: font-weight="(\d+)")?(?: font-size="(\d+)")?>([^<]*)(?:<title>([^<]*)<\/title>)?<\/text>/g)) {
        const [, kind, x, weight, size, shown, whole] = m as unknown as [string, string, string, string | undefined, string | undefined, string, string | undefined];
        const text = unescape(shown);
        const drawn = fonts[weight === '700' ? 700 : 400].getAdvanceWidth(text, Number(size ?? 12));
        assert.ok(Number(x) + drawn <= width - 4, `${kind} "${text}" ends at ${(Number(x) + drawn).toFixed(1)} in a ${width} px box`);
        if (whole !== undefined) cut.push({ shown: text, whole: unescape(whole) });
        texts++;
      }
    }
    assert.ok(texts > 30, `${texts} texts`);
    assert.ok(svg.includes(`>${HARD_NAMES.upper}</text>`), 'the upper-case name whole');
    assert.ok(svg.includes('>success · 0.42 s · 1,592 rows</text>'));
    assert.ok(svg.includes('>success · 12.35 s · 15,920,000 rows</text>'));
    const long = cut.find((c) => c.whole === HARD_NAMES.long);
    assert.ok(long && long.shown.endsWith('…') && HARD_NAMES.long.startsWith(long.shown.slice(0, -1)), JSON.stringify(long));
    assert.ok(cut.some((c) => c.whole === `error: ${HARD_ERROR}` && c.shown.endsWith('…')), JSON.stringify(cut));
  });
});
