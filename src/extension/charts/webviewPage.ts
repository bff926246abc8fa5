import type * as vscode from 'vscode';
import { escapeHtml, webviewPage } from '../webviewPage';

/**
 * A chart panel's HTML: the shared strict page with the charts stylesheet, and the one charts bundle
 * (Vega once in the VSIX), told which page it is (`charts-metric`, `charts-model`, `charts-dashboard`).
 */
export function chartPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: string, body: string): string {
  return webviewPage(webview, extensionUri, { script: CHARTS_BUNDLE, stylesheet: 'charts.css', body, bodyAttributes: `data-page="${escapeHtml(page)}"` });
}

/** dist/webview/charts.js: every chart page's code, with Vega and vega-lite. */
export const CHARTS_BUNDLE = 'charts';

