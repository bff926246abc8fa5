import * as vscode from 'vscode';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from '../core/log';
import type { StoreClient } from '../core/store/api/client';
import { WorkerStoreClient } from '../core/store/worker/workerClient';

/**
 * Owns the workspace's store worker: one live database per store file, started on first use, started
 * again (and said so) when it dies, closed with the extension. Everything in the extension that needs
 * SQL goes through `client()`; the extension host's thread runs none.
 */
export class StoreHost implements vscode.Disposable {
  private current: WorkerStoreClient | undefined;
  private readonly stall = new StallProbe();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storeFile: () => string | undefined,
    private readonly logger: Logger,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The client for the store file the settings name now (an empty in-memory store without a folder). */
  client(): StoreClient {
    return this.worker();
  }

  /** The worker client itself, for the internal test commands. */
  worker(): WorkerStoreClient {
    const file = this.storeFile() ?? ':memory:';
    if (this.current?.file === file) return this.current;
    void this.current?.close();
    const dist = (name: string) => vscode.Uri.joinPath(this.extensionUri, 'dist', name).fsPath;
    this.current = new WorkerStoreClient({
      workerPath: dist('storeWorker.js'),
      wasmPath: dist('sql-wasm.wasm'),
      file,
      logger: this.logger,
      onRestart: (reason) => {
        void vscode.window
          .showWarningMessage(`Community Metrics: ${reason}. It was started again; saved data is kept. See the log for details.`, 'Show Log')
          .then((c) => c && this.log.show());
      },
    });
    this.current.onMovedAside = (aside) => {
      void vscode.window.showWarningMessage(
        `Community Metrics: the store ${file} was not a readable SQLite database. It was moved to ${aside}; a new store was started.`,
      );
    };
    this.current.onProblem = (message) => {
      void vscode.window.showWarningMessage(`Community Metrics: ${message}`, 'Show Log').then((c) => c && this.log.show());
    };
    return this.current;
  }

  /** The longest the extension host's event loop was blocked since the last reset, in ms (bench probe). */
  maxStallMs(reset = false): number {
    return this.stall.max(reset);
  }

  dispose(): void {
    this.stall.dispose();
    void this.current?.close();
    this.current = undefined;
  }
}

/**
 * The extension host's event-loop lag, from Node's own histogram (it samples with a timer and
 * records how late each tick fired). Read through an internal command by bench/storeScale.ts.
 */
class StallProbe implements vscode.Disposable {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  max(reset: boolean): number {
    const ms = this.histogram.max / 1e6;
    if (reset) this.histogram.reset();
    return Number.isFinite(ms) ? ms : 0;
  }

  dispose(): void {
    this.histogram.disable();
  }
}
