import type { FakeServer } from './fakeServer';

/** The listings a GitHub artifact refresh reads besides the repository itself. */
export const GITHUB_LISTINGS = ['/stargazers/history', '/issues', '/issues/comments', '/commits', '/releases', '/stats/contributors'];

/**
 * Answers every listing of a repository with an empty list (and an ETag, so that the next refresh can
 * revalidate it), for tests about something else than those listings. Built here, not recorded: an
 * empty list is the documented shape of each of them.
 */
export function stubGitHubListings(server: FakeServer, fullName: string, except: string[] = []): void {
  for (const p of GITHUB_LISTINGS) {
    if (except.includes(p)) continue;
    server.json(`/repos/${fullName}${p}`, [], 200, { etag: `"empty${p.replace(/\//g, '-')}"` });
  }
}
