import type { ElkInput, LaidOut } from './protocol';
import { fallbackLayout, laidOutFrom } from './layoutResult';

/**
 * Runs ELK in a Web Worker. A webview may only start a worker from a blob: URL (its resources live
 * on another origin), so the worker script is fetched from the extension's dist/ and wrapped in a
 * blob; the CSP allows exactly that (connect-src and worker-src).
 */
export class LayoutClient {
  private starting: Promise<Worker | undefined> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LaidOut) => void; reject: (e: Error) => void }>();
  /** Why the worker could not be used, once it failed. */
  failure: string | undefined;

  constructor(private readonly workerUrl: string) {}

  private start(): Promise<Worker | undefined> {
    this.starting ??= (async () => {
      try {
        const res = await fetch(this.workerUrl);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const blob = new Blob([await res.text()], { type: 'text/javascript' });
        const url = URL.createObjectURL(blob);
        const worker = new Worker(url);
        URL.revokeObjectURL(url);
        worker.onmessage = (e: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
          const p = this.pending.get(e.data.id);
          if (!p) return;
          this.pending.delete(e.data.id);
          if (e.data.error !== undefined) p.reject(new Error(e.data.error));
          else p.resolve(laidOutFrom(e.data.result));
        };
        worker.onerror = (e) => {
          this.failure = e.message || 'the layout worker stopped';
          for (const p of this.pending.values()) p.reject(new Error(this.failure));
          this.pending.clear();
        };
        return worker;
      } catch (err) {
        this.failure = `the layout worker could not start (${(err as Error).message})`;
        return undefined;
      }
    })();
    return this.starting;
  }

  /**
   * Starts the worker (fetch, compile, ELK's own start-up) before the first view arrives: the host
   * loads the project meanwhile, so the first layout does not pay for the start.
   */
  warm(): void {
    void this.start();
  }

  /** Lays out on the worker; `offThread` is false when the fallback layout had to be used. */
  async layout(input: ElkInput): Promise<{ layout: LaidOut; offThread: boolean }> {
    const worker = this.failure ? undefined : await this.start();
    if (!worker) return { layout: fallbackLayout(input), offThread: false };
    const id = this.nextId++;
    const result = new Promise<LaidOut>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.postMessage({ id, graph: input });
    try {
      return { layout: await result, offThread: true };
    } catch {
      return { layout: fallbackLayout(input), offThread: false };
    }
  }
}
