import * as vscode from 'vscode';

export interface Settings {
  githubApiUrl: string;
  timeoutMs: number;
  storePath: string;
}

const SECTION = 'communityMetrics';

/** The one typed reader of the extension's settings. */
export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  // Machine-scoped in the manifest: only user settings can point the GitHub token elsewhere.
  const inspected = c.inspect<string>('github.apiUrl');
  const githubApiUrl = inspected?.globalValue ?? inspected?.defaultValue ?? 'https://api.github.com';
  return {
    githubApiUrl,
    timeoutMs: Math.max(1, c.get<number>('http.timeoutSeconds', 30)) * 1000,
    storePath: c.get<string>('storePath', '.community-metrics/metrics.sqlite'),
  };
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
