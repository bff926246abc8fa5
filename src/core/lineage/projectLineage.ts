import path from 'node:path';
import { buildManifest } from '../project/manifest';
import { nodeForFile } from '../project/project';
import type { Project } from '../project/project';
import type { RecordedResult } from '../project/runHistory';
import { compiledSqlOf } from '../project/runner';
import { ColumnLineageIndex } from './columnLineage';
import { elkInputFor } from './layoutGraph';
import type { ElkInput } from './layoutGraph';
import { lineageGraphFromManifest } from './lineageGraph';
import type { LineageGraph } from './lineageGraph';
import { buildLineageView } from './lineageView';
import type { LineageView, RunInfo, ViewRequest } from './lineageView';

/**
 * The lineage of a project loaded by the models engine, as the panel needs it: the graph from the
 * engine's manifest, each node's load/compile error, its last run, and column lineage compiled on
 * demand (only for nodes whose columns are opened: compiling every model would be wasted work).
 */
export class ProjectLineage {
  readonly graph: LineageGraph;
  private readonly problems = new Map<string, string>();
  private readonly columns: ColumnLineageIndex;

  constructor(
    private readonly project: Project | undefined,
    private readonly runs: Map<string, RecordedResult> = new Map(),
  ) {
    this.graph = lineageGraphFromManifest(project ? buildManifest(project) : {});
    for (const d of project?.diagnostics ?? []) {
      if (d.severity === 'error' && d.uniqueId && !this.problems.has(d.uniqueId)) this.problems.set(d.uniqueId, d.message);
    }
    this.columns = new ColumnLineageIndex(this.graph, {
      sqlOf: (id) => {
        const node = project?.nodes.get(id);
        if (!project || !node || node.diagnostics.some((x) => x.severity === 'error')) return undefined;
        try {
          return compiledSqlOf(project, node);
        } catch {
          // A model that does not compile has no columns to trace; the node shows its error.
          return undefined;
        }
      },
    });
  }

  private runInfo(): Map<string, RunInfo> {
    const out = new Map<string, RunInfo>();
    for (const [id, r] of this.runs) {
      const info: RunInfo = { status: r.status, durationMs: r.durationMs, completedAt: r.completedAt };
      if (r.rowsAffected !== undefined) info.rowsAffected = r.rowsAffected;
      if (r.message) info.message = r.message;
      out.set(id, info);
    }
    return out;
  }

  view(request: ViewRequest): { view: LineageView; elk: ElkInput } {
    // The panel groups a large view into folders unless the request says 'off' (Show every node).
    const view = buildLineageView(this.graph, { ...request, clusters: request.clusters ?? 'auto' }, {
      runs: this.runInfo(),
      nodeProblems: this.problems,
      columnLineage: (id) => {
        const l = this.columns.of(id);
        return l.note ? { columns: l.columns, note: l.note } : { columns: l.columns };
      },
    });
    return { view, elk: elkInputFor(view) };
  }

  /** The file that defines a node (the yml for a source), absolute. */
  fileOf(id: string): string | undefined {
    const engineNode = this.project?.nodes.get(id);
    if (engineNode) return engineNode.file;
    const source = this.project?.sources.get(id);
    if (source) return source.file;
    const p = this.graph.nodes.get(id)?.path;
    return p && this.project ? path.join(this.project.root, p) : undefined;
  }

  /** The line of a node's definition (sources and generic tests live in yml files). */
  lineOf(id: string): number {
    return this.project?.sources.get(id)?.line ?? this.project?.nodes.get(id)?.line ?? 1;
  }

  nodeIdForFile(file: string): string | undefined {
    return this.project ? nodeForFile(this.project, file)?.uniqueId : undefined;
  }
}
