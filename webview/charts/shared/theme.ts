/** Vega config from the theme's `--vscode-*` variables; read again at each render so a theme switch shows. */
function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export function themeConfig(): Record<string, unknown> {
  const fg = cssVar('--vscode-editor-foreground', '#333');
  const muted = cssVar('--vscode-descriptionForeground', fg);
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884'));
  const accent = cssVar('--vscode-charts-blue', cssVar('--vscode-textLink-foreground', '#3794ff'));
  const font = cssVar('--vscode-font-family', 'sans-serif');
  const palette = [
    accent,
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-red', '#f14c4c'),
    cssVar('--vscode-charts-yellow', '#cca700'),
    cssVar('--vscode-charts-foreground', fg),
  ];
  return {
    background: 'transparent',
    font,
    view: { stroke: 'transparent' },
    axis: { labelColor: muted, titleColor: fg, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: fg, titleColor: fg },
    title: { color: fg },
    line: { stroke: accent },
    point: { fill: accent, stroke: accent },
    bar: { fill: accent },
    area: { fill: accent },
    range: { category: palette },
  };
}

/** Calls `onChange` when VS Code switches the body's theme class (light, dark, high contrast). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(() => onChange()).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
}
