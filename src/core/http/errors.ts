import { inertText } from './redaction';

/** Why a request failed, in words a user can act on; the URL never carries credentials. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    // Whatever a server sent back may be in the message: its secrets are masked here, once for all.
    super(inertText(message));
    this.url = inertText(url);
    this.name = 'HttpError';
  }
}

export class RateLimitError extends HttpError {
  constructor(
    url: string,
    status: number,
    readonly resetAt: Date | undefined,
    /** Who limited us: GitHub gets the sign-in hint, other services their host name. */
    service = 'GitHub',
    /** Whether a token went with the request: then "set a token" is no advice at all. */
    readonly authenticated = false,
    /** GitHub's secondary limit (too many requests at once or too fast), which a token does not lift. */
    readonly secondary = false,
  ) {
    const when = resetAt ? `; retry after ${resetAt.toISOString()}` : '';
    super(
      service !== 'GitHub'
        ? `Rate limited by ${service} (HTTP ${status})${when}.`
        : secondary
          ? `GitHub's secondary rate limit was hit (too many requests at once or in a short time)${when}. Wait before refreshing again${authenticated ? '' : ', or sign in or set a token'}.`
          : authenticated
            ? `GitHub rate limit of this token exhausted${resetAt ? `; it resets at ${resetAt.toISOString()}` : ''}.`
            : `GitHub rate limit exhausted${resetAt ? `; it resets at ${resetAt.toISOString()}` : ''}. Sign in or set a token to raise the limit.`,
      url,
      status,
    );
    this.name = 'RateLimitError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** The words shown to a user for any error, with secrets masked and control characters made inert. */
export function describeError(err: unknown): string {
  return inertText(err instanceof Error ? err.message : String(err));
}
