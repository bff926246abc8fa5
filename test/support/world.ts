import { parseProjectConfig } from '../../src/core/config/projectConfig';
import type { ProjectConfig } from '../../src/core/config/projectConfig';
import type { SourceEndpoints } from '../../src/core/sources/context';
import { loadDocFixture } from './docFixtures';
import { FakeServer, readFixture } from './fakeServer';
import type { Exchange, RecordedRequest } from './fakeServer';

/**
 * One fake server per service (so that origins differ, as in production), serving the recorded
 * fixtures where they exist and, where none was ever recorded, responses built in the shapes of
 * DOMAIN.md (each such place says so).
 */
export interface World {
  github: FakeServer;
  pypistats: FakeServer;
  pepy: FakeServer;
  npm: FakeServer;
  dockerhub: FakeServer;
  slack: FakeServer;
  /** A server of another origin, for redirects. */
  elsewhere: FakeServer;
  endpoints: SourceEndpoints;
  config: ProjectConfig;
  configText: string;
  close(): Promise<void>;
}

export const WORLD_NOW = new Date('2026-11-23T12:00:00Z');

export const WORLD_CONFIG = `projects:
  - name: pygithub
    github: [PyGithub/PyGithub]
    pypi:
      - url: https://pypi.org/project/pip
  - name: tools
    npm: [https://www.npmjs.com/package/left-pad]
    docker: [https://hub.docker.com/r/grimoirelab/perceval]
    slack:
      - domain: perceval-test
`;

/**
 * The path each source's artifact asks first on a refresh after the initial one at WORLD_NOW, for
 * fault injection (npm then re-reads the last two days: 2026-11-20..22).
 */
export const PRIMARY_PATHS = {
  github: '/repos/PyGithub/PyGithub',
  pypi: '/api/packages/pip/recent',
  npm: '/downloads/range/2026-11-20:2026-11-22/left-pad',
  docker: '/v2/repositories/grimoirelab/perceval',
  slack: '/api/conversations.history',
} as const;

export const ARTIFACTS = {
  github: 'github:PyGithub/PyGithub',
  pypi: 'pypi:pip',
  npm: 'npm:left-pad',
  docker: 'docker:grimoirelab/perceval',
  slack: 'slack:perceval-test',
} as const;

/** Drops the `Link` of the last exchange: the recording stops there, so must the pagination. */
function endPagination(exchanges: Exchange[]): Exchange[] {
  const last = exchanges.at(-1);
  if (last?.response.headers) delete last.response.headers.link;
  return exchanges;
}

export function loadGitHub(server: FakeServer): void {
  server.loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
  // Issues: the recorded first page (the README: no state=all recording exists, so any query matches).
  const issues = readFixture('github/pygithub/issues-list.PyGithub-PyGithub.page1.json');
  for (const e of endPagination(issues)) server.add({ ...e, request: { ...e.request, ignoreQuery: true } });
  // Commits: three recorded pages with SHA-cursor Links; the first request carries per_page, so any query.
  const commits = endPagination(readFixture('github/pygithub/Repository.testGetCommits.json'));
  commits.forEach((e, i) => server.add(i === 0 ? { ...e, request: { ...e.request, ignoreQuery: true } } : e));
  // Contributors: the recorded 202 then 200.
  server.loadFixture('github/pygithub/Repository.testStatisticsContributors.json');
  // Star history: no recording exists (the endpoint is from 2026-09); built in DOMAIN.md's shape,
  // newest week first, weeks starting at UTC midnight on Sundays.
  server.json('/repos/PyGithub/PyGithub/stargazers/history', [
    { week: 1763251200, total: 12, days: [1, 2, 3, 0, 2, 4, 0] },
    { week: 1762646400, total: 5, days: [0, 1, 1, 1, 1, 1, 0] },
  ], 200, { etag: 'W/"history-1"' });
  // Issue comments: no recording of the repository-wide listing; built in the REST shape. On issue
  // 3053 (opened by its author), a bot answers first, then the author, then another person.
  const issue = (issues[0]?.response.body as { number: number; user: { login: string } }[])[0] as { number: number; user: { login: string } };
  server.json('/repos/PyGithub/PyGithub/issues/comments', [
    { id: 9001, issue_url: `https://api.github.com/repos/PyGithub/PyGithub/issues/${issue.number}`, user: { login: 'codecov[bot]', type: 'Bot' }, created_at: '2024-09-17T10:00:00Z', updated_at: '2024-09-17T10:00:00Z' },
    { id: 9002, issue_url: `https://api.github.com/repos/PyGithub/PyGithub/issues/${issue.number}`, user: { login: issue.user.login, type: 'User' }, created_at: '2024-09-17T11:00:00Z', updated_at: '2024-09-17T11:00:00Z' },
    { id: 9003, issue_url: `https://api.github.com/repos/PyGithub/PyGithub/issues/${issue.number}`, user: { login: 'EnricoMi', type: 'User' }, created_at: '2024-09-17T12:00:00Z', updated_at: '2024-09-17T12:00:00Z' },
  ], 200, { etag: 'W/"comments-1"' });
  // Releases: the octokit recording of one release and its asset, as the list endpoint returns them.
  const releaseScenario = readFixture('github/octokit/release-assets.json');
  const release = releaseScenario.find((e) => e.request.path.endsWith('/releases/tags/v1.0.0'))?.response.body as Record<string, unknown>;
  const assets = releaseScenario.find((e) => e.request.path.endsWith('/releases/1000/assets') && e.request.method === 'GET')?.response.body as unknown[];
  server.json('/repos/PyGithub/PyGithub/releases', [{ ...release, assets }], 200, { etag: '"releases-1"' });
  // Traffic: the token cannot push to PyGithub, so GitHub refuses (built from the docs, test/fixtures/upstream-docs).
  loadDocFixture(server, 'github-traffic.no-push-access.json', (e) => ({ ...e, request: { ...e.request, path: '/repos/PyGithub/PyGithub/traffic/views' } }));
}

