import type { SqlValue } from 'sql.js';
import type { Validators } from '../../http/conditional';
import type { Logger } from '../../log';
import type { ProjectConfig } from '../../config/projectConfig';
import { gharchiveEventTypes } from '../../charts/gharchiveMetric';
import { metricSeries } from '../../charts/metricSeries';
import type { MetricSeries, SeriesOptions } from '../../charts/metricSeries';
import { headlineFigures } from '../../charts/headlines';
import { readModelChartsFromDb } from '../../charts/modelChartRead';
import { releaseEvents } from '../../charts/releaseEvents';
import { seedViews } from '../../charts/seedViews';
import type { ViewArtifact, ViewRange } from '../../charts/seedViews';
import { needsThroughViews, projectText } from '../readNeeds';
import { archiveWriteNeeds, readArchiveState, writeBatch } from '../../gharchive/archiveStore';
import type { EventRow } from '../../gharchive/eventRow';
import type { HourRecord } from '../../gharchive/archiveStore';
import { storeInsights } from '../../insights/storeInsights';
import type { InsightArtifact, InsightOptions } from '../../insights/storeInsights';
import { latestStoredRun } from '../../lineage/storedRun';
import { storedColumns } from '../../project/columnCatalog';
import type { Project } from '../../project/project';
import { latestResults } from '../../project/runHistory';
import { compiledSqlOf, prepareDatabase, runProject, storeAccess } from '../../project/runner';
import type { ProgressEvent, RunCommand } from '../../project/runner';
import type { NodePick } from '../../project/selection';
import { registerSqlFunctions } from '../../project/sqlFunctions';
import { columnsOf, query } from '../../project/storeAccess';
import { artifactMetrics } from '../artifactMetrics';
import { readBookkeeping, saveSyncState, saveValidators } from '../bookkeeping';
import type { LiveStore } from '../liveStore';
import type { StoreClient } from './client';
import { importGhArchive } from '../../gharchive/importer';
import type { GhArchiveImportOptions } from '../../gharchive/importer';
import { WRITE_NEEDS, applyRead, applyWrite } from '../namedWrites';
import { mergeNeeds } from '../partitions';
import type { Needs } from '../partitions';
import { knownRepoNames, writeClickHouseChunk } from '../../clickhouse/archiveCountsStore';
import type { ChunkWrite } from '../../clickhouse/archiveCountsStore';
import { importGhArchiveViaClickHouse } from '../../clickhouse/archiveImport';
import type { ClickHouseArchiveOptions } from '../../clickhouse/archiveImport';
import { CLICKHOUSE_MAX_ANSWER_BYTES } from '../../clickhouse/connection';
import { importPypiHistory } from '../../clickhouse/pypiHistory';
import type { PypiHistoryOptions } from '../../clickhouse/pypiHistory';
import { installerShare, latestHistoryDays, upsertPypiHistory, versionAdoptionByYear } from '../../clickhouse/pypiHistoryStore';
import { storeCoverage } from '../../coverage/coverage';
import type { PypiHistoryRow } from '../../clickhouse/pypiHistoryStore';
import { HttpClient } from '../../http/client';
import type { NamedWrite, ReadName } from '../namedWrites';

/**
 * Everything that runs SQL, as named operations with plain-data arguments and results: they run
 * where the live database is (the extension's store worker, or in-process for the CLI and tests),
 * and a caller on the other side of a thread boundary names them instead of passing a function.
 *
 * Add an operation here to give the extension or the CLI a new way to use the store; its argument
 * and result must survive structured clone (plain objects, arrays, Maps, Sets, Dates).
 */
export interface OperationContext {
  live: LiveStore;
  logger: Logger;
  /** Aborted when the caller cancels; long operations check it between steps. */
  signal: AbortSignal;
  /** Sends a progress value to the caller (a run's node started/finished). */
  progress: (value: unknown) => void;
  /** The models project at `root`, loaded where the store is (cached while `version` is the same). */
  project: (root: string, opts?: { version?: number; vars?: Record<string, unknown> }) => Promise<Project>;
  /** The other operations, on the same live store (for work made of several, like an import). */
  local: StoreClient;
}

