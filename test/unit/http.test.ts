import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http/client';
import { HttpError, RateLimitError } from '../../src/core/http/errors';
import { silentLogger } from '../../src/core/log';
import { fetchRepositorySnapshot } from '../../src/core/sources/github';
import { FakeServer } from '../support/fakeServer';

const PYGITHUB = { owner: 'PyGithub', repo: 'PyGithub', fullName: 'PyGithub/PyGithub' };

describe('HTTP client and GitHub repository snapshot', () => {
  let github: FakeServer;
  let other: FakeServer;
  let http: HttpClient;
  beforeEach(async () => {
    github = (await FakeServer.start()).loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json');
    other = await FakeServer.start();
    http = new HttpClient({ githubApiUrl: github.url, githubToken: () => 'secret-token', logger: silentLogger, timeoutMs: 1500, retries: 1 });
  });
  afterEach(async () => {
    await http.close();
    await github.close();
    await other.close();
  });

  it('reads the recorded repository and sends the token to the GitHub origin', async () => {
    const snap = await fetchRepositorySnapshot(http, github.url, PYGITHUB, '2026-11-23T00:00:00.000Z');
    assert.equal(snap.stars, 7578);
    assert.equal(snap.repo, 'PyGithub/PyGithub');
    assert.equal(typeof snap.forks, 'number');
    assert.equal(typeof snap.subscribers, 'number');
    assert.equal(github.requests[0]?.headers.authorization, 'Bearer secret-token');
  });

  it('never sends the token to another origin, nor across a redirect to one', async () => {
    other.json('/repos/PyGithub/PyGithub', { stargazers_count: 1 });
    await fetchRepositorySnapshot(http, other.url, PYGITHUB, 't');
    assert.equal(other.requests[0]?.headers.authorization, undefined);

    github.fault('/repos/PyGithub/PyGithub', { kind: 'redirect', location: `${other.url}/repos/PyGithub/PyGithub` }, 1);
    const snap = await fetchRepositorySnapshot(http, github.url, PYGITHUB, 't');
    assert.equal(snap.stars, 1);
    assert.equal(github.requests.at(-1)?.headers.authorization, 'Bearer secret-token');
    assert.equal(other.requests.length, 2);
    assert.equal(other.requests[1]?.headers.authorization, undefined);
  });

  it('retries a 502 and a dropped connection, then succeeds', async () => {
    github.fault('/repos/PyGithub/PyGithub', { kind: 'status', status: 502 }, 1);
    assert.equal((await fetchRepositorySnapshot(http, github.url, PYGITHUB, 't')).stars, 7578);
    github.fault('/repos/PyGithub/PyGithub', { kind: 'resetMidBody' }, 1);
    assert.equal((await fetchRepositorySnapshot(http, github.url, PYGITHUB, 't')).stars, 7578);
  });

  it('gives a clear error for each kind of failure', async () => {
    const cases: [Parameters<FakeServer['fault']>[1], RegExp][] = [
      [{ kind: 'status', status: 500 }, /Server error 500/],
      [{ kind: 'malformed' }, /Malformed JSON/],
      [{ kind: 'hang' }, /timed out/],
      [{ kind: 'status', status: 404, body: { message: 'Not Found' } }, /HTTP 404.*Not Found/],
      [{ kind: 'status', status: 200, body: { message: 'hello' } }, /no valid stargazers_count/],
    ];
    for (const [fault, expected] of cases) {
      github.clearFaults();
      github.fault('/repos/PyGithub/PyGithub', fault);
      await assert.rejects(fetchRepositorySnapshot(http, github.url, PYGITHUB, 't'), (err: Error) => {
        assert.ok(err instanceof HttpError, `${err.name}: ${err.message}`);
        assert.match(err.message, expected);
        assert.doesNotMatch(err.message, /secret-token/);
        return true;
      });
    }
  });

  it('recognises an exhausted rate limit', async () => {
    github.fault('/repos/PyGithub/PyGithub', { kind: 'status', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' }, body: { message: 'API rate limit exceeded' } });
    await assert.rejects(fetchRepositorySnapshot(http, github.url, PYGITHUB, 't'), (err: Error) => {
      assert.ok(err instanceof RateLimitError);
      assert.match(err.message, /resets at 2030-03-17/);
      return true;
    });
  });

  it('says when the API cannot be reached', async () => {
    const url = other.url;
    await other.close();
    await assert.rejects(fetchRepositorySnapshot(http, url, PYGITHUB, 't'), /Cannot reach .*connection refused/);
  });
});
