import { createHash } from 'node:crypto';

/**
 * What a server said about a URL last time, to make the next request conditional. Kept per credential
 * identity because GitHub answers 304 for free only to the token that got the ETag, and because a
 * private view of a resource must never be revalidated with another token's cache entry.
 */
export interface Validators {
  /** `origin` plus a short hash of the credential sent (never the credential), or `anonymous`. */
  identity: string;
  url: string;
  etag?: string;
  lastModified?: string;
  /** The `Link` header of the response, so that pagination can go on past a 304 (which has no body). */
  link?: string;
}

export type ValidatorLookup = (identity: string, url: string) => Validators | undefined;

/** A stable, non-reversible name for a credential: 16 hex digits of its SHA-256. */
export function credentialIdentity(origin: string, secret: string | undefined): string {
  if (!secret) return `${origin} anonymous`;
  return `${origin} sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}
