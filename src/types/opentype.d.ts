// The part of opentype.js (2.x ships no type declarations) that src/core/lineage/textMeasure.ts uses.
declare module 'opentype.js' {
  export interface Glyph {
    index: number;
    advanceWidth?: number;
  }
  export interface Font {
    unitsPerEm: number;
    charToGlyph(c: string): Glyph;
  }
  export function parse(buffer: ArrayBuffer): Font;
  const opentype: { parse: typeof parse };
  export default opentype;
}
