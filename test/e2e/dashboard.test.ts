import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Frame } from 'playwright-core';
import { upsertCommits, upsertIssues } from '../../src/core/store/githubRows';
import { insertDockerHubSnapshot, upsertNpmDaily, upsertPypiDaily, upsertPypiVersionDaily } from '../../src/core/store/packageRows';
import { upsertSlackMessages } from '../../src/core/store/slackRows';
import type { SlackMessageRow } from '../../src/core/store/slackRows';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { MetricsStore } from '../../src/core/store/store';
import { reloadWindow, runCommand } from '../harness/browser';
import { fixturePath, repoRoot } from '../support/fixtures';
import { answerSaveDialog, frameOpenedBy, frameWith, waitFor } from './chartSteps';
import { WorkbenchSession } from './session';
import { shootInThemes } from './themeScreens';

/** A Slack member's real name is text from the network: it must show as text, never as markup. */
const PAYLOAD = '<img src=x onerror="document.body.dataset.pwned=1">';
const FIRST = '2021-03-01';
const LAST = '2021-09-30';
const RANGE = { from: '2021-06-01', to: '2021-07-31' };

const CONFIG = `projects:
  - name: acme
    github: [acme/widgets]
    npm: [left-pad]
    docker: [ns/img]
    pypi:
      - name: marquez-airflow
        marked_version: '0.4.0'
      - openlineage-airflow
    slack:
      - domain: acme
`;

const DBT_PROJECT = `name: dashboard_e2e
version: '1.0.0'
config-version: 2
model-paths: ["models"]
seed-paths: ["seeds"]
models:
  dashboard_e2e:
    +materialized: table
`;

/** A chart declared in the model's config. */
const SLACK_DAILY = `{{ config(meta={'chart': {'mark': 'line', 'x': 'day', 'y': 'messages', 'color': 'domain', 'title': 'Slack messages per day (history)'}}) }}
select day, domain, messages from {{ ref('slack_daily_summary_history') }}
`;
/** A chart in a .vl.json beside the model. */
const STAR_HISTORY = `select day, project, max(stars) as stars from {{ ref('github_daily_summary_history') }} group by day, project
`;
const STAR_HISTORY_VL = { title: 'Stars (history)', mark: 'line', encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'stars', type: 'quantitative' }, color: { field: 'project', type: 'nominal' } } };
/** No chart declared: not on the dashboard. */
const UNCHARTED = `select count(*) as n from {{ ref('slack_daily_summary_history') }}
`;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
const weekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());

/** Slack messages: twelve members through May; from July on, one member (named with markup) writes most. */
function slackMessages(): SlackMessageRow[] {
  const rows: SlackMessageRow[] = [];
  const msg = (day: string, n: number, username: string, realname: string | null): SlackMessageRow => ({
    messageTime: `${day}T10:00:${String(n).padStart(2, '0')}.000000Z`, domain: 'acme', username, realname, email: null, channel: 'general', permalink: null, text: `hello ${n}`,
  });
  for (const day of days(FIRST, '2021-05-31')) for (let u = 1; u <= 12; u++) rows.push(msg(day, u, `member${u}`, `Member ${u}`));
  days('2021-07-03', LAST).forEach((day, i) => {
    rows.push(msg(day, 1, 'ann', PAYLOAD), msg(day, 2, 'ann', PAYLOAD));
    if (i % 4 === 0) rows.push(msg(day, 3, 'bob', 'Bob'));
  });
  return rows;
}

