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
  constructor(url: string, status: number, readonly resetAt: Date | undefined) {
    super(
      `GitHub rate limit exhausted${resetAt ? `; it resets at ${resetAt.toISOString()}` : ''}. Sign in or set a token to raise the limit.`,
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
