import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CommunityMetricsApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'community-metrics.community-metrics';

export function fakeApiUrl(): string {
  const url = process.env.CM_FAKE_API;
  assert.ok(url, 'CM_FAKE_API is not set: run the suite through test/harness/run-integration.ts');
  return url;
}

export async function activateExtension(): Promise<CommunityMetricsApi> {
  const ext = vscode.extensions.getExtension<CommunityMetricsApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder');
  return folder;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tree as the user sees it: label and description of every item, depth first. */
export function treeLines(api: CommunityMetricsApi): string[] {
  const lines: string[] = [];
  const walk = (nodes: ReturnType<CommunityMetricsApi['treeProvider']['getChildren']>, depth: number) => {
    for (const n of nodes) {
      const item = api.treeProvider.getTreeItem(n);
      const label = typeof item.label === 'string' ? item.label : item.label?.label;
      lines.push(`${'  '.repeat(depth)}${label} — ${String(item.description ?? '')}`);
      walk(api.treeProvider.getChildren(n), depth + 1);
    }
  };
  walk(api.treeProvider.getChildren(), 0);
  return lines;
}
