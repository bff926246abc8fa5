import * as vscode from 'vscode';
import { materialization } from '../../core/project/project';
import type { ProjectNode } from '../../core/project/project';
import type { ModelsService } from './modelsService';
import { catalogEntryFor, relationsInSql } from '../../core/project/columnCatalog';
import type { CatalogRelation } from '../../core/project/columnCatalog';

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
      new vscode.CodeLens(top, { title: 'Chart', command: 'communityMetrics.openModelChart', arguments: [doc.uri], tooltip: `Chart ${node.name}'s result beside this file` }),
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
  // The catalog's columns: the store's real ones first, with yml descriptions; yml alone before a build.
  const catalog = models.columns.get(node.uniqueId)?.columns;
  const cols = catalog ?? Object.values(node.columns).map((c) => ({ name: c.name, description: c.description, type: c.dataType, from: 'yml' as const }));
  if (cols.length > 0) {
    md.appendMarkdown(cols.map((c) => `- \`${escapeMd(c.name)}\`${c.type ? ` ${escapeMd(c.type)}` : ''}${c.description ? ` — ${escapeMd(c.description)}` : ''}${c.from === 'store' ? '' : ` _(${c.from === 'yml' ? 'documented, not built' : 'seed header'})_`}`).join('\n') + '\n\n');
  }
  const last = models.lastResults.get(node.uniqueId);
  if (last) md.appendText(`Last run ${last.completedAt}: ${last.status}, ${(last.durationMs / 1000).toFixed(2)} s${last.rowsAffected !== undefined ? `, ${last.rowsAffected} rows` : ''}`);
  return md;
}

/** True inside `{{ … }}`, `{% … %}` or `{# … #}` before the cursor: Jinja, not SQL. */
function insideJinja(doc: vscode.TextDocument, pos: vscode.Position): boolean {
  const before = doc.getText(new vscode.Range(new vscode.Position(Math.max(0, pos.line - 50), 0), pos));
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'), before.lastIndexOf('{#'));
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'), before.lastIndexOf('#}'));
  return open > close;
}

const COLUMN_ORIGIN = { store: 'in the store', yml: 'documented in yml; not in the store yet', 'seed file': 'in the seed file’s header; not loaded yet' };

function columnItems(rel: CatalogRelation, range: vscode.Range | undefined, qualifier: string | undefined): vscode.CompletionItem[] {
  return rel.columns.map((c, i) => {
    const item = new vscode.CompletionItem({ label: c.name, description: qualifier ? `${qualifier} · ${rel.call}` : rel.call }, vscode.CompletionItemKind.Field);
    item.detail = `${c.type ? `${c.type} ` : ''}column of ${rel.identifier}`;
    const md = new vscode.MarkdownString();
    if (c.description) md.appendText(`${c.description}\n\n`);
    md.appendText(`Column ${COLUMN_ORIGIN[c.from]}.`);
    item.documentation = md;
    // The relation's own order, real columns first.
    item.sortText = `${c.from === 'store' ? 0 : 1}${String(i).padStart(4, '0')}`;
    if (range) item.range = range;
    return item;
  });
}

/** Columns in model SQL: after `alias.` those of that relation, else those of every relation the model reads. */
function columnCompletions(models: ModelsService, doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
  const project = models.project;
  const node = models.nodeForUri(doc.uri);
  if (!project || !node || node.resourceType === 'seed' || insideJinja(doc, pos)) return undefined;
  const before = doc.lineAt(pos.line).text.slice(0, pos.character);
  if (/--/.test(before)) return undefined;
  const relations = relationsInSql(doc.getText());
  const qualified = /([A-Za-z_][\w$]*)\.([A-Za-z_][\w$]*)?$/.exec(before);
  if (qualified) {
    const name = (qualified[1] as string).toLowerCase();
    const rel = relations.find((r) => r.qualifier.toLowerCase() === name);
    const entry = rel && catalogEntryFor(project, models.columns, rel.call);
    if (!entry) return undefined;
    const typed = qualified[2] ?? '';
    return columnItems(entry, new vscode.Range(pos.line, pos.character - typed.length, pos.line, pos.character), undefined);
  }
  const seen = new Set<string>();
  const items: vscode.CompletionItem[] = [];
  for (const r of relations) {
    const entry = catalogEntryFor(project, models.columns, r.call);
    if (!entry || seen.has(r.qualifier)) continue;
    seen.add(r.qualifier);
    items.push(...columnItems(entry, undefined, r.qualifier));
  }
  return items;
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
          if (!project) return undefined;
          if (!call) return columnCompletions(models, doc, pos);
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
      '.',
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
