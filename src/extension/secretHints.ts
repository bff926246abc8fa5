// How a user of the editor sets a missing secret: the command to run, by its palette title. No vscode
// import, so that a unit test can hold these titles against package.json.
import type { SecretKind } from '../core/config/secrets';

export const SET_SECRET_COMMANDS: Record<SecretKind, { command: string; title: string }> = {
  github: { command: 'communityMetrics.setGitHubToken', title: 'Community Metrics: Set GitHub Token' },
  pepy: { command: 'communityMetrics.setPepyKey', title: 'Community Metrics: Set pepy.tech API Key' },
  slack: { command: 'communityMetrics.setSlackToken', title: 'Community Metrics: Set Slack Bot Token' },
};

export function editorHowToSet(secret: SecretKind, domain?: string): string {
  const how = `run “${SET_SECRET_COMMANDS[secret].title}”`;
  return secret === 'github' ? `${how} or “Community Metrics: Sign in to GitHub”` : secret === 'slack' && domain ? `${how} for ${domain}` : how;
}
