import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { layoutNoteFor } from '../../core/lineage/layoutGraph';
import { LINEAGE_BODY } from '../../core/lineage/panelMarkup';
import type { LaidOut as CoreLaidOut } from '../../core/lineage/layoutGraph';
import type { LineageView, ViewRequest } from '../../core/lineage/lineageView';
import { ProjectLineage } from '../../core/lineage/projectLineage';
import { lineageSvg } from '../../core/lineage/svgExport';
import type { Logger } from '../../core/log';
import type { HostToLineage, LaidOut, LineageState, LineageToHost } from '../../../webview/lineage/protocol';
import type { ModelsService } from '../models/modelsService';
import { escapeHtml, webviewOptions, webviewPage } from '../webviewPage';

export const LINEAGE_VIEW_TYPE = 'communityMetrics.lineage';

/**
 * The lineage panel (one per window): the host decides what is visible (selection, scope, columns)
 * from the models engine's project and sends it with ELK's input; the webview lays it out in a
 * worker and draws it. Reloads of the project (a save of a model, yml or macro) re-send the same
 * request, so the webview redraws in place with its zoom, pan and selection.
 */
export class LineagePanel implements vscode.Disposable, vscode.WebviewPanelSerializer<LineageState> {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private request: ViewRequest = {};
  private lineage: ProjectLineage | undefined;
  private lastView: LineageView | undefined;
  private lastLayout: LaidOut | undefined;
  /**
   * The last few layouts the webview drew, by a hash of ELK's input. ELK gives the same answer for
   * the same input, so a redraw of the same graph (a save that changes no node's box or edge, going
   * back to an earlier view, the panel shown again after being hidden, which reloads the webview)
   * is sent with its layout and drawn without laying it out again: seconds on a large graph.
   */
  private readonly layouts = new Map<string, LaidOut>();
  private highlighted: string[] = [];
  private pendingPng: ((dataUrl: string | undefined) => void) | undefined;
  private readonly rendered = new vscode.EventEmitter<Extract<LineageToHost, { type: 'rendered' }>>();
  /** Fires after each draw in the webview (tests and the benchmark wait on it). */
  readonly onDidRender = this.rendered.event;
  private readonly subscriptions: vscode.Disposable[] = [this.rendered];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelsService,
    private readonly logger: Logger,
  ) {
    this.subscriptions.push(
      models.onDidChange(() => {
        this.lineage = undefined;
        void this.post();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !this.ready || !editor) return;
        const message: HostToLineage = { type: 'current', ...this.optional('id', this.data().nodeIdForFile(editor.document.uri.fsPath)) };
        void this.panel.webview.postMessage(message);
      }),
    );
  }

  /** Opens (or reveals) the panel; centred on `uri`'s model when given, else the whole graph. */
  async show(uri?: vscode.Uri, selector?: string): Promise<vscode.WebviewPanel> {
    if (this.models.project === undefined) await this.models.reload();
    const focus = uri ? this.data().nodeIdForFile(uri.fsPath) : undefined;
    this.request = selector ? { selector } : focus ? { focus } : {};
    if (this.panel) {
      this.panel.reveal(undefined, false);
      await this.post();
      return this.panel;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, 'Lineage', column, webviewOptions(this.extensionUri));
    this.attach(panel, false);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: LineageState | undefined): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    this.request = state?.request ?? {};
    this.attach(panel, true);
  }

  get visible(): boolean {
    return !!this.panel;
  }

  private data(): ProjectLineage {
    this.lineage ??= new ProjectLineage(this.models.project, this.models.lastResults);
    return this.lineage;
  }

  private optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
  }

  private attach(panel: vscode.WebviewPanel, restored: boolean): void {
    this.panel = panel;
    this.ready = false;
    panel.title = 'Lineage';
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((m: LineageToHost) => this.receive(m, restored));
  }

  private receive(m: LineageToHost, restored: boolean): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        // A restored panel continues where it was; a freshly opened one shows what the command asked.
        if (restored && m.state?.request) this.request = m.state.request;
        void this.post();
        break;
      case 'request':
        this.request = m.request;
        void this.post();
        break;
      case 'open':
        void this.openNode(m.id);
        break;
      case 'rendered':
        this.lastLayout = m.layout;
        if (m.layoutKey && m.offThread && m.nodes > 0) this.remember(m.layoutKey, m.layout);
        this.highlighted = m.highlighted;
        this.logger.debug(`lineage: ${m.nodes} nodes drawn (${m.reused ? 'layout kept from an earlier draw' : `layout ${m.layoutMs} ms${m.offThread ? ' in the worker' : ', fallback'}`}, render ${m.renderMs} ms)`);
        this.rendered.fire(m);
        break;
      case 'highlight':
        this.highlighted = m.highlighted;
        break;
      case 'export':
        void (m.format === 'svg' ? this.exportSvg() : this.exportPng());
        break;
      case 'png':
        this.pendingPng?.(m.dataUrl);
        this.pendingPng = undefined;
        break;
      case 'error':
        this.logger.error(`lineage webview: ${m.message}`);
        this.pendingPng?.(undefined);
        this.pendingPng = undefined;
        break;
    }
  }

  private async post(): Promise<void> {
    if (!this.panel || !this.ready) return;
    try {
      const data = this.data();
      const { view, elk } = data.view(this.request);
      this.lastView = view;
      const editor = vscode.window.activeTextEditor;
      const current = editor ? data.nodeIdForFile(editor.document.uri.fsPath) : undefined;
      const layoutKey = createHash('sha256').update(JSON.stringify(elk)).digest('base64');
      const projectProblem = this.models.hasProject() && !this.models.project ? 'The models project could not be loaded: see “Community Metrics: Show Log”.' : undefined;
      const message: HostToLineage = {
        type: 'view',
        view,
        elk,
        request: this.request,
        ...this.optional('current', current ?? view.focus),
        ...this.optional('projectProblem', projectProblem),
        ...this.optional('layoutNote', layoutNoteFor(view.nodes.length)),
        layoutKey,
        ...this.optional('layout', this.layouts.get(layoutKey)),
      };
      await this.panel.webview.postMessage(message);
    } catch (err) {
      this.logger.error(`lineage: ${(err as Error).stack ?? String(err)}`);
      const view: LineageView = { nodes: [], edges: [], problems: [], totalNodes: 0, empty: `The lineage could not be computed: ${(err as Error).message}` };
      await this.panel.webview.postMessage({ type: 'view', view, elk: { id: 'root', layoutOptions: {}, children: [], edges: [] }, request: this.request } satisfies HostToLineage);
    }
  }

  private remember(key: string, layout: LaidOut): void {
    this.layouts.delete(key);
    this.layouts.set(key, layout);
    for (const old of this.layouts.keys()) {
      if (this.layouts.size <= 4) break;
      this.layouts.delete(old);
    }
  }

  private async openNode(id: string): Promise<void> {
    const data = this.data();
    const file = data.fileOf(id);
    if (!file) return;
    try {
      const line = Math.max(0, data.lineOf(id) - 1);
      // Into the editor group beside the panel, keeping the panel visible.
      const editorColumn = vscode.window.visibleTextEditors[0]?.viewColumn ?? vscode.ViewColumn.One;
      await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: editorColumn, preserveFocus: true, selection: new vscode.Range(line, 0, line, 0) });
    } catch (err) {
      void vscode.window.showWarningMessage(`Community Metrics: cannot open ${path.basename(file)}: ${(err as Error).message}`);
    }
  }

  /** The drawn view as SVG text, or undefined when nothing is drawn yet. */
  currentSvg(): { svg: string; width: number; height: number } | undefined {
    if (!this.lastView || !this.lastLayout || this.lastView.nodes.length === 0) return undefined;
    const data = this.data();
    const editor = vscode.window.activeTextEditor;
    const current = editor ? data.nodeIdForFile(editor.document.uri.fsPath) : undefined;
    const svg = lineageSvg(this.lastView, this.lastLayout as CoreLaidOut, {
      highlighted: this.highlighted.length > 0 ? new Set(this.highlighted) : undefined,
      ...this.optional('current', current),
      title: `Lineage of ${data.graph.projectName || 'the project'}`,
    });
    return { svg, width: Math.max(200, Math.ceil(this.lastLayout.width)), height: Math.max(80, Math.ceil(this.lastLayout.height)) };
  }

  private async target(ext: 'svg' | 'png', given?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (given) return given;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = folder ? vscode.Uri.joinPath(folder, `lineage.${ext}`) : undefined;
    return vscode.window.showSaveDialog({ filters: { [ext.toUpperCase()]: [ext] }, ...(defaultUri ? { defaultUri } : {}), title: `Export lineage as ${ext.toUpperCase()}` });
  }

  async exportSvg(given?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const drawn = this.currentSvg();
    if (!drawn) {
      void vscode.window.showWarningMessage('Community Metrics: open the lineage graph first; there is nothing drawn to export.');
      return undefined;
    }
    const target = await this.target('svg', given);
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(drawn.svg));
    if (!given) void vscode.window.showInformationMessage(`Community Metrics: lineage written to ${target.fsPath}.`);
    return target;
  }

  async exportPng(given?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const drawn = this.currentSvg();
    if (!drawn || !this.panel) {
      void vscode.window.showWarningMessage('Community Metrics: open the lineage graph first; there is nothing drawn to export.');
      return undefined;
    }
    const target = await this.target('png', given);
    if (!target) return undefined;
    // The browser draws the SVG into a canvas: the host has no rasterizer.
    const dataUrl = await new Promise<string | undefined>((resolve) => {
      this.pendingPng?.(undefined);
      this.pendingPng = resolve;
      void this.panel?.webview.postMessage({ type: 'rasterize', svg: drawn.svg, width: drawn.width, height: drawn.height } satisfies HostToLineage);
      setTimeout(() => resolve(undefined), 30_000);
    });
    const base64 = dataUrl?.startsWith('data:image/png;base64,') ? dataUrl.slice('data:image/png;base64,'.length) : undefined;
    if (!base64) {
      void vscode.window.showErrorMessage('Community Metrics: the PNG could not be drawn; see the log.');
      return undefined;
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(base64, 'base64'));
    if (!given) void vscode.window.showInformationMessage(`Community Metrics: lineage written to ${target.fsPath}.`);
    return target;
  }

  private html(webview: vscode.Webview): string {
    const worker = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'lineageLayout.js'));
    return webviewPage(webview, this.extensionUri, {
      script: 'lineage',
      stylesheet: 'lineage.css',
      title: 'Lineage',
      bodyAttributes: `data-worker="${escapeHtml(String(worker))}"`,
      // The layout worker's script is fetched from the extension and started from a blob: URL.
      csp: { 'connect-src': webview.cspSource, 'worker-src': `${webview.cspSource} blob:` },
      body: LINEAGE_BODY,
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
