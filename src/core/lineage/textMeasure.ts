import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import opentype from 'opentype.js';
import type { Font } from 'opentype.js';

/**
 * Text widths for the lineage drawings made without a browser (the CLI's SVG, the panel's SVG
 * export, node sizes computed by the host): measured from a real font file, not estimated per
 * character. The font is Arimo (SIL OFL, shipped by @fontsource/arimo), whose advance widths are
 * those of Arial, Helvetica and Liberation Sans: the SVG declares exactly those families
 * (SVG_FONT_FAMILY), so the text it draws has the measured width wherever it is opened.
 *
 * A width is the sum of the glyphs' advance widths (no kerning: Arimo's pairs only tighten text, so
 * the sum is an upper bound of what a renderer draws). A character the font has no glyph for counts
 * as one em, at least as wide as Arial's arrows and symbols.
 */
export const SVG_FONT_FAMILY = "Arimo, Arial, 'Liberation Sans', Helvetica, sans-serif";

/** The kinds of text on a node: `weight` 700 is drawn bold. */
export interface TextStyle {
  size: number;
  weight: 400 | 700;
}

export type MeasureText = (text: string, style: TextStyle) => number;

const FILES: Record<TextStyle['weight'], string> = { 400: 'arimo-latin-400-normal.woff', 700: 'arimo-latin-700-normal.woff' };

/**
 * Where the font files are: dist/fonts/ beside the bundle (the extension and the CLI, copied there by
 * esbuild.mjs), else the package in node_modules (tests and scripts run from the sources).
 */
function fontPath(file: string): string {
  const beside = path.join(__dirname, 'fonts', file);
  if (existsSync(beside)) return beside;
  try {
    return require.resolve(`@fontsource/arimo/files/${file}`);
  } catch {
    throw new Error(`The lineage font ${file} is missing: expected at ${beside} (copied there by the build) or in node_modules/@fontsource/arimo/files.`);
  }
}

interface LoadedFont {
  font: Font;
  advance: Map<string, number>;
}
const fonts = new Map<TextStyle['weight'], LoadedFont>();

function load(weight: TextStyle['weight']): LoadedFont {
  let f = fonts.get(weight);
  if (!f) {
    const bytes = readFileSync(fontPath(FILES[weight]));
    f = { font: opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer), advance: new Map() };
    fonts.set(weight, f);
  }
  return f;
}

/** The width in px of `text` drawn in SVG_FONT_FAMILY at `style`. */
export const measureSvgText: MeasureText = (text, style) => {
  const f = load(style.weight);
  let units = 0;
  for (const c of text) {
    let a = f.advance.get(c);
    if (a === undefined) {
      const glyph = f.font.charToGlyph(c);
      a = glyph.index === 0 || glyph.advanceWidth === undefined ? f.font.unitsPerEm : glyph.advanceWidth;
      f.advance.set(c, a);
    }
    units += a;
  }
  return (units / f.font.unitsPerEm) * style.size;
};
