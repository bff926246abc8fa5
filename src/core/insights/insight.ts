/** A flag raised by a detector: what it saw, in words, and which chart shows it. */
export interface Insight {
  kind: 'rate-drop' | 'old-versions' | 'concentration' | 'star-trend' | 'new-traffic-source' | 'installer-share';
  artifactId: string;
  /** One line for the tree and the dashboard. */
  title: string;
  /** The numbers behind the flag and how they were judged, in sentences. */
  explanation: string;
  /** The metric chart that shows it. */
  chart: { artifactId: string; metricKey: string; grain: 'day' | 'week' | 'month' | 'quarter'; mode: 'total' | 'new' | 'cumulative' | 'pct' };
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const pct = (x: number) => `${Math.round(x * 100)}%`;
