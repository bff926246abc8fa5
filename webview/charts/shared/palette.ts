/**
 * Series colours per theme kind, and the WCAG contrast arithmetic that keeps each of them readable
 * (≥ 3:1, WCAG 2.x non-text contrast) on the editor background. The webview picks the palette of
 * the body's theme class and then checks every colour against the background it actually has (a
 * user theme may not use the default one), lightening or darkening it until it reaches 3:1.
 */
export type ThemeKind = 'dark' | 'light' | 'high-contrast' | 'high-contrast-light';

/** The editor backgrounds of VS Code's default themes of each kind (Dark Modern, Light Modern, High Contrast, High Contrast Light). */
export const DEFAULT_BACKGROUNDS: Record<ThemeKind, string> = {
  dark: '#1f1f1f',
  light: '#ffffff',
  'high-contrast': '#000000',
  'high-contrast-light': '#ffffff',
};

/** Colour-blind-aware orderings (blue, orange, green, purple, red, gold, teal, pink), tuned per background. */
export const PALETTES: Record<ThemeKind, readonly string[]> = {
  dark: ['#4daafc', '#f0a35e', '#6cc96c', '#c39bf2', '#f47c7c', '#d8c25a', '#4fd1c5', '#f28fc7'],
  light: ['#005fb8', '#b35900', '#1a7f37', '#7c3fc4', '#c4312b', '#866a00', '#00797f', '#b3246c'],
  'high-contrast': ['#75beff', '#ffb86c', '#89e08b', '#d7a8ff', '#ff8f8f', '#f2dd6b', '#5ee7e0', '#ffa3d7'],
  'high-contrast-light': ['#0047a3', '#8f4700', '#0f6b2c', '#6529a8', '#a82520', '#6b5400', '#00626a', '#9a1b5a'],
};

/** The contrast every series colour must have against the background. */
export const MIN_CONTRAST = 3;

function channels(hex: string): [number, number, number] | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex.trim());
  if (!m) return undefined;
  let h = m[1] as string;
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** `#rrggbb`, `#rgb` or `rgb(r, g, b)` as 0–255 channels; undefined for anything else. */
export function parseColor(css: string): [number, number, number] | undefined {
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(css.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return channels(css);
}

const hex2 = (n: number) => Math.round(Math.max(0, Math.min(255, n))).toString(16).padStart(2, '0');
const toHex = (c: [number, number, number]) => `#${c.map(hex2).join('')}`;

/** WCAG relative luminance of 0–255 sRGB channels. */
export function luminance(c: [number, number, number]): number {
  const [r, g, b] = c.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours (1–21). */
export function contrastRatio(a: string, b: string): number {
  const ca = parseColor(a);
  const cb = parseColor(b);
  if (!ca || !cb) return 1;
  const [hi, lo] = [luminance(ca), luminance(cb)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * `color`, or the nearest colour of the same hue (mixed toward white on a dark background, toward
 * black on a light one) whose contrast against `background` reaches `min`.
 */
export function ensureContrast(color: string, background: string, min = MIN_CONTRAST): string {
  const c = parseColor(color);
  const bg = parseColor(background);
  if (!c || !bg) return color;
  if (contrastRatio(toHex(c), toHex(bg)) >= min) return toHex(c);
  const target = luminance(bg) < 0.18 ? 255 : 0;
  for (let t = 0.05; t <= 1.0001; t += 0.05) {
    const mixed = c.map((v) => v + (target - v) * t) as [number, number, number];
    if (contrastRatio(toHex(mixed), toHex(bg)) >= min) return toHex(mixed);
  }
  return target === 255 ? '#ffffff' : '#000000';
}

/** The palette of a theme kind, each colour made to reach MIN_CONTRAST on `background`. */
export function seriesPalette(kind: ThemeKind, background: string = DEFAULT_BACKGROUNDS[kind]): string[] {
  return PALETTES[kind].map((c) => ensureContrast(c, background));
}