/** The store as refreshes would have left it, from March to September 2021. */
async function seedStore(workspace: string): Promise<void> {
  const file = path.join(workspace, '.community-metrics', 'metrics.sqlite');
  await mkdir(path.dirname(file), { recursive: true });
  const store = MetricsStore.create(await loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm')), file);
  const all = days(FIRST, LAST);
  // npm: 6,000 downloads every week (weekends lower), then 300 a day in the last 7 days.
  upsertNpmDaily(store, all.map((d, i) => ({ date: d, package: 'left-pad', downloads: i >= all.length - 7 ? 300 : weekend(d) ? 500 : 1000 })));
  all.forEach((d, i) => insertDockerHubSnapshot(store, { timestamp: `${d}T06:00:00Z`, image: 'ns/img', pullCount: 10_000 + 100 * i, starCount: 3, lastUpdated: null }));
  upsertPypiDaily(store, all.flatMap((d, i) => [
    { date: d, package: 'marquez-airflow', categoryType: 'overall' as const, category: 'without_mirrors', downloads: 200 },
    { date: d, package: 'openlineage-airflow', categoryType: 'overall' as const, category: 'without_mirrors', downloads: 100 + i },
  ]));
  upsertPypiVersionDaily(store, all.flatMap((d) => [
    { date: d, package: 'marquez-airflow', version: '0.3.9', downloads: 700 },
    { date: d, package: 'marquez-airflow', version: '0.4.0', downloads: 300 },
    { date: d, package: 'openlineage-airflow', version: '1.0.0', downloads: 150 },
  ]));
  upsertSlackMessages(store, slackMessages());
  upsertIssues(store, all.map((d, i) => ({
    repo: 'acme/widgets', number: i + 1, isPullRequest: i % 3 === 0, author: `user${i % 4}`, authorIsBot: false, title: `issue ${i + 1}`, state: addDays(d, 3) <= LAST ? 'closed' : 'open',
    labels: [], comments: 0, createdAt: `${d}T09:00:00Z`, updatedAt: `${d}T09:00:00Z`, closedAt: addDays(d, 3) <= LAST ? `${addDays(d, 3)}T09:00:00Z` : null, mergedAt: null,
  })));
  upsertCommits(store, all.map((d, i) => ({
    repo: 'acme/widgets', sha: `sha${i}`, authorLogin: d < '2021-06-01' ? `dev${i % 5}` : `dev${i % 3}`, authorName: null, authorEmail: null, authorDate: `${d}T12:00:00Z`, committerLogin: null, committerName: null, committerDate: null,
  })));
  await store.save();
  store.close();
}

/** The models project, built on that store by the command-line tool, as a cron job would. */
async function writeAndBuildModels(workspace: string): Promise<void> {
  await writeFile(path.join(workspace, 'dbt_project.yml'), DBT_PROJECT);
  await mkdir(path.join(workspace, 'models'), { recursive: true });
  await mkdir(path.join(workspace, 'seeds'), { recursive: true });
  await copyFile(fixturePath('dbt/slack_daily_summary_history.csv'), path.join(workspace, 'seeds', 'slack_daily_summary_history.csv'));
  await copyFile(fixturePath('dbt/github_daily_summary_history.csv'), path.join(workspace, 'seeds', 'github_daily_summary_history.csv'));
  await writeFile(path.join(workspace, 'models', 'slack_daily.sql'), SLACK_DAILY);
  await writeFile(path.join(workspace, 'models', 'star_history.sql'), STAR_HISTORY);
  await writeFile(path.join(workspace, 'models', 'star_history.vl.json'), JSON.stringify(STAR_HISTORY_VL, null, 2));
  await writeFile(path.join(workspace, 'models', 'uncharted.sql'), UNCHARTED);
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'build', '--workspace', workspace]);
}

/** Rows of a real seed CSV (OpenLineage/metrics), as `day|key` → value, the last value of a day kept as the max. */
function seedRows(file: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of readFileSync(fixturePath(file), 'utf8').trim().split('\n').slice(1)) {
    const [day, key, value] = line.trim().split(',') as [string, string, string];
    rows.set(`${day}|${key}`, Math.max(rows.get(`${day}|${key}`) ?? -Infinity, Number(value)));
  }
  return rows;
}
const inRange = (rows: Map<string, number>, r: { from?: string; to?: string }) => [...rows.keys()].filter((k) => (!r.from || k >= r.from) && (!r.to || k.slice(0, 10) <= r.to)).length;

/** Each chart card of the dashboard: its title and how many rows it draws. */
async function cards(frame: Frame): Promise<Map<string, number>> {
  const list = await frame.locator('section.chart-card').evaluateAll((sections) =>
    sections.map((s) => [s.querySelector('.chart-title')?.textContent ?? '', Number(s.querySelector('.chart-area')?.getAttribute('data-points') ?? -1)] as const));
  return new Map(list);
}

