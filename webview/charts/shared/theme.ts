import type { ThemeKind } from './palette';
import { DEFAULT_BACKGROUNDS, ensureContrast, seriesPalette } from './palette';

/** Vega config from the theme's `--vscode-*` variables; read again at each render so a theme switch shows. */
function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** The kind of the current VS Code theme, from the class VS Code puts on the webview's body. */
export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

/**
 * The series colours: the palette made for the theme's kind, each checked against the editor
 * background the theme really has and moved toward white or black until its WCAG contrast is at
 * least 3:1 (the theme's own `--vscode-charts-*` colours are not made for that: Dark Modern's
 * orange and a brown of some themes fall below it).
 */
export function themePalette(): { colors: string[]; background: string } {
  const kind = themeKind();
  const background = cssVar('--vscode-editor-background', DEFAULT_BACKGROUNDS[kind]);
  return { colors: seriesPalette(kind, background), background };
}

let cached: { key: string; config: Record<string, unknown> } | undefined;

/**
 * The Vega config of the current theme. Kept per theme (body class and theme id): reading the
 * `--vscode-*` variables forces a style recalculation, and a dashboard draws 20 cards in a row,
 * each inserting its drawing between two such reads.
 */
export function themeConfig(): Record<string, unknown> {
  const key = `${document.body.className}|${document.body.dataset.vscodeThemeId ?? ''}|${document.documentElement.getAttribute('style') ?? ''}`;
  if (cached?.key !== key) cached = { key, config: readThemeConfig() };
  // A copy: chartConfig merges a chart's own config into it.
  return { ...cached.config };
}

function readThemeConfig(): Record<string, unknown> {
  const fg = cssVar('--vscode-editor-foreground', '#333');
  const { colors, background } = themePalette();
  const muted = ensureContrast(cssVar('--vscode-descriptionForeground', fg), background, 4.5);
  const accent = colors[0] as string;
  // Gridlines, axis lines and ticks stay quiet behind the series. Dark and light themes have a quiet
  // border colour for that; a high-contrast theme's borders are its loudest colour (cyan on black,
  // orange on white), so there they are the text colour, faint.
  const highContrast = themeKind().startsWith('high-contrast');
  const grid = highContrast ? fg : cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884'));
  const lines = highContrast ? { gridOpacity: 0.2, domainOpacity: 0.55, tickOpacity: 0.55 } : { gridOpacity: 0.5 };
  const font = cssVar('--vscode-font-family', 'sans-serif');
  const size = Number.parseFloat(cssVar('--vscode-font-size', '13')) || 13;
  return {
    background: 'transparent',
    font,
    view: { stroke: 'transparent' },
    axis: { labelColor: muted, titleColor: fg, gridColor: grid, domainColor: grid, tickColor: grid, ...lines, labelFontSize: size - 1, titleFontSize: size - 1, titleFontWeight: 'normal', labelPadding: 4, titlePadding: 8 },
    // A count label every 60 px or so, as star-history and OSS Insight space them (Vega's default of one per 40 px wrote 19 labels on a tall chart).
    axisY: { grid: true, tickCount: { expr: 'ceil(height / 60)' } },
    // Series names whole (Vega cuts them at 160 px: "OpenLineage/OpenLinea…"), up to a limit for a side legend.
    legend: { labelColor: fg, titleColor: fg, labelFontSize: size - 1, symbolSize: 120, labelLimit: 320 },
    title: { color: fg },
    line: { stroke: accent },
    mark: { color: accent },
    bar: { fill: accent },
    area: { fill: accent },
    rule: { stroke: muted },
    text: { fill: muted },
    range: { category: colors },
  };
}

/** Calls `onChange` when VS Code switches the body's theme class (light, dark, high contrast). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(() => onChange()).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
}
