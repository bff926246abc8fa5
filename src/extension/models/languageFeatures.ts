import * as vscode from 'vscode';
import { materialization } from '../../core/project/project';
import type { ProjectNode } from '../../core/project/project';
import type { ModelsService } from './modelsService';

export const COMPILED_SCHEME = 'community-metrics-compiled';
const SQL: vscode.DocumentSelector = [{ language: 'sql', scheme: 'file' }, { language: 'jinja-sql', scheme: 'file' }];

/** CodeLens on model files: Run · Preview · Compiled SQL · Lineage. */
class ModelCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  constructor(private readonly models: ModelsService) {
    models.onDidChange(() => this.changed.fire());
  }
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const node = this.models.nodeForUri(doc.uri);
    if (!node || node.resourceType !== 'model') return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const last = this.models.lastResults.get(node.uniqueId);
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Run', command: 'communityMetrics.runModel', arguments: [doc.uri], tooltip: `Build ${node.name} (${materialization(node)}) and what it reads, then test it` }),
      new vscode.CodeLens(top, { title: 'Preview', command: 'communityMetrics.previewModel', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: 'Compiled SQL', command: 'communityMetrics.showCompiledSql', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: 'Lineage', command: 'communityMetrics.showLineage', arguments: [doc.uri] }),
    ];
    if (last) lenses.push(new vscode.CodeLens(top, { command: 'communityMetrics.showLog', tooltip: 'Details are in the log', title: `last run: ${last.status}, ${(last.durationMs / 1000).toFixed(2)} s${last.rowsAffected !== undefined ? `, ${last.rowsAffected.toLocaleString('en-US')} rows` : ''}` }));
    return lenses;
  }
}

/** The compiled SQL of a model as a read-only document that follows saves. */
class CompiledSqlProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Set<string>();
  constructor(private readonly models: ModelsService) {
    models.onDidChange(() => {
      for (const u of this.open) this.changed.fire(vscode.Uri.parse(u));
    });
  }
  static uriFor(source: vscode.Uri): vscode.Uri {
    return vscode.Uri.from({ scheme: COMPILED_SCHEME, path: `${source.path}.compiled.sql`, query: source.toString() });
  }
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    this.open.add(uri.toString());
    const node = this.models.nodeForUri(vscode.Uri.parse(uri.query));
    if (!node) return '-- This file is not a model of the project.';
    try {
      return await this.models.compiledSql(node);
    } catch (err) {
      return `-- Cannot compile ${node.name}: ${(err as Error).message}\n-- See the Problems panel.`;
    }
  }
}