export function loadPypi(server: FakeServer): void {
  for (const f of ['recent', 'overall', 'python_major', 'python_minor']) server.loadFixture(`pypi/recorded-hugovk/pip.${f}.json`);
  // /system: only the documentation example exists (package_name, lower-case categories); served for pip.
  server.loadFixture('pypi/docs-example/system.json', (e) => ({ ...e, request: { ...e.request, path: '/api/packages/pip/system' } }));
}

export function loadPepy(server: FakeServer): void {
  // No recording: built in the shape DOMAIN.md gives for GET /api/v2/projects/{project}.
  server.json('/api/v2/projects/pip', {
    id: 'pip',
    total_downloads: 1000,
    versions: ['24.0', '24.1'],
    downloads: { '2026-11-21': { '24.0': 10, '24.1': 20 }, '2026-11-22': { '24.0': 5, '24.1': 30 } },
  });
}

/** npm: no recording; built in the shapes of DOMAIN.md. Each day's count is its day of the month. */
export function loadNpm(server: FakeServer, created = '2026-01-15T10:00:00.000Z'): void {
  server.json('/left-pad', { name: 'left-pad', time: { created, modified: '2026-11-01T00:00:00.000Z' } });
  server.respondWith(/^\/downloads\/range\/\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}\/left-pad$/, (req: RecordedRequest) => {
    const [start, end] = (/range\/([\d-]+):([\d-]+)\//.exec(req.path) ?? []).slice(1) as [string, string];
    const downloads = [];
    for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      downloads.push({ day, downloads: Number(day.slice(8, 10)) });
    }
    return { status: 200, headers: {}, body: { downloads, start, end, package: 'left-pad' } };
  });
  // Per-version counts of the last 7 days: built in the documented shape (test/fixtures/upstream-docs).
  loadDocFixture(server, 'npm-versions.unscoped.json', (e) => ({
    request: { ...e.request, path: '/versions/left-pad/last-week' },
    response: { ...e.response, body: { package: 'left-pad', downloads: { '1.1.3': 800, '1.3.0': 3200 } } },
  }));
}

export function loadDockerHub(server: FakeServer): void {
  server.loadFixture('dockerhub/grimoirelab-perceval.json');
}

/**
 * Slack: the perceval recordings for history pages and users; conversations.list was never recorded
 * and is built in the Web API's shape. History is served by cursor: the first recorded page, then the
 * recorded "next" page.
 */
export function loadSlack(server: FakeServer): void {
  server.json('/api/conversations.list', {
    ok: true,
    channels: [{ id: 'C011DUKE8', name: 'test channel', is_archived: false }],
    response_metadata: { next_cursor: '' },
  });
  const first = readFixture('slack/slack_history.json')[0]?.response.body as Record<string, unknown>;
  const next = readFixture('slack/slack_history_next.json')[0]?.response.body as Record<string, unknown>;
  server.respondWith('/api/conversations.history', (req) => {
    if (req.query.oldest) return { status: 200, headers: {}, body: { ok: true, messages: [], has_more: false, response_metadata: { next_cursor: '' } } };
    return req.query.cursor === 'page2'
      ? { status: 200, headers: {}, body: { ...next, response_metadata: { next_cursor: '' } } }
      : { status: 200, headers: {}, body: { ...first, response_metadata: { next_cursor: 'page2' } } };
  });
  for (const u of ['U0001', 'U0002', 'U0003', 'U0004_private']) server.loadFixture(`slack/slack_user_${u}.json`);
}

export async function startWorld(): Promise<World> {
  const [github, pypistats, pepy, npm, dockerhub, slack, elsewhere] = await Promise.all(Array.from({ length: 7 }, () => FakeServer.start()));
  const servers = [github, pypistats, pepy, npm, dockerhub, slack, elsewhere] as FakeServer[];
  loadGitHub(github as FakeServer);
  loadPypi(pypistats as FakeServer);
  loadPepy(pepy as FakeServer);
  loadNpm(npm as FakeServer);
  loadDockerHub(dockerhub as FakeServer);
  loadSlack(slack as FakeServer);
  const endpoints: SourceEndpoints = {
    githubApiUrl: (github as FakeServer).url,
    pypistatsUrl: (pypistats as FakeServer).url,
    pepyUrl: (pepy as FakeServer).url,
    npmApiUrl: (npm as FakeServer).url,
    npmRegistryUrl: (npm as FakeServer).url,
    dockerhubUrl: (dockerhub as FakeServer).url,
    slackApiUrl: `${(slack as FakeServer).url}/api`,
  };
  const { config, problems } = parseProjectConfig(WORLD_CONFIG);
  if (problems.length > 0) throw new Error(`world config: ${problems.map((p) => p.message).join('; ')}`);
  return {
    github: github as FakeServer,
    pypistats: pypistats as FakeServer,
    pepy: pepy as FakeServer,
    npm: npm as FakeServer,
    dockerhub: dockerhub as FakeServer,
    slack: slack as FakeServer,
    elsewhere: elsewhere as FakeServer,
    endpoints,
    config,
    configText: WORLD_CONFIG,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** The server that plays a source. */
export function serverOf(world: World, source: keyof typeof PRIMARY_PATHS): FakeServer {
  return { github: world.github, pypi: world.pypistats, npm: world.npm, docker: world.dockerhub, slack: world.slack }[source];
}
