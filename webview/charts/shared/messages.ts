// Message shapes shared by every chart webview and its host panel.

/** A chart as the host sends it (core's ChartPayload, structurally). */
export interface ChartPayloadMessage {
  id: string;
  title: string;
  spec: Record<string, unknown>;
  dataset: string;
  values: Record<string, string | number | null>[];
  columns: string[];
  summary: string;
  series: string[];
}

/** webview → host: save an export of a chart where the user picks. */
export interface ExportRequest {
  type: 'export';
  format: 'png' | 'svg' | 'csv';
  /** Suggested file name without extension. */
  name: string;
  /** base64 for png, text for svg and csv. */
  data: string;
}

export interface RenderedNotice {
  type: 'rendered';
  /** Drawn rows per chart id. */
  points: Record<string, number>;
}

export interface ErrorNotice {
  type: 'error';
  message: string;
}
