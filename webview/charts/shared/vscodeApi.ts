interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<ToHost, State>(): VsCodeApi<ToHost, State>;

/** The webview's handle to its host, typed by the panel's protocol. Acquired once per page. */
export function vscodeApi<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi<ToHost, State>();
}
