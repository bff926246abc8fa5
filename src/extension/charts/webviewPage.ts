import type * as vscode from 'vscode';
import { webviewPage } from '../webviewPage';

/** A chart panel's HTML: the shared strict page with the charts stylesheet. */
export function chartPage(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, body: string): string {
  return webviewPage(webview, extensionUri, { script: bundle, stylesheet: 'charts.css', body });
}

