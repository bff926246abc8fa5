import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http/client';
import { HttpError, RateLimitError, describeError } from '../../src/core/http/errors';
import type { Logger } from '../../src/core/log';
import { FakeServer } from '../support/fakeServer';

/** Every line logged, at any level. */
function recordingLogger(lines: string[]): Logger {
  const push = (m: string) => void lines.push(m);
  return { trace: push, debug: push, info: push, warn: push, error: push };
}

describe('HTTP client against hostile servers: trickle, flood, echo', function () {
  this.timeout(15_000);
  let server: FakeServer;
  const clients: HttpClient[] = [];
  const lines: string[] = [];
  const client = (opts: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) => {
    const c = new HttpClient({ githubApiUrl: server.url, logger: recordingLogger(lines), timeoutMs: 1000, retries: 0, ...opts });
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    server = await FakeServer.start();
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  it('gives up on a body trickling one byte at a time at the request deadline (the idle timeout never fires)', async () => {
    server.fault('/repos/a/b', { kind: 'trickle', intervalMs: 50 });
    const http = client({ timeoutMs: 1000, requestDeadlineMs: 1500 });
    await assert.rejects(http.getJson(`${server.url}/repos/a/b`), (err: unknown) => err instanceof HttpError && /timed out: no complete answer within 1.5 s/.test(err.message));
  });

  it('refuses a body larger than the cap, as it streams and by its Content-Length', async () => {
    server.fault('/big', { kind: 'flood', bytes: 20 * 1024 * 1024 });
    server.fault('/declared', { kind: 'flood', bytes: 20 * 1024 * 1024, declare: true });
    const http = client({ maxBodyBytes: 1024 * 1024, timeoutMs: 10_000 });
    await assert.rejects(http.getJson(`${server.url}/big`), /larger than the 1 MiB limit/);
    await assert.rejects(http.getJson(`${server.url}/declared`), /larger than the 1 MiB limit/);
  });

  it('takes the cap of the service a URL belongs to', async () => {
    server.fault('/pepy/api/v2/projects/x', { kind: 'flood', bytes: 2 * 1024 * 1024 });
    server.fault('/other/x', { kind: 'flood', bytes: 2 * 1024 * 1024 });
    const http = client({ maxBodyBytes: 1024 * 1024, timeoutMs: 10_000, originConcurrency: { [`${server.url}/pepy`]: { concurrency: 1, maxBodyBytes: 4 * 1024 * 1024 } } });
    const res = await http.getJson<string>(`${server.url}/pepy/api/v2/projects/x`);
    assert.equal(res.body.length, 2 * 1024 * 1024 - 2);
    await assert.rejects(http.getJson(`${server.url}/other/x`), /larger than/);
  });

  describe('never shows a secret the server echoes back', () => {
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const plain = 'plain-secret-value-9f8e7d';

    function assertNoSecret(text: string, secret: string): void {
      assert.ok(!text.includes(secret), `secret shown in: ${text}`);
      // Not even its first characters (an excerpt cut inside the secret).
      assert.ok(!text.includes(secret.slice(0, 12)), `part of the secret shown in: ${text}`);
    }

    for (const secret of [token, plain]) {
      it(`in a 401 message and in the log (${secret === token ? 'token-shaped' : 'any'} token)`, async () => {
        server.fault('/repos/a/b', { kind: 'echo', status: 401 });
        const http = client({ githubToken: () => secret });
        const err = await http.getJson(`${server.url}/repos/a/b`).catch((e: unknown) => e);
        assert.ok(err instanceof HttpError);
        assert.match(err.message, /HTTP 401/);
        assertNoSecret(err.message, secret);
        assertNoSecret(describeError(err), secret);
        for (const l of lines) assertNoSecret(l, secret);
      });

      it(`in the excerpt of a malformed body that starts with it (${secret === token ? 'token-shaped' : 'any'} token)`, async () => {
        server.fault('/repos/a/b', { kind: 'echo', where: 'malformed' });
        const http = client({ githubToken: () => secret });
        const err = await http.getJson(`${server.url}/repos/a/b`).catch((e: unknown) => e);
        assert.ok(err instanceof HttpError);
        assert.match(err.message, /Malformed JSON/);
        assertNoSecret(err.message, secret);
      });
    }

    it("in a service key's error (Slack's `error` field)", async () => {
      const slackToken = 'xoxb-1234567890-abcdefghij';
      server.fault('/api/conversations.list', { kind: 'echo', status: 400 });
      // Another origin is GitHub's, so the Slack key is what goes to this server.
      const http = client({ githubApiUrl: 'http://127.0.0.1:9' });
      const err = await http
        .getJson(`${server.url}/api/conversations.list`, { credential: { url: server.url, header: 'authorization', value: `Bearer ${slackToken}` } })
        .catch((e: unknown) => e);
      assert.ok(err instanceof HttpError);
      assertNoSecret(err.message, slackToken);
    });

    it('and makes control characters from the server inert', async () => {
      server.json('/repos/a/b', { message: 'evil \u001b]8;;http://x\u0007link\u001b[2J' }, 422);
      const http = client();
      const err = (await http.getJson(`${server.url}/repos/a/b`).catch((e: unknown) => e)) as Error;
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(err.message, /[\u001b\u0007]/);
    });
  });

  it("does not tell a token holder to set a token when GitHub's secondary limit hits", async () => {
    server.json('/repos/a/b', { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, 403, { 'retry-after': '600', 'x-ratelimit-remaining': '4000' });
    const http = client({ githubToken: () => 'ghp_sometokenvalue1234567890', maxRateLimitWaitMs: 1000 });
    const err = await http.getJson(`${server.url}/repos/a/b`).catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitError);
    assert.match(err.message, /secondary rate limit/);
    assert.doesNotMatch(err.message, /set a token|sign in/i);
  });

  it("keeps pepy's one-at-a-time to pepy when services share one origin", async () => {
    server.fault('/pepy/api/v2/projects/slow', { kind: 'hang' });
    server.json('/pypistats/api/packages/x/recent', { data: { last_day: 1 } });
    const http = client({
      timeoutMs: 10_000,
      // As the CLI configures it: only pepy has a limit of its own.
      originConcurrency: { [`${server.url}/pepy`]: 1 },
    });
    const abort = new AbortController();
    const stuck = http.getJson(`${server.url}/pepy/api/v2/projects/slow`, { signal: abort.signal }).catch((e: unknown) => e);
    let pepyDone = false;
    void stuck.then(() => (pepyDone = true));
    // Wait until pepy's request is in flight (its one slot taken).
    while (server.requestsTo('/pepy/api/v2/projects/slow').length === 0) await new Promise((r) => setTimeout(r, 10));
    const other = await http.getJson<{ data: { last_day: number } }>(`${server.url}/pypistats/api/packages/x/recent`);
    assert.equal(other.body.data.last_day, 1);
    assert.equal(pepyDone, false, 'the other service answered while pepy still held its only slot');
    abort.abort();
    await stuck;
  });
});
