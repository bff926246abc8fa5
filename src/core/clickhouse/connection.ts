/**
 * Where a ClickHouse query goes. Two public services hold the data sets this project reads, both over
 * ClickHouse's HTTP interface without a key, with quotas and no SLA; a team's own cluster holding the
 * same tables replaces either one by changing these settings (machine scope, so a workspace cannot
 * redirect the password with them).
 */
export interface ClickHouseConnection {
  /** scheme://host[:port] of the HTTP interface (8123 / 8443 on a self-hosted server). */
  url: string;
  user: string;
  /** The database holding the tables (`github` for github_events, `pypi` for ClickPy's). */
  database: string;
  /** Sent to the origin of `url` only; from secret storage (editor) or an environment variable (CLI). */
  password?: string;
}

/** All of GH Archive as one table, `github.github_events`, kept current by ClickHouse. */
export const GITHUB_EVENTS_DEFAULTS: Readonly<ClickHouseConnection> = {
  url: 'https://sql-clickhouse.clickhouse.com',
  user: 'demo',
  database: 'github',
};

/** ClickPy: PyPI downloads per day since 2016, aggregated from the BigQuery PyPI data set. */
export const CLICKPY_DEFAULTS: Readonly<ClickHouseConnection> = {
  url: 'https://clickpy-clickhouse.clickhouse.com',
  user: 'play',
  database: 'pypi',
};

/**
 * Largest answer read from ClickHouse (the HTTP client's body cap for these clients). A month of a
 * repository with 67 events an hour is about 18 MB of JSONEachRow (bench/RESULTS.md); a larger answer
 * fails with a message to ask fewer days at once.
 */
export const CLICKHOUSE_MAX_ANSWER_BYTES = 256 * 1024 * 1024;

export class ClickHouseSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClickHouseSettingsError';
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Checks a connection before any request: an http(s) URL without a path, and plain identifiers. */
export function checkConnection(c: ClickHouseConnection, what: string): ClickHouseConnection {
  let u: URL;
  try {
    u = new URL(c.url);
  } catch {
    throw new ClickHouseSettingsError(`${what}: '${c.url}' is not a URL (write it as https://host[:port])`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ClickHouseSettingsError(`${what}: '${c.url}' is not an http(s) URL`);
  if (u.username || u.password) throw new ClickHouseSettingsError(`${what}: put the user in its own setting and the password in secret storage, not in the URL`);
  if (!IDENTIFIER.test(c.database)) throw new ClickHouseSettingsError(`${what}: database '${c.database}' is not a plain ClickHouse identifier`);
  if (!c.user || /[\s:]/.test(c.user)) throw new ClickHouseSettingsError(`${what}: user '${c.user}' is empty or holds a space or ':'`);
  return { ...c, url: u.origin };
}
