/**
 * Where core asks for credentials. The extension implements it with VS Code's GitHub authentication
 * and SecretStorage, the CLI with environment variables. Core passes each secret only to the HTTP
 * client, scoped to its service's origin, and never logs it.
 */
export interface SecretProvider {
  getGitHubToken(): Promise<string | undefined>;
  getPepyKey(): Promise<string | undefined>;
  /** The bot token (`xoxb-…`) for one Slack workspace. */
  getSlackToken(domain: string): Promise<string | undefined>;
  /**
   * How a user of this surface sets a missing secret, for error messages: the editor names its
   * command, the CLI its environment variable. Default: the CLI's wording.
   */
  howToSet?(secret: SecretKind, domain?: string): string;
}

export type SecretKind = 'github' | 'pepy' | 'slack';

/** The CLI's wording of how to set each secret (environment variables). */
export function envHowToSet(secret: SecretKind, domain?: string): string {
  if (secret === 'github') return 'set GITHUB_TOKEN';
  if (secret === 'pepy') return 'set PEPY_API_KEY';
  return `set SLACK_BOT_TOKEN${domain ? ` (or SLACK_BOT_TOKEN_${domain.toUpperCase().replace(/-/g, '_')})` : ''}`;
}

export const noSecrets: SecretProvider = {
  getGitHubToken: async () => undefined,
  getPepyKey: async () => undefined,
  getSlackToken: async () => undefined,
};

/**
 * The CLI's provider: GITHUB_TOKEN, PEPY_API_KEY, and SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_<DOMAIN>,
 * upper case with '-' as '_', when several workspaces are tracked).
 */
export function envSecretProvider(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  return {
    getGitHubToken: async () => value('GITHUB_TOKEN'),
    getPepyKey: async () => value('PEPY_API_KEY'),
    getSlackToken: async (domain) => value(`SLACK_BOT_TOKEN_${domain.toUpperCase().replace(/-/g, '_')}`) ?? value('SLACK_BOT_TOKEN'),
    howToSet: envHowToSet,
  };
}
