import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import { SLACK_THREAD_LOOKBACK_SECONDS } from '../../src/core/sources/slack';
import { MetricsStore } from '../../src/core/store/store';
import { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

/** Slack's own example of conversations.replies: the parent "island" and three replies, with a next page. */
const EXAMPLE = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/slack/conversations.replies.example.json'), 'utf8')) as { messages: Array<Record<string, unknown>> };
const [PARENT, ...REPLIES] = EXAMPLE.messages as [Record<string, unknown>, ...Array<Record<string, unknown>>];
const PARENT_TS = PARENT.ts as string;
const LAST_REPLY = REPLIES[REPLIES.length - 1]?.ts as string;
const PLAIN = { type: 'message', user: 'U061F7AUR', text: 'no thread', ts: '1482960000.000100' };
const NEW_REPLY = { type: 'message', user: 'U061F7AUR', text: 'four', thread_ts: PARENT_TS, parent_user_id: 'U061F7AUR', ts: '1483200000.000100' };
const SECRETS = { getGitHubToken: async () => undefined, getPepyKey: async () => undefined, getSlackToken: async () => 'xoxb-threads' };

describe('Slack thread replies through the Web API', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  let parent: Record<string, unknown>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-slack-threads-'));
    server = await FakeServer.start();
    http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', logger: silentLogger, timeoutMs: 1000, retries: 0 });
    // History lists the parent with its reply count and latest reply, as Slack does, never the replies.
    parent = { ...PARENT, reply_count: 3, latest_reply: LAST_REPLY };
    server.json('/api/conversations.list', { ok: true, channels: [{ id: 'C1', name: 'general' }], response_metadata: { next_cursor: '' } });
    server.respondWith('/api/conversations.history', () => ({ status: 200, headers: {}, body: { ok: true, messages: [parent, PLAIN], has_more: false, response_metadata: { next_cursor: '' } } }));
    server.json('/api/users.info', { ok: true, user: { id: 'U061F7AUR', name: 'ann', profile: { real_name: 'Ann' } } });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const refresh = async () => {
    const { config } = parseProjectConfig('projects:\n  - name: s\n    slack: acme\n');
    return refreshAll(config, {
      SQL: await testSql(), http, githubApiUrl: 'https://api.github.invalid', storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger,
      now: () => new Date('2026-11-23T12:00:00Z'), secrets: SECRETS, endpoints: { slackApiUrl: `${server.url}/api` }, workspaceDir: dir,
    });
  };
  const texts = async () => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return store.all<{ text: string }>('SELECT text FROM slack_messages ORDER BY message_time').map((r) => r.text);
    } finally {
      store.close();
    }
  };

  it('stores the replies of each thread, page by page, then only the new replies of a thread that grew', async () => {
    server.respondWith('/api/conversations.replies', (req) => {
      if (req.query.oldest === LAST_REPLY) return { status: 200, headers: {}, body: { ok: true, messages: [PARENT, NEW_REPLY], has_more: false, response_metadata: { next_cursor: '' } } };
      // Slack's example has a next page: the second answers with the parent only.
      return req.query.cursor
        ? { status: 200, headers: {}, body: { ok: true, messages: [PARENT], has_more: false, response_metadata: { next_cursor: '' } } }
        : { status: 200, headers: {}, body: EXAMPLE };
    });
    const first = await refresh();
    assert.deepEqual(first.failures, []);
    assert.deepEqual(await texts(), ['no thread', 'island', 'one island', 'two island', 'three for the land']);
    const replies1 = server.requestsTo('/api/conversations.replies');
    assert.deepEqual(replies1.map((r) => [r.query.ts, r.query.cursor ?? null]), [[PARENT_TS, null], [PARENT_TS, 'bmV4dF90czoxNDg0Njc4MjkwNTE3MDkx']]);

    // Nothing grew: history is read again over the lookback window, and no thread is asked for.
    await refresh();
    const history = server.requestsTo('/api/conversations.history');
    assert.equal(history[1]?.query.oldest, (Number(PARENT_TS) - SLACK_THREAD_LOOKBACK_SECONDS).toFixed(6));
    assert.equal(server.requestsTo('/api/conversations.replies').length, 2);

    // Someone replied: the parent's latest_reply moved, and only what came after the stored one is fetched.
    parent = { ...PARENT, reply_count: 4, latest_reply: NEW_REPLY.ts };
    await refresh();
    const replies3 = server.requestsTo('/api/conversations.replies').slice(2);
    assert.deepEqual(replies3.map((r) => [r.query.ts, r.query.oldest]), [[PARENT_TS, LAST_REPLY]]);
    assert.deepEqual(await texts(), ['no thread', 'island', 'one island', 'two island', 'three for the land', 'four']);
  });

  it('keeps the channel’s messages and says why when the token may not read threads, and asks again next time', async () => {
    server.json('/api/conversations.replies', { ok: false, error: 'missing_scope' });
    const r = await refresh();
    assert.deepEqual(r.failures, []);
    assert.match(r.notices.map((n) => n.message).join('\n'), /thread replies were not fetched: Slack answered 'missing_scope'.*channels:history/);
    assert.deepEqual(await texts(), ['no thread', 'island']);
    await refresh();
    assert.equal(server.requestsTo('/api/conversations.replies').length, 2, 'the thread is still wanted');
  });
});
