import type { MetricsStore } from './store';

/** Rows of the Slack raw tables; `slack_messages` keeps the seed's exact columns. */

export interface SlackMessageRow {
  /** ISO 8601 with the microseconds of Slack's `ts`, so that (domain, channel, message_time) is unique. */
  messageTime: string;
  domain: string;
  username: string | null;
  realname: string | null;
  email: string | null;
  channel: string;
  permalink: string | null;
  text: string | null;
}

export interface SlackUserRow {
  domain: string;
  userId: string;
  username: string | null;
  realname: string | null;
  email: string | null;
  isBot: boolean;
}

export function upsertSlackMessages(store: MetricsStore, rows: SlackMessageRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO slack_messages (message_time, domain, username, realname, email, channel, permalink, text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (domain, channel, message_time) DO UPDATE SET text = excluded.text,
         username = COALESCE(excluded.username, slack_messages.username), realname = COALESCE(excluded.realname, slack_messages.realname),
         email = COALESCE(excluded.email, slack_messages.email), permalink = COALESCE(excluded.permalink, slack_messages.permalink)`,
      [r.messageTime, r.domain, r.username, r.realname, r.email, r.channel, r.permalink, r.text],
    );
  }
}

export function upsertSlackUsers(store: MetricsStore, rows: SlackUserRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO slack_users (domain, user_id, username, realname, email, is_bot) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (domain, user_id) DO UPDATE SET username = excluded.username, realname = excluded.realname,
         email = excluded.email, is_bot = excluded.is_bot`,
      [r.domain, r.userId, r.username, r.realname, r.email, r.isBot ? 1 : 0],
    );
  }
}

export function knownSlackUsers(store: MetricsStore, domain: string): SlackUserRow[] {
  return store
    .all<{ user_id: string; username: string | null; realname: string | null; email: string | null; is_bot: number }>(
      'SELECT user_id, username, realname, email, is_bot FROM slack_users WHERE domain = ?',
      [domain],
    )
    .map((r) => ({ domain, userId: r.user_id, username: r.username, realname: r.realname, email: r.email, isBot: r.is_bot === 1 }));
}
