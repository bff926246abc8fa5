import * as vscode from 'vscode';
import type { SecretKind, SecretProvider } from '../core/config/secrets';
import { editorHowToSet } from './secretHints';
import type { Logger } from '../core/log';

const GITHUB_TOKEN = 'communityMetrics.github.token';
const PEPY_KEY = 'communityMetrics.pepy.apiKey';
const slackKey = (domain: string) => `communityMetrics.slack.token.${domain}`;

/** Public data needs no scope: the session only identifies the user to raise the rate limit. */
const GITHUB_SCOPES: string[] = [];

/**
 * Credentials for core: a token pasted into SecretStorage wins (the user chose it explicitly), else
 * the VS Code GitHub account the user signed in with. Nothing here is ever logged.
 */
export class VsCodeSecrets implements SecretProvider {
  /** Set once the GitHub authentication provider has been found missing (e.g. code-server). */
  private noGitHubProvider = false;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {}

  async getGitHubToken(): Promise<string | undefined> {
    const pasted = await this.storage.get(GITHUB_TOKEN);
    if (pasted) return pasted;
    if (this.noGitHubProvider) return undefined;
    try {
      // silent: never prompt during a refresh; a provider that does not answer is treated as absent.
      const session = await withTimeout(vscode.authentication.getSession('github', GITHUB_SCOPES, { silent: true }), 3000);
      return session?.accessToken;
    } catch (err) {
      this.noGitHubProvider = true;
      this.logger.debug(`GitHub authentication unavailable (${(err as Error).message}); requests go unauthenticated`);
      return undefined;
    }
  }

  async getPepyKey(): Promise<string | undefined> {
    return this.storage.get(PEPY_KEY);
  }

  async getSlackToken(domain: string): Promise<string | undefined> {
    return this.storage.get(slackKey(domain));
  }

  howToSet(secret: SecretKind, domain?: string): string {
    return editorHowToSet(secret, domain);
  }

  async signInToGitHub(): Promise<string | undefined> {
    const session = await vscode.authentication.getSession('github', GITHUB_SCOPES, { createIfNone: true });
    this.noGitHubProvider = false;
    return session.account.label;
  }

  setGitHubToken(token: string | undefined): Thenable<void> {
    return token ? this.storage.store(GITHUB_TOKEN, token) : this.storage.delete(GITHUB_TOKEN);
  }

  setPepyKey(key: string | undefined): Thenable<void> {
    return key ? this.storage.store(PEPY_KEY, key) : this.storage.delete(PEPY_KEY);
  }

  setSlackToken(domain: string, token: string | undefined): Thenable<void> {
    return token ? this.storage.store(slackKey(domain), token) : this.storage.delete(slackKey(domain));
  }
}

function withTimeout<T>(p: Thenable<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the authentication provider')), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
