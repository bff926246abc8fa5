/**
 * What a chart webview receives: a vega-lite spec without data or colours (data arrives with it,
 * colours come from the theme in the webview), the rows already aggregated in SQL, and a text
 * summary for screen readers. Plain data: it crosses postMessage.
 */
export interface ChartPayload {
  id: string;
  title: string;
  spec: Record<string, unknown>;
  /** Name of the spec's data source that `values` fill. */
  dataset: string;
  values: Record<string, string | number | null>[];
  /** Columns of the CSV export, in order. */
  columns: string[];
  summary: string;
  /** Series names (legend entries), for tests and the summary. */
  series: string[];
  /**
   * Set when there is nothing to draw: what to say instead of bare axes (why it is empty, and what
   * to do). The summary says the same for screen readers.
   */
  empty?: string;
  /** On the dashboard: the question the chart answers, the project it is about, and its finding in one line. */
  group?: ChartGroup;
  project?: string;
  takeaway?: string;
}

/** The dashboard's questions, in the order it asks them. */
export type ChartGroup = 'growth' | 'usage' | 'community';
export const GROUP_TITLES: Record<ChartGroup, string> = { growth: 'Growth: is it gaining people?', usage: 'Usage: is it used, and which versions?', community: 'Community health: are people answered and involved?' };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const CHART_DATASET = 'table';
