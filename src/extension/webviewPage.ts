import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export interface WebviewPageOptions {
  /** The bundle in dist/webview, without `.js`. */
  script: string;
  /** The stylesheet in media/, with its extension. */
  stylesheet: string;
  /** Static markup: no data goes into the HTML; it arrives by postMessage after the page says `ready`. */
  body: string;
  title?: string;
  /** Attributes of <body>, already escaped (e.g. the lineage worker's URL). */
  bodyAttributes?: string;
  /** Directives that differ from the strict default, e.g. a worker's `worker-src`. */
  csp?: Record<string, string>;
}

/**
 * Every panel's HTML: a strict Content-Security-Policy (scripts only by a fresh nonce, no eval, no
 * inline script, nothing remote), the extension's own bundle and stylesheet, and a static body.
 */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, o: WebviewPageOptions): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${o.script}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', o.stylesheet));
  const directives: Record<string, string> = {
    'default-src': `'none'`,
    'img-src': `${webview.cspSource} data:`,
    'style-src': webview.cspSource,
    'font-src': webview.cspSource,
    'script-src': `'nonce-${nonce}'`,
    'connect-src': `'none'`,
    ...o.csp,
  };
  const csp = Object.entries(directives).map(([k, v]) => `${k} ${v}`).join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">${o.title ? `\n<title>${escapeHtml(o.title)}</title>` : ''}
</head>
<body${o.bodyAttributes ? ` ${o.bodyAttributes}` : ''}>
${o.body}
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** Options of a panel that runs our scripts and reads only the extension's own files. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
