import type { SlackMessageRow, SlackUserRow } from '../store/slackRows';

/** A message as both the Web API and a workspace export give it. */
export interface SlackMessage {
  type?: unknown;
  subtype?: unknown;
  ts?: unknown;
  user?: unknown;
  username?: unknown;
  text?: unknown;
  bot_id?: unknown;
  bot_profile?: { name?: unknown } | null;
  user_profile?: { name?: unknown; real_name?: unknown; display_name?: unknown } | null;
  /** Threads: a parent has thread_ts === ts and reply_count; a reply has its parent's thread_ts. */
  thread_ts?: unknown;
  reply_count?: unknown;
  latest_reply?: unknown;
}

/** Channel events, not messages anyone wrote: the seed's counts leave them out. */
const SYSTEM_SUBTYPES = new Set([
  'channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'channel_archive',
  'channel_unarchive', 'group_join', 'group_leave', 'pinned_item', 'unpinned_item', 'channel_convert_to_private',
]);

/** `1427135890.000071` → `2015-03-23T18:38:10.000071Z`: the microseconds keep each message's key unique. */
export function slackTsToIso(ts: string): string | undefined {
  const m = /^(\d+)\.?(\d*)$/.exec(ts);
  if (!m) return undefined;
  const base = new Date(Number(m[1]) * 1000).toISOString().slice(0, 19);
  return `${base}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

export function permalink(domain: string, channelId: string | undefined, ts: string): string | null {
  return channelId ? `https://${domain}.slack.com/archives/${channelId}/p${ts.replace('.', '')}` : null;
}

/**
 * Why a message cannot be read (not an object, no usable `ts`), or undefined when it can. Channel
 * events that are skipped on purpose are not problems.
 */
export function messageProblem(m: unknown): string | undefined {
  if (!m || typeof m !== 'object') return `the message is ${m === null ? 'null' : typeof m}`;
  const msg = m as SlackMessage;
  if (msg.type !== undefined && msg.type !== 'message') return undefined;
  if (typeof msg.ts !== 'string' || !slackTsToIso(msg.ts)) return `'ts' is ${msg.ts === undefined ? 'missing' : msg.ts === null ? 'null' : `${typeof msg.ts} ${JSON.stringify(msg.ts)?.slice(0, 30)}`}`;
  return undefined;
}

/** Maps one message to the seed's `slack_messages` row, or undefined for channel events. */
export function toMessageRow(
  m: SlackMessage,
  domain: string,
  channel: { id?: string; name: string },
  users: Map<string, SlackUserRow>,
): SlackMessageRow | undefined {
  if (typeof m.ts !== 'string' || (m.type !== undefined && m.type !== 'message')) return undefined;
  if (typeof m.subtype === 'string' && SYSTEM_SUBTYPES.has(m.subtype)) return undefined;
  const messageTime = slackTsToIso(m.ts);
  if (!messageTime) return undefined;
  const user = typeof m.user === 'string' ? users.get(m.user) : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    messageTime,
    domain,
    username: user?.username ?? str(m.user_profile?.name) ?? str(m.username) ?? str(m.bot_profile?.name) ?? str(m.user),
    realname: user?.realname ?? str(m.user_profile?.real_name),
    email: user?.email ?? null,
    channel: channel.name,
    permalink: permalink(domain, channel.id, m.ts),
    text: str(m.text),
  };
}

/** A user object of `users.json` or `users.info`. */
export function toUserRow(domain: string, u: { id?: unknown; name?: unknown; real_name?: unknown; is_bot?: unknown; profile?: { real_name?: unknown; email?: unknown } | null }): SlackUserRow | undefined {
  if (typeof u.id !== 'string') return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    domain,
    userId: u.id,
    username: str(u.name),
    realname: str(u.profile?.real_name) ?? str(u.real_name),
    email: str(u.profile?.email),
    isBot: u.is_bot === true,
  };
}
