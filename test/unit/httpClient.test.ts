import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http/client';
import type { Validators } from '../../src/core/http/conditional';
import { CancelledError, RateLimitError } from '../../src/core/http/errors';
import { parseLinkHeader } from '../../src/core/http/link';
import { silentLogger } from '../../src/core/log';
import { FakeServer } from '../support/fakeServer';

describe('HTTP client: conditional requests, pagination, limits, cancellation', () => {
  let server: FakeServer;
  let other: FakeServer;
  const clients: HttpClient[] = [];
  const client = (opts: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) => {
    const c = new HttpClient({ githubApiUrl: server.url, logger: silentLogger, timeoutMs: 1000, retries: 0, ...opts });
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    server = await FakeServer.start();
    other = await FakeServer.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
    await other.close();
  });

  it('revalidates with the recorded ETag and Last-Modified and gets the recorded 304', async () => {
    server.loadFixture('github/pygithub/ConditionalRequestUpdate.setUp.json').loadFixture('github/pygithub/ConditionalRequestUpdate.testDidNotUpdate.json');
    const http = client({ githubToken: () => 'token-a' });
    const store = new Map<string, Validators>();
    const lookup = (identity: string, url: string) => store.get(`${identity} ${url}`);
    const url = `${server.url}/repos/akfish/PyGithub`;
    const first = await http.getJson<{ name: string }>(url, { conditional: lookup });
    assert.equal(first.status, 200);
    assert.ok(first.validators?.etag);
    assert.doesNotMatch(first.validators?.identity ?? '', /token-a/, 'the identity is a hash, never the token');
    store.set(`${first.validators?.identity} ${url}`, first.validators as Validators);
    const second = await http.getJson(url, { conditional: lookup });
    assert.equal(second.status, 304);
    assert.equal(second.notModified, true);
    assert.equal(second.body, null);
    assert.equal(server.requests[1]?.headers['if-none-match'], '"8600bedcb7fed1d8065e1693e05529ce"');
    assert.equal(server.requests[1]?.headers['if-modified-since'], 'Thu, 22 Aug 2013 02:09:11 GMT');
    assert.equal(http.stats.notModified, 1);
  });

  it('gets the changed resource with a new ETag when the recording says it changed', async () => {
    server.loadFixture('github/pygithub/ConditionalRequestUpdate.testDidUpdate.json');
    const http = client();
    const url = `${server.url}/repos/akfish/PyGithub`;
    const stale: Validators = { identity: '', url, etag: '"8600bedcb7fed1d8065e1693e05529ce"', lastModified: 'Thu, 22 Aug 2013 02:09:11 GMT' };
    const res = await http.getJson(url, { conditional: (identity) => ({ ...stale, identity }) });
    assert.equal(res.status, 200);
    assert.equal(res.validators?.etag, '"ef281ef0e821c18f80da36902727160b"');
  });

  it('keeps validators per token: another token never revalidates with them', async () => {
    server.json('/r', { a: 1 }, 200, { etag: '"v1"' });
    const seen = new Map<string, Validators>();
    let token = 'token-a';
    const http = client({ githubToken: () => token });
    const lookup = (identity: string, url: string) => seen.get(`${identity} ${url}`);
    const a = await http.getJson(`${server.url}/r`, { conditional: lookup });
    seen.set(`${a.validators?.identity} ${a.validators?.url}`, a.validators as Validators);
    token = 'token-b';
    const b = await http.getJson(`${server.url}/r`, { conditional: lookup });
    assert.equal(b.status, 200);
    assert.equal(server.requests[1]?.headers['if-none-match'], undefined);
    assert.notEqual(a.validators?.identity, b.validators?.identity);
  });

  it('follows Link rel="next" through the recorded pages, to /repositories/{id}/ URLs', async () => {
    server.loadFixture('github/octokit/paginate-issues.json');
    const http = client();
    const counts: number[] = [];
    for await (const page of http.paginate<unknown[]>(`${server.url}/repos/octokit-fixture-org/paginate-issues/issues?per_page=3`)) counts.push(page.body.length);
    assert.deepEqual(counts, [3, 3, 3, 3, 1]);
    assert.deepEqual(parseLinkHeader('<https://x/a?page=2>; rel="next", <https://x/a?page=5>; rel="last"', 'https://x/'), { next: 'https://x/a?page=2', last: 'https://x/a?page=5' });
  });

  it('never has more requests in flight to one origin than its limit', async () => {
    server.json('/slow', { ok: true });
    server.latencyMs = 60;
    const timed = async (http: HttpClient) => {
      const t0 = Date.now();
      await Promise.all(Array.from({ length: 4 }, () => http.getJson(`${server.url}/slow`)));
      return Date.now() - t0;
    };
    const two = await timed(client({ originConcurrency: { [server.url]: 2 } }));
    assert.ok(two >= 115, `4 requests at 2 per origin take two rounds of 60 ms (took ${two} ms)`);
    const four = await timed(client({ connectionsPerOrigin: 4 }));
    assert.ok(four < 115, `4 requests at 4 per origin take one round (took ${four} ms)`);
  });

  it('waits out a short retry-after and fails at once on a long one, without another request', async () => {
    server.json('/limited', { ok: true });
    const http = client({ maxRateLimitWaitMs: 2000 });
    server.fault('/limited', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, 1);
    const t0 = Date.now();
    assert.equal((await http.getJson(`${server.url}/limited`)).status, 200);
    assert.ok(Date.now() - t0 >= 900);

    server.fault('/limited', { kind: 'status', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) } });
    await assert.rejects(http.getJson(`${server.url}/limited`), (e: Error) => e instanceof RateLimitError && /resets at/.test(e.message));
    const sent = server.requests.length;
    // The quota is known to be exhausted until the reset: nothing more is sent.
    await assert.rejects(http.getJson(`${server.url}/limited`), RateLimitError);
    assert.equal(server.requests.length, sent);
  });

  it('stops at once when cancelled', async () => {
    server.json('/hang', {});
    server.fault('/hang', { kind: 'hang' });
    const http = client({ timeoutMs: 10_000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const t0 = Date.now();
    await assert.rejects(http.getJson(`${server.url}/hang`, { signal: abort.signal }), CancelledError);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('sends a service credential to its own origin only, and not across a redirect', async () => {
    other.json('/p', { ok: 1 });
    server.fault('/p', { kind: 'redirect', location: `${other.url}/p` });
    const http = client({ githubApiUrl: 'https://api.github.invalid' });
    await http.getJson(`${server.url}/p`, { credential: { url: server.url, header: 'X-API-Key', value: 'k-secret' } });
    assert.equal(server.requests[0]?.headers['x-api-key'], 'k-secret');
    assert.equal(other.requests[0]?.headers['x-api-key'], undefined);
    await http.getJson(`${other.url}/p`, { credential: { url: server.url, header: 'X-API-Key', value: 'k-secret' } });
    assert.equal(other.requests[1]?.headers['x-api-key'], undefined);
  });
});
