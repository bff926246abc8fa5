import * as vscode from 'vscode';
import type { SourceEndpoints } from '../core/sources/context';
import { DEFAULT_ENDPOINTS } from '../core/sources/context';

export interface Settings {
  githubApiUrl: string;
  endpoints: Omit<SourceEndpoints, 'githubApiUrl'>;
  timeoutMs: number;
  storePath: string;
  /** 0 = off. */
  autoRefreshHours: number;
}

const SECTION = 'communityMetrics';

/** The one typed reader of the extension's settings. */
export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  // Machine-scoped in the manifest, and read from user/machine values only: a workspace's own
  // settings can never point a token (or a refresh) at another server.
  const machine = (key: string, fallback: string): string => {
    const inspected = c.inspect<string>(key);
    const value = inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
  };
  return {
    githubApiUrl: machine('github.apiUrl', DEFAULT_ENDPOINTS.githubApiUrl),
    endpoints: {
      pypistatsUrl: machine('pypistats.url', DEFAULT_ENDPOINTS.pypistatsUrl),
      pepyUrl: machine('pepy.url', DEFAULT_ENDPOINTS.pepyUrl),
      npmApiUrl: machine('npm.apiUrl', DEFAULT_ENDPOINTS.npmApiUrl),
      npmRegistryUrl: machine('npm.registryUrl', DEFAULT_ENDPOINTS.npmRegistryUrl),
      dockerhubUrl: machine('dockerhub.url', DEFAULT_ENDPOINTS.dockerhubUrl),
      slackApiUrl: machine('slack.apiUrl', DEFAULT_ENDPOINTS.slackApiUrl),
    },
    timeoutMs: Math.max(1, c.get<number>('http.timeoutSeconds', 30)) * 1000,
    storePath: c.get<string>('storePath', '.community-metrics/metrics.sqlite'),
    autoRefreshHours: Math.max(0, c.get<number>('autoRefreshHours', 0)),
  };
}

export function onSettingsChanged(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(e);
  });
}
