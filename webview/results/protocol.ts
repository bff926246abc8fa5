// Messages between the results panel (host) and its webview. Both sides import this file.

export type Cell = string | number | null;

/** host → webview */
export type HostToResults = { type: 'show'; title: string; columns: string[]; rows: Cell[][]; total: number; error?: string };

/** webview → host */
export type ResultsToHost = { type: 'ready' } | { type: 'exportCsv' } | { type: 'shown'; rows: number };

export interface ResultsState {
  /** The model file the panel previews. */
  uri: string;
}
