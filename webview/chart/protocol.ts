// The typed messages between the chart panel (host) and its webview. Both sides import this file.

export interface StarPointMessage {
  timestamp: string;
  stars: number;
}

/** host → webview */
export type HostToChart =
  | { type: 'render'; repo: string; spec: Record<string, unknown>; dataset: string; values: StarPointMessage[]; summary: string };

/** webview → host */
export type ChartToHost =
  | { type: 'ready' }
  | { type: 'rendered'; points: number }
  | { type: 'error'; message: string };

/** What the webview keeps in `setState`, for the serializer to restore the panel after a reload. */
export interface ChartState {
  repo: string;
}
