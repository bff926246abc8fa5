// The layout worker: ELK layered runs here, off the panel's main thread, so that a 1,000-node graph
// never freezes scrolling or typing in the selector box. Input and output are ELK's JSON graph.
import ELK from 'elkjs/lib/elk.bundled.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ id: number; graph: unknown }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;
const elk = new ELK();

scope.onmessage = (event) => {
  const { id, graph } = event.data;
  elk.layout(graph as Parameters<typeof elk.layout>[0]).then(
    (result) => scope.postMessage({ id, result }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
};
