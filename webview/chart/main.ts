import embed from 'vega-embed';
import type { Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { ChartState, ChartToHost, HostToChart } from './protocol';

interface VsCodeApi {
  postMessage(message: ChartToHost): void;
  getState(): ChartState | undefined;
  setState(state: ChartState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const chartEl = document.getElementById('chart') as HTMLDivElement;
const summaryEl = document.getElementById('summary') as HTMLParagraphElement;
const errorEl = document.getElementById('error') as HTMLDivElement;
let last: Extract<HostToChart, { type: 'render' }> | undefined;
let view: Result | undefined;

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Vega config from the theme's `--vscode-*` variables, read again on every render. */
function themeConfig(): Record<string, unknown> {
  const fg = cssVar('--vscode-editor-foreground', '#333');
  const muted = cssVar('--vscode-descriptionForeground', fg);
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884'));
  const accent = cssVar('--vscode-charts-blue', cssVar('--vscode-textLink-foreground', '#3794ff'));
  const font = cssVar('--vscode-font-family', 'sans-serif');
  return {
    background: 'transparent',
    font,
    view: { stroke: 'transparent' },
    axis: { labelColor: muted, titleColor: fg, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: muted, titleColor: fg },
    title: { color: fg },
    line: { stroke: accent },
    point: { fill: accent, stroke: accent },
    range: { category: [accent, cssVar('--vscode-charts-orange', '#d18616'), cssVar('--vscode-charts-green', '#89d185'), cssVar('--vscode-charts-purple', '#b180d7'), cssVar('--vscode-charts-red', '#f14c4c'), cssVar('--vscode-charts-yellow', '#cca700')] },
  };
}

async function render(): Promise<void> {
  if (!last) return;
  // Text from the network goes in as text, never as markup.
  summaryEl.textContent = last.summary;
  errorEl.textContent = '';
  // The named dataset is filled with the values that arrived by message, before the first layout,
  // so that autosize measures the real axis labels.
  if (last.values.length === 0) {
    // No snapshot yet: say so instead of drawing an empty axis box.
    view?.finalize();
    view = undefined;
    const note = document.createElement('p');
    note.className = 'chart-empty';
    note.textContent = 'No star snapshots yet. Run “Community Metrics: Refresh” to take the first one.';
    chartEl.replaceChildren(note);
    chartEl.dataset.points = '0';
    vscode.postMessage({ type: 'rendered', points: 0 });
    return;
  }
  const values = last.values.map((p) => ({ timestamp: new Date(p.timestamp), stars: p.stars }));
  const spec = { ...last.spec, data: { name: last.dataset, values }, config: themeConfig() } as unknown as Parameters<typeof embed>[1];
  try {
    view?.finalize();
    // ast + expressionInterpreter: Vega evaluates expressions without `new Function`, so the
    // panel's CSP needs no 'unsafe-eval'.
    view = await embed(chartEl, spec, {
      actions: false,
      renderer: 'svg',
      ast: true,
      expr: expressionInterpreter,
      defaultStyle: false,
    });
    chartEl.dataset.points = String(last.values.length);
    vscode.postMessage({ type: 'rendered', points: last.values.length });
  } catch (err) {
    errorEl.textContent = `Could not draw the chart: ${(err as Error).message}`;
    vscode.postMessage({ type: 'error', message: (err as Error).message });
  }
}

window.addEventListener('message', (event: MessageEvent<HostToChart>) => {
  const message = event.data;
  if (message?.type === 'render') {
    last = message;
    vscode.setState({ repo: message.repo });
    void render();
  }
});

// Re-theme when VS Code switches the body's theme class.
new MutationObserver(() => void render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.postMessage({ type: 'ready' });
