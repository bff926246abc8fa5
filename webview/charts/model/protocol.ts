// The typed messages between the model chart panel (host) and its webview. Both sides import this file.
import type { ChartPayloadMessage, ErrorNotice, ExportRequest, RenderedNotice } from '../shared/messages';

export type Cell = string | number | null;

/** What the serializer restores: the model file and the open tab. */
export interface ModelChartState {
  uri: string;
  tab: 'chart' | 'table';
}

/** host → webview */
export type HostToModelChart =
  | { type: 'render'; state: ModelChartState; model: string; chart: ChartPayloadMessage; table: { columns: string[]; rows: Cell[][]; total: number } }
  | { type: 'failed'; state: ModelChartState; model: string; message: string };

/** webview → host */
export type ModelChartToHost = { type: 'ready' } | { type: 'tab'; tab: ModelChartState['tab'] } | ExportRequest | RenderedNotice | ErrorNotice;
