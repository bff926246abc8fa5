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
  };
}
