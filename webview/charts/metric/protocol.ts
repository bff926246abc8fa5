// The typed messages between the metric chart panel (host) and its webview. Both sides import this file.
import type { ChartPayloadMessage, ErrorNotice, ExportRequest, RenderedNotice } from '../shared/messages';

export type Grain = 'day' | 'week' | 'month' | 'quarter';
export type ValueMode = 'total' | 'new' | 'cumulative' | 'pct';

export interface SeriesRef {
  artifactId: string;
  metricKey: string;
}

/** What the panel shows; kept by `setState` so that the serializer restores it after a reload. */
export interface MetricChartState {
  series: SeriesRef[];
  grain: Grain;
  mode: ValueMode;
  log: boolean;
  align: boolean;
  from?: string;
  to?: string;
  /** GH Archive series: count only this event type (`WatchEvent`); absent for every type. */
  eventType?: string;
  /** The width of the chart's plot in CSS pixels: a series gets at most one point per two of them. */
  plotWidth?: number;
}

/** An event type stored for the charted repositories, with how many events it has. */
export interface EventTypeChoice {
  type: string;
  events: number;
}

/** A metric the user may add to the comparison. */
export interface SeriesChoice extends SeriesRef {
  label: string;
}

/** host → webview */
export type HostToMetricChart =
  | {
      type: 'render';
      state: MetricChartState;
      chart: ChartPayloadMessage;
      choices: SeriesChoice[];
      /** Present when a GH Archive series is charted: the types its filter offers. */
      eventTypes?: EventTypeChoice[];
      note?: string;
    }
  | { type: 'failed'; state: MetricChartState; message: string };

/** webview → host */
export type MetricChartToHost = { type: 'ready'; plotWidth?: number } | { type: 'options'; state: MetricChartState } | ExportRequest | RenderedNotice | ErrorNotice;
