import type { SqlJsStatic } from 'sql.js';
import type { ProjectConfig } from './config/projectConfig';
import type { HttpClient } from './http/client';
import { CancelledError, describeError } from './http/errors';
import type { Logger } from './log';
import { fetchRepositorySnapshot } from './sources/github';
import type { RepositorySnapshot } from './store/store';
import { updateStore } from './store/store';

export interface RefreshDeps {
  SQL: SqlJsStatic;
  http: HttpClient;
  githubApiUrl: string;
  storeFile: string;
  logger: Logger;
  signal?: AbortSignal;
  /** Called as each artifact finishes, for progress reporting. */
  onProgress?: (done: number, total: number, artifact: string) => void;
  now?: () => Date;
}

export interface ArtifactFailure {
  artifact: string;
  message: string;
}

export interface RefreshResult {
  refreshed: string[];
  failures: ArtifactFailure[];
  cancelled: boolean;
  /** Set when the store file was unreadable and moved aside before this refresh wrote a new one. */
  movedAside?: string;
}

/**
 * Fetches every tracked artifact, then writes all snapshots in one store transaction. One failing
 * artifact never stops the others; a cancelled refresh writes what had already arrived.
 */
export async function refreshAll(config: ProjectConfig, deps: RefreshDeps): Promise<RefreshResult> {
  const timestamp = (deps.now?.() ?? new Date()).toISOString();
  const repos = config.projects.flatMap((p) => p.github);
  const unique = [...new Map(repos.map((r) => [r.fullName.toLowerCase(), r])).values()];
  const snapshots: RepositorySnapshot[] = [];
  const failures: ArtifactFailure[] = [];
  let cancelled = false;
  let done = 0;

  // GitHub advises serial requests per token; a small pool keeps latency down without tripping it.
  const queue = [...unique];
  const worker = async () => {
    for (let repo = queue.shift(); repo; repo = queue.shift()) {
      if (deps.signal?.aborted) {
        cancelled = true;
        return;
      }
      try {
        snapshots.push(await fetchRepositorySnapshot(deps.http, deps.githubApiUrl, repo, timestamp, deps.signal));
        deps.logger.info(`github ${repo.fullName}: ${snapshots[snapshots.length - 1]?.stars} stars`);
      } catch (err) {
        if (err instanceof CancelledError) {
          cancelled = true;
          return;
        }
        const message = describeError(err);
        failures.push({ artifact: `github:${repo.fullName}`, message });
        deps.logger.error(`github ${repo.fullName}: ${message}`);
      }
      deps.onProgress?.(++done, unique.length, repo.fullName);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, unique.length) }, worker));

  let movedAside: string | undefined;
  if (snapshots.length > 0) {
    const written = await updateStore(deps.SQL, deps.storeFile, deps.logger, (store) => {
      for (const s of snapshots) store.addRepositorySnapshot(s);
    });
    movedAside = written.movedAside;
  }
  const result: RefreshResult = { refreshed: snapshots.map((s) => s.repo), failures, cancelled };
  if (movedAside) result.movedAside = movedAside;
  return result;
}
