// The typed messages between the lineage panel (host) and its webview. Both sides import this file;
// the host's values come from src/core/lineage (lineageView.ts, layoutGraph.ts), whose types have
// the same shape — the webview may not import src/, so the shapes are restated here.

export interface ViewRequest {
  selector?: string;
  focus?: string;
  up?: number;
  down?: number;
  expanded?: string[];
  columnsOpen?: string[];
  /** 'auto': large views drawn as groups (folders, sources), opened by `expanded`; 'off': every node. */
  clusters?: 'auto' | 'off';
}

export interface RunInfo {
  status: string;
  durationMs: number;
  rowsAffected?: number;
  completedAt: string;
  message?: string;
}

export interface ViewColumn {
  name: string;
  dataType?: string;
  description?: string;
  from?: string[];
  trace?: 'traced' | 'partial' | 'unknown';
}

export interface ViewNode {
  id: string;
  name: string;
  type: string;
  materialized?: string;
  path?: string;
  tags: string[];
  tests: Array<{ name: string; column?: string }>;
  run?: RunInfo;
  hiddenParents: number;
  hiddenChildren: number;
  problem?: string;
  columnsOpen: boolean;
  columns: ViewColumn[];
  columnNote?: string;
  width: number;
  height: number;
  /** A box standing for several nodes: a folder, or a source's tables. */
  group?: { members: number; what: string; runs?: string; worst?: string };
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
}

export interface LineageProblem {
  kind: 'cycle' | 'broken' | 'missing';
  message: string;
  nodes: string[];
}

export interface LineageViewData {
  nodes: ViewNode[];
  edges: ViewEdge[];
  focus?: string;
  selector?: string;
  selectorError?: string;
  problems: LineageProblem[];
  empty?: string;
  totalNodes: number;
  /** The full view leaves out sources no node reads: how many. */
  unreadSourcesHidden?: number;
  /** Drawn as groups: how many nodes, in how many boxes. */
  clustered?: { nodes: number; groups: number };
}

export interface ElkInput {
  id: string;
  layoutOptions: Record<string, string>;
  children: Array<{ id: string; width: number; height: number }>;
  edges: Array<{ id: string; sources: [string]; targets: [string] }>;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOut {
  width: number;
  height: number;
  nodes: Record<string, { x: number; y: number; width: number; height: number }>;
  edges: Record<string, Point[]>;
}

/** host → webview */
export type HostToLineage =
  | {
      type: 'view';
      view: LineageViewData;
      elk: ElkInput;
      request: ViewRequest;
      current?: string;
      projectProblem?: string;
      /** Set when a large view is laid out with quicker settings: a word for the status, and why. */
      layoutNote?: { short: string; detail: string };
      /** Names ELK's input (a hash); the webview says it back when drawn, so the host can keep the layout. */
      layoutKey?: string;
      /** The layout drawn before for this very input (the host keeps the last few): no need to lay out again. */
      layout?: LaidOut;
    }
  | { type: 'current'; id?: string }
  | { type: 'rasterize'; svg: string; width: number; height: number };

/** webview → host */
export type LineageToHost =
  | { type: 'ready'; state?: LineageState }
  | { type: 'request'; request: ViewRequest }
  | { type: 'open'; id: string }
  | {
      type: 'rendered';
      layout: LaidOut;
      highlighted: string[];
      /** Laying out, including measuring the nodes' text (measureMs of it). */
      layoutMs: number;
      measureMs?: number;
      renderMs: number;
      nodes: number;
      offThread: boolean;
      /** The view's layoutKey, when it had one. */
      layoutKey?: string;
      /** The layout came with the view (drawn before), not from the worker. */
      reused?: boolean;
    }
  | { type: 'highlight'; highlighted: string[] }
  | { type: 'export'; format: 'svg' | 'png' }
  | { type: 'png'; dataUrl: string }
  | { type: 'error'; message: string };

/** What the webview keeps in setState, for the serializer to restore the panel after a reload. */
export interface LineageState {
  request: ViewRequest;
  selected?: string;
  zoom?: { x: number; y: number; k: number };
}
