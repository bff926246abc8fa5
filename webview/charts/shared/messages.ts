// Message shapes shared by every chart webview and its host panel.

/**
 * Above this many rows a chart is drawn without Vega's per-mark ARIA descriptions: Vega evaluates
 * one description expression per row (through the interpreter, as the CSP wants): a 10-series ×
 * 10-year daily chart drew in 1,110 ms without them, 1,932 ms with them (medians, bench/RESULTS.md),
 * and a description per day of a ten-year line is not something a screen reader can use. The chart's accessible name and
 * the text summary above it still say what it shows.
 */
export const ARIA_ROWS_LIMIT = 2000;

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
  /** Nothing to draw: said instead of drawing bare axes. */
  empty?: string;
  group?: 'growth' | 'usage' | 'community';
  project?: string;
  takeaway?: string;
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
