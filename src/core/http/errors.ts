/** Why a request failed, in words a user can act on; the URL never carries credentials. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
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
  ) {
    super(
      service === 'GitHub'
        ? `GitHub rate limit exhausted${resetAt ? `; it resets at ${resetAt.toISOString()}` : ''}. Sign in or set a token to raise the limit.`
        : `Rate limited by ${service} (HTTP ${status})${resetAt ? `; retry after ${resetAt.toISOString()}` : ''}.`,
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

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
