import {
  insertReleaseAssets,
  rebuildStarHistoryFromStargazers,
  updateFirstResponses,
  upsertCommits,
  upsertContributorWeeks,
  upsertIssueComments,
  upsertIssues,
  upsertReleases,
  upsertStarHistory,
  upsertStargazers,
} from './githubRows';
import { replaceNpmVersionSnapshot } from './npmVersionRows';
import { carryForwardDockerHubSnapshot, hasDockerHubSnapshotOn, insertDockerHubSnapshot, insertPypiRecent, upsertNpmDaily, upsertPypiDaily, upsertPypiVersionDaily } from './packageRows';
import { knownSlackUsers, upsertSlackMessages, upsertSlackUsers } from './slackRows';
import type { Needs } from './partitions';
import type { MetricsStore, RepositorySnapshot } from './store';
import { carryForwardPopular, carryForwardTrafficWindow, hasTrafficWindow, replacePopularSnapshot, upsertTrafficCounts } from './trafficRows';

/**
 * The writes a refresh may ask for, by name. A source fetches on the extension host (or the CLI) and
 * records `ctx.write('upsertIssues', rows)`: plain data that can cross to the store's worker, where
 * the refresh's one transaction applies them in order. A new source adds its write here.
 */
export const STORE_WRITES = {
  addRepositorySnapshot: (s: MetricsStore, snap: RepositorySnapshot) => s.addRepositorySnapshot(snap),
  carryForwardRepositorySnapshot: (s: MetricsStore, repo: string, timestamp: string) => s.carryForwardRepositorySnapshot(repo, timestamp),
  upsertStarHistory,
  upsertStargazers,
  rebuildStarHistoryFromStargazers,
  upsertIssues,
  upsertIssueComments,
  updateFirstResponses,
  upsertCommits,
  upsertReleases,
  insertReleaseAssets,
  upsertContributorWeeks,
  upsertPypiDaily,
  insertPypiRecent,
  upsertPypiVersionDaily,
  upsertNpmDaily,
  insertDockerHubSnapshot,
  carryForwardDockerHubSnapshot,
  replaceNpmVersionSnapshot,
  upsertTrafficCounts,
  carryForwardTrafficWindow,
  replacePopularSnapshot,
  carryForwardPopular,
  upsertSlackMessages,
  upsertSlackUsers,
} satisfies Record<string, (store: MetricsStore, ...args: never[]) => void>;

/**
 * The partitioned tables (partitions.ts) a write reads as it writes, loaded before it runs: upserts
 * that keep stored values (COALESCE, MAX) and recomputations from stored rows. A write not listed
 * here inserts, or upserts whole rows, and needs nothing loaded.
 */
export const WRITE_NEEDS: Partial<Record<WriteName, Needs>> = {
  upsertIssues: { github_issues: true },
  upsertIssueComments: { github_issue_comments: true },
  updateFirstResponses: { github_issues: true, github_issue_comments: true },
  upsertSlackMessages: { slack_messages: true },
};

/** The reads a source may make of the store as it was before the refresh, by name. */
export const STORE_READS = {
  hasRepositorySnapshotOn: (s: MetricsStore, repo: string, day: string) => s.hasRepositorySnapshotOn(repo, day),
  knownSlackUsers,
  hasDockerHubSnapshotOn,
  hasTrafficWindow,
} satisfies Record<string, (store: MetricsStore, ...args: never[]) => unknown>;

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

export type WriteName = keyof typeof STORE_WRITES;
export type WriteArgs<K extends WriteName> = Tail<Parameters<(typeof STORE_WRITES)[K]>>;
export type ReadName = keyof typeof STORE_READS;
export type ReadArgs<K extends ReadName> = Tail<Parameters<(typeof STORE_READS)[K]>>;
export type ReadResult<K extends ReadName> = ReturnType<(typeof STORE_READS)[K]>;

/** One recorded write: the name of a STORE_WRITES entry and its arguments. */
export interface NamedWrite {
  op: WriteName;
  args: unknown[];
}

export function applyWrite(store: MetricsStore, w: NamedWrite): void {
  const fn = STORE_WRITES[w.op] as ((store: MetricsStore, ...args: unknown[]) => void) | undefined;
  if (!fn) throw new Error(`Unknown store write '${String(w.op)}'.`);
  fn(store, ...w.args);
}

export function applyRead(store: MetricsStore, op: ReadName, args: unknown[]): unknown {
  const fn = STORE_READS[op] as ((store: MetricsStore, ...args: unknown[]) => unknown) | undefined;
  if (!fn) throw new Error(`Unknown store read '${String(op)}'.`);
  return fn(store, ...args);
}
