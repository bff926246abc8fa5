import * as vscode from 'vscode';

/**
 * The model a model command (Run, Preview, Chart, Compiled SQL, Lineage) acts on when it is given
 * none: the file in the active editor, or, while a panel that shows one model has the focus (its
 * chart, its preview), that panel's model — a command run from the palette beside a chart runs the
 * model the chart is about.
 */
const sources = new Set<() => vscode.Uri | undefined>();

export function registerActiveModelSource(source: () => vscode.Uri | undefined): vscode.Disposable {
  sources.add(source);
  return new vscode.Disposable(() => sources.delete(source));
}

export function activeModelUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor?.document.uri;
  if (editor) return editor;
  for (const source of sources) {
    const uri = source();
    if (uri) return uri;
  }
  return undefined;
}