/** Where the cursor is inside ref('…') or source('…', '…'), if anywhere. */
function jinjaCallAt(doc: vscode.TextDocument, pos: vscode.Position): { kind: 'ref' | 'source'; args: string[]; argIndex: number; range: vscode.Range } | undefined {
  const line = doc.lineAt(pos.line).text;
  const re = /\b(ref|source)\s*\(\s*((?:(?:'[^']*'|"[^"]*"|[^)'"])*))\)?/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const start = m.index;
    const end = start + m[0].length;
    if (pos.character < start || pos.character > end) continue;
    const inner = m[2] ?? '';
    const innerStart = start + m[0].indexOf(inner, m[1]!.length);
    const args: string[] = [];
    let argIndex = 0;
    for (const a of inner.matchAll(/'([^']*)'?|"([^"]*)"?/g)) {
      const aStart = innerStart + (a.index ?? 0);
      if (pos.character > aStart) argIndex = args.length;
      args.push(a[1] ?? a[2] ?? '');
    }
    return { kind: m[1] as 'ref' | 'source', args, argIndex, range: new vscode.Range(pos.line, start, pos.line, end) };
  }
  return undefined;
}

function describeNode(models: ModelsService, node: ProjectNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${node.resourceType} ${escapeMd(node.name)}** · ${materialization(node)}\n\n`);
  if (node.description) md.appendText(`${node.description}\n\n`);
  const cols = Object.values(node.columns);
  if (cols.length > 0) md.appendMarkdown(cols.map((c) => `- \`${escapeMd(c.name)}\`${c.description ? ` — ${escapeMd(c.description)}` : ''}`).join('\n') + '\n\n');
  const last = models.lastResults.get(node.uniqueId);
  if (last) md.appendText(`Last run ${last.completedAt}: ${last.status}, ${(last.durationMs / 1000).toFixed(2)} s${last.rowsAffected !== undefined ? `, ${last.rowsAffected} rows` : ''}`);
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function registerModelLanguageFeatures(models: ModelsService): vscode.Disposable[] {
  const compiled = new CompiledSqlProvider(models);
  return [
    vscode.languages.registerCodeLensProvider(SQL, new ModelCodeLens(models)),
    vscode.workspace.registerTextDocumentContentProvider(COMPILED_SCHEME, compiled),
    vscode.languages.registerCompletionItemProvider(
      SQL,
      {
        provideCompletionItems(doc, pos) {
          const project = models.project;
          const call = jinjaCallAt(doc, pos);
          if (!project || !call) return undefined;
          if (call.kind === 'ref') {
            return [...project.nodes.values()]
              .filter((n) => n.resourceType === 'model' || n.resourceType === 'seed')
              .map((n) => {
                const item = new vscode.CompletionItem(n.name, n.resourceType === 'seed' ? vscode.CompletionItemKind.File : vscode.CompletionItemKind.Class);
                item.detail = `${n.resourceType} · ${materialization(n)}`;
                item.documentation = describeNode(models, n);
                return item;
              });
          }
          const sources = [...project.sources.values()];
          if (call.argIndex === 0) return [...new Set(sources.map((s) => s.sourceName))].map((name) => new vscode.CompletionItem(name, vscode.CompletionItemKind.Module));
          return sources.filter((s) => s.sourceName === call.args[0]).map((s) => new vscode.CompletionItem(s.name, vscode.CompletionItemKind.Struct));
        },
      },
      "'",
      '"',
    ),
    vscode.languages.registerDefinitionProvider(SQL, {
      provideDefinition(doc, pos) {
        const project = models.project;
        const call = jinjaCallAt(doc, pos);
        if (!project || !call) return undefined;
        if (call.kind === 'ref') {
          const name = call.args[call.args.length - 1];
          const node = [...project.nodes.values()].find((n) => n.name === name && n.resourceType !== 'test');
          return node ? new vscode.Location(vscode.Uri.file(node.file), new vscode.Position(Math.max(0, node.line - 1), 0)) : undefined;
        }
        const src = [...project.sources.values()].find((s) => s.sourceName === call.args[0] && s.name === call.args[1]);
        return src ? new vscode.Location(vscode.Uri.file(src.file), new vscode.Position(Math.max(0, src.line - 1), 0)) : undefined;
      },
    }),
    vscode.languages.registerHoverProvider(SQL, {
      provideHover(doc, pos) {
        const project = models.project;
        const call = jinjaCallAt(doc, pos);
        if (!project || !call) return undefined;
        if (call.kind === 'ref') {
          const name = call.args[call.args.length - 1];
          const node = [...project.nodes.values()].find((n) => n.name === name && n.resourceType !== 'test');
          return node ? new vscode.Hover(describeNode(models, node), call.range) : undefined;
        }
        const src = [...project.sources.values()].find((s) => s.sourceName === call.args[0] && s.name === call.args[1]);
        if (!src) return undefined;
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**source ${escapeMd(src.sourceName)}.${escapeMd(src.name)}** → table \`${escapeMd(src.identifier ?? src.name)}\`\n\n`);
        if (src.description) md.appendText(src.description);
        return new vscode.Hover(md, call.range);
      },
    }),
  ];
}

export { CompiledSqlProvider };
