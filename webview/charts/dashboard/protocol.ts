// The typed messages between the dashboard panel (host) and its webview. Both sides import this file.
import type { ChartPayloadMessage, ErrorNotice, ExportRequest, RenderedNotice } from '../shared/messages';

/** One date range for every chart; kept by `setState` for the serializer. */
export interface DashboardState {
  from?: string;
  to?: string;
}

export interface InsightMessage {
  title: string;
  explanation: string;
  /** Artifact name, to say which artifact the flag is about. */
  subject: string;
  /** The project of that artifact: the flag shows in its section. */
  project?: string;
}

/** A headline figure of a project (core's HeadlineFigure, structurally). */
export interface FigureMessage {
  label: string;
  value: string;
  detail: string;
  trend?: 'up' | 'down' | 'flat';
}

/** A project's section: its name and headline figures, then its charts (by their `project`). */
export interface ProjectMessage {
  name: string;
  figures: FigureMessage[];
}

/** host → webview */
export type HostToDashboard = {
  type: 'render'; state: DashboardState; projects: ProjectMessage[]; charts: ChartPayloadMessage[]; insights: InsightMessage[]; problems: string[];
  /** Whether the store holds any value of a tracked artifact: no flag means "nothing unusual" only then. */
  hasData?: boolean;
};

/** webview → host */
export type DashboardToHost =
  | { type: 'ready' }
  | { type: 'range'; state: DashboardState }
  | { type: 'openInsight'; index: number }
  | ExportRequest
  | RenderedNotice
  | ErrorNotice;