/** The seed views, by question: usage (downloads, versions, pulls), then community health. */
const SEED_VIEWS = [
  'acme: share of downloads by package (migration)',
  'marquez-airflow: downloads per week',
  'marquez-airflow: downloads by version, monthly shares',
  'marquez-airflow: % change of downloads, month on month',
  'openlineage-airflow: downloads per week',
  'openlineage-airflow: downloads by version, monthly shares',
  'openlineage-airflow: % change of downloads, month on month',
  'left-pad: downloads per week',
  'left-pad: % change of downloads, month on month',
  'ns/img: pulls per week (from cumulative snapshots)',
  'acme/widgets: issues and PRs opened vs closed per week',
  'acme/widgets: mean days to close, by month closed',
  'acme/widgets: issues and PRs opened, cumulative over the last 7 days',
  'acme/widgets: most active commit authors',
  'acme: most active members',
];
const DECLARED = ['Slack messages per day (history)', 'Stars (history)'];

describe('dashboard and insights, as a person uses them (code-server + Chromium)', function () {
  let session: WorkbenchSession;
  let frame: Frame;
  let allData: Map<string, number>;
  const slackHistory = seedRows('dbt/slack_daily_summary_history.csv');
  const starHistory = seedRows('dbt/github_daily_summary_history.csv');

  before(async function () {
    session = await WorkbenchSession.start('dashboard', CONFIG, async (workspace) => {
      await seedStore(workspace);
      await writeAndBuildModels(workspace);
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(`      screenshot: ${await session.screenshot(`dashboard ${this.currentTest.title}`)}`);
  });

  after(async function () {
    await session?.stop();
  });

  it('Open Dashboard shows every declared model chart and the seed views, and the insights', async () => {
    const page = session.page;
    await (await session.projectsTree()).getByText('left-pad').waitFor({ timeout: 60_000 });
    await runCommand(page, 'Community Metrics: Open Dashboard');
    frame = await frameWith(page, '#range');
    allData = await waitFor(page, () => cards(frame), (c) => c.size === DECLARED.length + SEED_VIEWS.length && [...c.values()].every((n) => n > 0), 'every chart drawn', 60_000);
    assert.deepEqual([...allData.keys()].sort(), [...DECLARED, ...SEED_VIEWS].sort());
    assert.equal(allData.get('Slack messages per day (history)'), slackHistory.size);
    assert.equal(allData.get('Stars (history)'), starHistory.size);
    // The seed's star_history.vl.json (a line per project over days): never more vertices per line
    // than 4 per pixel column of its plot; what was left out is said in its summary.
    const stars = frame.locator('section.chart-card', { hasText: 'Stars (history)' });
    const lines = await stars.locator('.chart-area svg .mark-line.role-mark path').evaluateAll((paths) => paths.map((p) => {
      const xs = [...(p.getAttribute('d') ?? '').matchAll(/[ML]([-\d.]+),/g)].map((m) => Number(m[1]));
      return { vertices: xs.length, width: xs.length ? Math.max(...xs) - Math.min(...xs) + 1 : 0 };
    }));
    assert.equal(lines.length, 2);
    const plot = Math.max(...lines.map((l) => l.width));
    for (const l of lines) assert.ok(l.vertices <= 4 * plot, `${l.vertices} vertices in a ${plot} px plot`);
    const drawn = Number(await stars.locator('.chart-area').getAttribute('data-drawn'));
    assert.equal(drawn, lines.reduce((a, l) => a + l.vertices, 0));
    // The .vl.json says nothing of its time axis: it gets the one of every chart (one label format,
    // with years, as the range crosses years), and its legend names the projects whole.
    const starLabels = await stars.locator('.chart-area svg .role-axis-label text').allTextContents();
    const dates = starLabels.filter((l) => !/^[\d,.]+k?$/.test(l));
    assert.ok(dates.length >= 3 && dates.every((l) => /^[A-Z][a-z]{2} \d{4}$/.test(l)), dates.join(' | '));
    assert.deepEqual(await stars.locator('.chart-area svg .role-legend-label text').allTextContents(), ['MarquezProject/marquez', 'OpenLineage/OpenLineage']);
    if (drawn < starHistory.size) assert.match((await stars.locator('.chart-summary').textContent()) ?? '', new RegExp(`highest value per pixel column \\(${drawn.toLocaleString('en-US')} of ${starHistory.size.toLocaleString('en-US')} rows`));
    assert.equal(await frame.locator('.chart-area svg').count(), allData.size, 'each chart is drawn as SVG');
    // Top-down: the project, its headline figures, then its charts by question, each with a takeaway.
    assert.deepEqual(await frame.locator('.project .project-title').allTextContents(), ['acme']);
    const figures = await frame.locator('.project .figure').evaluateAll((els) => els.map((e) => [e.querySelector('.figure-label')?.textContent, e.querySelector('.figure-value')?.textContent]));
    assert.deepEqual(figures.map((f) => f[0]), ['Downloads per week', 'Open issues and PRs', 'Active contributors']);
    assert.deepEqual(figures.slice(1), [['Open issues and PRs', '3'], ['Active contributors', '3']]);
    assert.deepEqual(await frame.locator('.project .group-title').allTextContents(), ['Usage', 'Community health']);
    const seedTitles = await frame.locator('.project section.chart-card .chart-title').allTextContents();
    assert.deepEqual(seedTitles, SEED_VIEWS, 'the seed views in the order of the questions');
    const takeaways = await frame.locator('.project section.chart-card .chart-takeaway').allTextContents();
    assert.equal(takeaways.length, SEED_VIEWS.length);
    assert.ok(takeaways.every((t) => t.length > 10 && t.length < 200), takeaways.join(' | '));
    assert.ok(takeaways.includes('2,100 downloads in the week of 2021-09-20, -65% on the week before.') || takeaways.some((t) => /^[\d,]+ downloads in the week of 2021-09-2\d/.test(t)), takeaways.join(' | '));
    assert.equal(await frame.locator('details.export-menu').count(), allData.size, 'one export menu per chart');
    // The text summary of each chart, for screen readers.
    assert.match((await frame.locator('section.chart-card', { hasText: 'Slack messages per day' }).locator('.chart-summary').textContent()) ?? '', /messages by day, one series per domain \(2 series, 316 points, from 2021-04-02 to 2021-09-06\)/);

    const insights = await frame.locator('.project ul.insights li strong').allTextContents();
    assert.deepEqual(insights.sort(), [
      `acme: ${PAYLOAD} accounts for 89% of recent messages`,
      'left-pad: Downloads dropped 65% in the last 7 days',
      'marquez-airflow: 70% of downloads are of versions older than 0.4.0',
    ].sort());
    const drop = frame.locator('ul.insights li', { hasText: 'Downloads dropped' });
    assert.match((await drop.locator('p').textContent()) ?? '', /^left-pad: 2,100 downloads in the 7 days to 2021-09-30, against a usual 6,000 \(median of the 7-day totals of the weeks before; normal range /);

    const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
  });

  /**
   * What the dashboard must show in every theme (test-results/screens/dashboard-*.png): the project's
   * name and headline figures first, then "Usage" with its cards (two abreast when the panel is wide
   * enough for both, else one per row), each card's title, its
   * one-line takeaway and one Export menu; time axes with years; series colours readable (≥ 3:1);
   * gridlines quiet behind them (≤ 2:1 on the background, in high contrast too, checked); y labels
   * about every 60 px. Third screen (dashboard-*-models.png), "Charts of your models": the Slack chart
   * declared in meta.chart and the seed's Stars (history) .vl.json, each with its legend whole, the
   * Stars axis "Jan 2019 … Jul 2021" in one format, counts from 0, no note of left-out rows (about 2
   * rows a series per pixel column: every row drawn).
   */
  it('looks right in dark, light and high-contrast themes (screenshots in test-results/screens)', async () => {
    const files = await shootInThemes(session.page, 'dashboard', async () => {
      await waitFor(session.page, () => cards(frame), (c) => c.size === DECLARED.length + SEED_VIEWS.length && [...c.values()].every((n) => n > 0), 'every chart drawn', 60_000);
      return frame;
    }, [{ selector: '.project .group-title', name: 'charts' }, { selector: 'h2.models-title', name: 'models' }]);
    assert.equal(files.length, 9);
  });

  it('a member name carrying HTML renders as plain text', async () => {
    assert.equal(await frame.locator('body img').count(), 0, 'no element was made from the name');
    assert.ok(((await frame.locator('.project ul.insights').textContent()) ?? '').includes(PAYLOAD));
    assert.equal(await frame.evaluate('document.body.dataset.pwned ?? "no"'), 'no');
  });

  it('one date range changes the point count of every chart', async () => {
    const page = session.page;
    await frame.locator('#range input[name="from"]').fill(RANGE.from);
    await frame.locator('#range input[name="to"]').fill(RANGE.to);
    const ranged = await waitFor(page, () => cards(frame), (c) => c.get('Stars (history)') === inRange(starHistory, RANGE), 'the declared charts in the range', 60_000);
    assert.equal(ranged.get('Slack messages per day (history)'), inRange(slackHistory, RANGE));
    const seven = 'acme/widgets: issues and PRs opened, cumulative over the last 7 days';
    for (const [title, n] of allData) if (title !== seven) assert.notEqual(ranged.get(title), n, `${title}: ${n} points before, ${ranged.get(title)} in the range`);
    // Always 7 days: the range moves them to its end.
    const summary = (await frame.locator('section.chart-card', { hasText: seven }).locator('.chart-summary').textContent()) ?? '';
    assert.match(summary, new RegExp(`: 7 issues and PRs opened in the 7 days to ${RANGE.to}\\.$`));
    assert.equal(ranged.get('acme: most active members'), 2, 'only ann and bob wrote from June to July');
  });

  it('clicking an insight opens the metric chart it talks about', async () => {
    const page = session.page;
    const chart = await frameOpenedBy(page, '#controls select[name="grain"]', () => frame.locator('ul.insights li', { hasText: 'Downloads dropped' }).locator('button').click());
    const legend = await waitFor(page, async () => JSON.parse((await chart.locator('#chart').getAttribute('data-series')) ?? '[]') as string[], (l) => l.length === 1, 'the metric chart series');
    assert.match(legend[0] ?? '', /^left-pad: downloads per day/);
    assert.equal(await chart.locator('select[name="grain"]').inputValue(), 'day');
  });

  it('the tree shows the flags under their artifacts, and a flag opens its chart', async () => {
    const page = session.page;
    const tree = await session.projectsTree();
    const rows = tree.locator('.monaco-list-row');
    await rows.filter({ hasText: 'Downloads dropped 65% in the last 7 days' }).first().waitFor({ timeout: 30_000 });
    const labels = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('aria-level'), e.textContent ?? ''] as const));
    /** The row a flag hangs from: the nearest row above it one level up. */
    const under = (flag: string, artifact: string) => {
      const i = labels.findIndex(([, t]) => t.includes(flag));
      assert.ok(i >= 0, `${flag} is in the tree: ${labels.map(([, t]) => t).join(' | ')}`);
      const level = Number(labels[i]?.[0]);
      let p = i - 1;
      while (p >= 0 && Number(labels[p]?.[0]) !== level - 1) p--;
      assert.ok((labels[p]?.[1] ?? '').startsWith(artifact), `${flag} hangs from ${labels[p]?.[1]}, not ${artifact}`);
    };
    under('Downloads dropped 65% in the last 7 days', 'left-pad');
    under('70% of downloads are of versions older than 0.4.0', 'marquez-airflow');
    under(`${PAYLOAD} accounts for 89% of recent messages`, 'acme');
    assert.equal(await tree.locator('img[src="x"]').count(), 0);
    // A new panel, while the left-pad chart of the test before is still open (and then disposed).
    const chart = await frameOpenedBy(page, '#controls select[name="grain"]', () => rows.filter({ hasText: 'accounts for 89% of recent messages' }).first().click());
    await waitFor(page, async () => JSON.parse((await chart.locator('#chart').getAttribute('data-series')) ?? '[]') as string[], (l) => l.length === 1 && /^acme: /.test(l[0] ?? ''), 'the Slack messages chart');
  });

  it('Export PNG writes a PNG image', async () => {
    await runCommand(session.page, 'Community Metrics: Open Dashboard');
    frame = await frameWith(session.page, '#range');
    const card = frame.locator('section.chart-card', { hasText: 'Slack messages per day' });
    await card.locator('details.export-menu summary').click();
    await card.locator('button[data-export="png"]').click();
    const file = path.join(session.workspace, 'slack-messages.png');
    await answerSaveDialog(session.page, file);
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.length > 2000, `${png.length} bytes`);
  });

  it('after Developer: Reload Window the dashboard comes back with its date range', async () => {
    const page = session.page;
    await reloadWindow(page);
    frame = await frameWith(page, '#range', 90_000);
    await waitFor(page, () => frame.locator('#range input[name="from"]').inputValue(), (v) => v === RANGE.from, 'the restored start');
    assert.equal(await frame.locator('#range input[name="to"]').inputValue(), RANGE.to);
    await waitFor(page, () => cards(frame), (c) => c.get('Stars (history)') === inRange(starHistory, RANGE), 'the restored charts', 60_000);
  });
});
