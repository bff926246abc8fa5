import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeServer } from '../support/fakeServer';
import { fixturePath } from '../support/fixtures';
import { stubGitHubListings } from '../support/githubStubs';

/** The two-repository workspace of the foundation's acceptance tests. */
export const TWO_REPOS_CONFIG = `# Two repositories, served by the fake API from recorded responses.
projects:
  - name: pygithub
    github:
      - PyGithub/PyGithub
  - name: octokit
    github:
      - https://github.com/octokit-fixture-org/hello-world
`;

export async function makeWorkspace(config = TWO_REPOS_CONFIG): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-workspace-'));
  await writeFile(path.join(dir, 'community-metrics.yml'), config);
  return dir;
}

/** A fake GitHub API answering for both repositories with their recorded responses. */
export async function startFakeGitHub(): Promise<FakeServer> {
  // PyGithub/PyGithub was recorded twice, months apart: the first refresh gets the 2025-11-02
  // recording (7,578 stars), later ones the 2026-04-24 one (7,701 stars, another ETag), as a
  // repository that grows between refreshes.
  const server = (await FakeServer.start())
    .loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.2025-11-02.json')
    .loadFixture('github/pygithub/get-repository.PyGithub-PyGithub.unauthenticated.2026-04-24.json')
    .loadFixture('github/octokit/get-repository.json');
  // The listings a refresh also reads (star history, issues, commits, …) answer empty here: these
  // tests are about the repository snapshot; the sources' own tests replay the listings.
  stubGitHubListings(server, 'PyGithub/PyGithub');
  stubGitHubListings(server, 'octokit-fixture-org/hello-world');
  // The same server plays GH Archive: one real hour (other hours answer 404, as missing hours do).
  server.add({
    request: { method: 'GET', path: '/2015-01-01-12.json.gz' },
    response: { status: 200, headers: { 'content-type': 'application/gzip' }, raw: readFileSync(fixturePath('gharchive/2015-01-01-12.json.gz')) },
  });
  return server;
}