/** Which project a models operation works on: loaded from disk by the side that holds the store. */
export interface ProjectRef {
  root: string;
  /** The caller's reload counter: the same version is loaded once. */
  version?: number;
  vars?: Record<string, unknown>;
}

export interface RefreshArtifactWrites {
  artifact: string;
  writes: NamedWrite[];
  /** Datasets that completed: their validators and cursors are saved with the rows. */
  validators: Validators[];
  states: Array<{ dataset: string; cursor?: string }>;
}

export interface RefreshWriteFailure {
  artifact: string;
  message: string;
}

const nodesOf = (project: Project, ids: readonly string[]) => ids.map((id) => project.nodes.get(id)).filter((n): n is NonNullable<typeof n> => n !== undefined);

export const STORE_OPERATIONS = {
  /** Answers once the store is loaded: a health check and the worker tests' probe. */
  ping: (ctx: OperationContext) => ctx.live.read((s) => ({ file: ctx.live.file, schemaVersion: s.schemaVersion }), { needs: {} }),

  /** The tree: latest stars and, per configured artifact, its metrics with 7/30-day change. */
  treeSummaries: (ctx: OperationContext, a: { config: ProjectConfig }) =>
    ctx.live.read((s) => ({ latest: s.latestStars(), summaries: artifactMetrics(s, a.config) }), { needs: {} }),

  starHistory: (ctx: OperationContext, a: { repo: string }) => ctx.live.read((s) => s.starHistory(a.repo), { needs: {} }),

  /** One metric chart: its series and, for GH Archive series, the event types there are. */
  metricChart: (ctx: OperationContext, a: { series: Array<{ artifactId: string; metricKey: string }>; options: SeriesOptions; eventTypesOf?: string[]; releasesOf?: string[] }) =>
    ctx.live.read((s) => ({
      series: a.series.map((r): MetricSeries => metricSeries(s, r.artifactId, r.metricKey, a.options)),
      eventTypes: a.eventTypesOf?.length ? gharchiveEventTypes(s, a.eventTypesOf) : undefined,
      /** The releases of these repositories, drawn as rules on the time axis. */
      events: a.releasesOf?.length ? releaseEvents(s, a.releasesOf) : [],
    }), { needs: {} }),

  seedViews: (ctx: OperationContext, a: { artifacts: ViewArtifact[]; range: ViewRange }) => ctx.live.read((s) => seedViews(s, a.artifacts, a.range), { needs: {} }),

  /** The dashboard: the seed views' charts and, per project, its headline figures (one read). */
  dashboard: (ctx: OperationContext, a: { artifacts: ViewArtifact[]; range: ViewRange; projects: string[] }) =>
    ctx.live.read((s) => ({
      views: seedViews(s, a.artifacts, a.range),
      projects: a.projects.map((name) => ({ name, figures: headlineFigures(s, a.artifacts.filter((x) => x.project === name)) })),
    }), { needs: {} }),

  insights: (ctx: OperationContext, a: { artifacts: InsightArtifact[]; options: InsightOptions }) => ctx.live.read((s) => storeInsights(s, a.artifacts, a.options), { needs: {} }),

  /** Any SQL, read-only use: the CLI's `query` and tools (`prepare`: with the BigQuery-habit functions). */
  query: (ctx: OperationContext, a: { sql: string; params?: SqlValue[]; prepare?: boolean }) =>
    ctx.live.read((s) => {
      if (a.prepare) registerSqlFunctions(s.db);
      s.load(needsThroughViews(s.db, a.sql));
      return query(s.db, a.sql, a.params ?? []);
    }, { needs: {} }),

  /** Columns of these relations (completion, hover). */
  columns: (ctx: OperationContext, a: { identifiers: string[] }) => ctx.live.read((s) => storedColumns(s.db, a.identifiers), { needs: {} }),

  /** The latest recorded result of every node, and the columns of the project's relations. */
  runHistory: (ctx: OperationContext, a: { identifiers?: string[] }) =>
    ctx.live.read((s) => ({ results: latestResults(s.db), stored: a.identifiers ? storedColumns(s.db, a.identifiers) : new Map() }), { needs: {} }),

  latestStoredRun: (ctx: OperationContext) => ctx.live.read((s) => latestStoredRun(s.db), { needs: {} }),

  /** run / build / test / seed on the store, under its lock; progress events as nodes start and end. */
  runProject: async (
    ctx: OperationContext,
    a: { project: ProjectRef; command: RunCommand; select?: string[]; exclude?: string[]; nodes?: NodePick; fullRefresh?: boolean; columnsOf?: string[] },
  ) => {
    const project = await ctx.project(a.project.root, a.project);
    return ctx.live.write(
      async (s) => {
        s.load(needsThroughViews(s.db, ...projectText(project)));
        const run = await runProject(project, s.db, {
          command: a.command,
          // SQL whose table names are made by Jinja (not in the project's text): loaded as it runs.
          beforeSql: (sql) => s.load(needsThroughViews(s.db, sql)),
          ...(a.nodes ? { nodes: a.nodes } : { select: a.select, exclude: a.exclude }),
          ...(a.fullRefresh ? { fullRefresh: true } : {}),
          signal: ctx.signal,
          onProgress: (e: ProgressEvent) => ctx.progress(e),
        });
        return { run, stored: a.columnsOf ? storedColumns(s.db, a.columnsOf) : undefined };
      },
      { transaction: false, needs: {} },
    );
  },

  compiledSql: async (ctx: OperationContext, a: { project: ProjectRef; uniqueId: string }) => {
    const project = await ctx.project(a.project.root, a.project);
    const node = project.nodes.get(a.uniqueId);
    if (!node) throw new Error(`${a.uniqueId} is not in the project.`);
    return ctx.live.read((s) => {
      s.load(needsThroughViews(s.db, ...projectText(project)));
      prepareDatabase(s.db, false);
      return compiledSqlOf(project, node, { db: storeAccess(s.db, (sql) => s.load(needsThroughViews(s.db, sql))) });
    }, { needs: {} });
  },

  /** The first rows of a relation, and how many there are. */
  preview: (ctx: OperationContext, a: { relation: string; model: string; limit: number }) =>
    ctx.live.read((s) => {
      const db = s.db;
      s.load(needsThroughViews(db, `"${a.relation}"`));
      prepareDatabase(db, false);
      if (columnsOf(db, a.relation).length === 0) throw new Error(`${a.model} has not been built yet: run it first.`);
      const q = `"${a.relation.replace(/"/g, '""')}"`;
      const total = Number(query(db, `SELECT COUNT(*) FROM ${q}`).rows[0]?.[0] ?? 0);
      return { ...query(db, `SELECT * FROM ${q} LIMIT ${a.limit}`), total };
    }, { needs: {} }),

  /**
   * Model charts. With `fromSavedSql` each model is first run as its file is saved now, inside a
   * savepoint that is rolled back: the chart shows the saved SQL, the store keeps what was built.
   */
  modelCharts: async (ctx: OperationContext, a: { project: ProjectRef; ids: string[]; range: { from?: string; to?: string }; tableRows?: number; fromSavedSql?: boolean }) => {
    const project = await ctx.project(a.project.root, a.project);
    const nodes = nodesOf(project, a.ids);
    return ctx.live.read(async (s) => {
      s.load(needsThroughViews(s.db, ...projectText(project)));
      if (!a.fromSavedSql) return readModelChartsFromDb(s.db, nodes, a.range, a.tableRows ?? 0);
      s.db.exec('SAVEPOINT cm_chart_preview');
      try {
        return await readModelChartsFromDb(s.db, nodes, a.range, a.tableRows ?? 0, { fromSavedSql: project, beforeSql: (sql) => s.load(needsThroughViews(s.db, sql)) });
      } finally {
        s.db.exec('ROLLBACK TO cm_chart_preview; RELEASE cm_chart_preview');
      }
    }, { needs: {} });
  },

  /** What earlier refreshes remembered (validators, cursors): read before the network phase. */
  refreshBookkeeping: (ctx: OperationContext) => ctx.live.read((s) => readBookkeeping(s), { needs: {} }),

  /** A source's named read of the store (see STORE_READS). */
  refreshRead: (ctx: OperationContext, a: { op: ReadName; args: unknown[] }) => ctx.live.read((s) => applyRead(s, a.op, a.args), { needs: {} }),

  /**
   * Writes a refresh's results in one transaction, one savepoint per artifact: a write that fails
   * rolls back that artifact only and is reported, the others are saved.
   */
  applyRefresh: (ctx: OperationContext, a: { at: string; artifacts: RefreshArtifactWrites[] }) =>
    ctx.live.write((store) => {
      const failures: RefreshWriteFailure[] = [];
      for (const job of a.artifacts) {
        store.db.exec('SAVEPOINT artifact');
        try {
          for (const w of job.writes) applyWrite(store, w);
          for (const v of job.validators) saveValidators(store, v, a.at);
          for (const st of job.states) saveSyncState(store, job.artifact, st.dataset, st.cursor === undefined ? { fetchedAt: a.at } : { cursor: st.cursor, fetchedAt: a.at });
          store.db.exec('RELEASE artifact');
        } catch (err) {
          store.db.exec('ROLLBACK TO artifact');
          store.db.exec('RELEASE artifact');
          failures.push({ artifact: job.artifact, message: (err as Error).message ?? String(err) });
        }
      }
      return { failures };
    }, { needs: refreshNeeds(a.artifacts) }),

  ghArchiveState: (ctx: OperationContext, a: { repos: string[] }) => ctx.live.read((s) => readArchiveState(s, a.repos), { needs: {} }),

  ghArchiveWrite: (ctx: OperationContext, a: { events: EventRow[]; hours: HourRecord[]; now: Date }) => ctx.live.write((s) => writeBatch(s, a.events, a.hours, a.now), { needs: archiveWriteNeeds([...a.hours.map((h) => h.hour), ...a.events.map((e) => e.hour)]) }),

  /**
   * A whole GH Archive import where the store is: download, decompress, parse and filter run in the
   * worker too (seconds of CPU per hour that must not run on the extension host's thread). Progress
   * values are GhArchiveProgress.
   */
  importGhArchive: (ctx: OperationContext, a: Omit<GhArchiveImportOptions, 'store' | 'SQL' | 'storeFile' | 'logger' | 'signal' | 'onProgress' | 'now'>) =>
    importGhArchive({ ...a, store: ctx.local, logger: ctx.logger, signal: ctx.signal, onProgress: (p) => ctx.progress(p) }),

  /** What a GH Archive import via ClickHouse needs before asking: imported hours, the names each tracked repository had. */
  clickHouseArchiveState: (ctx: OperationContext, a: { repos: string[] }) =>
    ctx.live.read((s) => ({ state: readArchiveState(s, a.repos), names: knownRepoNames(s, a.repos) }), { needs: {} }),

  /** One ClickHouse chunk (events, daily counts, hours), stored whole. */
  clickHouseArchiveWrite: (ctx: OperationContext, a: ChunkWrite) => ctx.live.write((s) => writeClickHouseChunk(s, a), { needs: archiveWriteNeeds([...a.importedHours, ...a.missingHours, ...a.events.map((e) => e.hour)]) }),

  /** The last stored ClickPy day per package and dimension. */
  pypiHistoryLatest: (ctx: OperationContext, a: { packages: string[] }) => ctx.live.read((s) => latestHistoryDays(s, a.packages), { needs: {} }),

  /** Per package, the share of installers over the last 30 days and version adoption by year (CLI `pypi history`). */
  pypiHistorySummary: (ctx: OperationContext, a: { packages: string[] }) =>
    ctx.live.read((s) => a.packages.map((pkg) => ({ package: pkg, share: installerShare(s, pkg), years: versionAdoptionByYear(s, pkg) })), { needs: {} }),

  /** Which days each kept series was observed on, and its gaps (CLI `coverage`). */
  coverage: (ctx: OperationContext, a: { config: ProjectConfig; now: Date }) => ctx.live.read((s) => storeCoverage(s, a.config, a.now), { needs: {} }),

  /** One package's ClickPy history, stored whole. */
  pypiHistoryWrite: (ctx: OperationContext, a: { rows: PypiHistoryRow[]; source: string; now: Date }) => ctx.live.write((s) => upsertPypiHistory(s, a.rows, a.source, a.now), { needs: {} }),

  /**
   * A whole GH Archive import via ClickHouse where the store is: the answers (up to 256 MiB of JSON
   * per query) are parsed in the worker, not on the extension host's thread. Progress values are
   * ClickHouseArchiveProgress. The HTTP client is made here, for ClickHouse only (no GitHub token).
   */
  importGhArchiveViaClickHouse: async (
    ctx: OperationContext,
    a: Omit<ClickHouseArchiveOptions, 'store' | 'SQL' | 'storeFile' | 'logger' | 'http' | 'signal' | 'onProgress' | 'now'> & { userAgent: string; timeoutMs: number },
  ) => {
    const { userAgent, ...options } = a;
    const http = clickHouseHttpClient(ctx.logger, a.timeoutMs, userAgent);
    try {
      return await importGhArchiveViaClickHouse({ ...options, store: ctx.local, http, logger: ctx.logger, signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
    } finally {
      await http.close().catch(() => undefined);
    }
  },

  /** A whole ClickPy history import where the store is (see importGhArchiveViaClickHouse). */
  importPypiHistory: async (
    ctx: OperationContext,
    a: Omit<PypiHistoryOptions, 'store' | 'SQL' | 'storeFile' | 'logger' | 'http' | 'signal' | 'onProgress' | 'now'> & { userAgent: string; timeoutMs: number },
  ) => {
    const { userAgent, ...options } = a;
    const http = clickHouseHttpClient(ctx.logger, a.timeoutMs, userAgent);
    try {
      return await importPypiHistory({ ...options, store: ctx.local, http, logger: ctx.logger, signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
    } finally {
      await http.close().catch(() => undefined);
    }
  },
};

/**
 * The partitioned rows a refresh's writes read as they write (upserts that keep stored values, the
 * first responses computed from stored comments). Other writes to partitioned tables are inserts or
 * whole-row upserts: the months they touch are merged with their files when saved (partitions.ts).
 */
function refreshNeeds(artifacts: readonly RefreshArtifactWrites[]): Needs {
  let needs: Needs = {};
  for (const job of artifacts) for (const w of job.writes) needs = mergeNeeds(needs, WRITE_NEEDS[w.op] ?? {});
  return needs;
}

/** An HTTP client for ClickHouse only: no GitHub token is given to it. */
function clickHouseHttpClient(logger: Logger, timeoutMs: number, userAgent: string): HttpClient {
  return new HttpClient({ githubApiUrl: 'https://api.github.com', timeoutMs, logger, connectionsPerOrigin: 1, maxBodyBytes: CLICKHOUSE_MAX_ANSWER_BYTES, userAgent });
}

export type StoreOperations = typeof STORE_OPERATIONS;
export type OperationName = keyof StoreOperations;
type ArgOf<F> = F extends (ctx: OperationContext, a: infer A) => unknown ? A : undefined;
export type OperationArgs<K extends OperationName> = ArgOf<StoreOperations[K]>;
export type OperationResult<K extends OperationName> = Awaited<ReturnType<StoreOperations[K]>>;
