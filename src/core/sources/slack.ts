import path from 'node:path';
import { realpath } from 'node:fs/promises';
import { insideWorkspace } from '../config/projectConfig';
import type { SlackWorkspace } from '../config/projectConfig';
import type { Credential } from '../http/client';
import { HttpError } from '../http/errors';
import type { SlackMessageRow, SlackUserRow } from '../store/slackRows';
import type { DatasetContext } from './context';
import { joinUrl, withQuery } from './context';
import { readSlackExport } from './slackExport';
import type { SlackMessage } from './slackMessages';
import { messageProblem, toMessageRow, toUserRow } from './slackMessages';
import { Unusable } from './coerce';

interface SlackEnvelope {
  ok?: unknown;
  error?: unknown;
  response_metadata?: { next_cursor?: unknown } | null;
}

interface ChannelList extends SlackEnvelope {
  channels?: { id?: unknown; name?: unknown; is_archived?: unknown }[];
}

interface History extends SlackEnvelope {
  messages?: SlackMessage[];
  has_more?: unknown;
}

interface UserInfo extends SlackEnvelope {
  user?: Parameters<typeof toUserRow>[1];
}

const MAX_PAGES = 200;

/**
 * conversations.history lists only a thread's parent, whose latest_reply moves when someone replies.
 * Each sync reads history again this far back before its cursor (upserts make it harmless) to see
 * which recent threads grew, and fetches only those threads' new replies. A reply to a thread older
 * than this is missed until a forced refresh.
 */
export const SLACK_THREAD_LOOKBACK_SECONDS = 14 * 86_400;

/** Latest reply seen per thread parent, kept in the sync state as JSON. */
type ThreadsSeen = Record<string, string>;

function readThreadsSeen(cursor: string | undefined): ThreadsSeen {
  if (!cursor) return {};
  try {
    const parsed = JSON.parse(cursor) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ThreadsSeen) : {};
  } catch {
    return {};
  }
}

/** Imports a workspace export (folder or .zip) named in the configuration, once per version of the file. */
export async function slackExportDataset(ctx: DatasetContext, ws: SlackWorkspace): Promise<void> {
  if (!ws.exportPath) return;
  const root = ctx.workspaceDir ?? process.cwd();
  const file = path.resolve(root, ws.exportPath);
  // A workspace's configuration reads files of that workspace only, symlinks followed.
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file).catch(() => file)]);
  if (!insideWorkspace(ws.exportPath) || (realFile !== realRoot && !realFile.startsWith(`${realRoot}${path.sep}`))) {
    throw new Error(`the Slack export ${ws.exportPath} is outside the workspace folder ${root}; only files inside it are read`);
  }
  const exp = await readSlackExport(file, ws.domain);
  const dataset = `export ${exp.fingerprint}`;
  if (ctx.state(dataset) && !ctx.force) return;
  const users = new Map(exp.users.map((u) => [u.userId, u]));
  const rows: SlackMessageRow[] = [];
  const unusable = new Unusable(`messages of the Slack export ${ws.exportPath}`);
  let seen = 0;
  for (const channel of exp.channels) {
    if (ws.channels && !ws.channels.includes(channel.name)) continue;
    for (const m of exp.messages.get(channel.name) ?? []) {
      const problem = messageProblem(m);
      if (problem) {
        unusable.note(seen++, `#${channel.name}: ${problem}`);
        continue;
      }
      seen++;
      const row = toMessageRow(m, ws.domain, channel, users);
      if (row) rows.push(row);
    }
  }
  ctx.logger.info(`${ctx.artifact}: ${rows.length} messages in the export ${ws.exportPath}`);
  ctx.write('upsertSlackUsers', exp.users);
  ctx.write('upsertSlackMessages', rows);
  unusable.check(seen);
  ctx.setState(dataset);
}

/**
 * Incremental sync through the Web API with a bot token: public channels (conversations.list), each
 * channel's history after its last stored message (`oldest`, exclusive, with cursor pagination), and
 * users.info for authors not yet known. The token goes to the Slack API origin only.
 */
export async function slackApiDataset(ctx: DatasetContext, ws: SlackWorkspace, token: string): Promise<void> {
  const credential: Credential = { url: ctx.endpoints.slackApiUrl, header: 'authorization', value: `Bearer ${token}` };
  const call = async <T extends SlackEnvelope>(method: string, params: Record<string, string | number | undefined>): Promise<T> => {
    // Slack answers errors with HTTP 200 and ok: false; its bodies carry no validators worth keeping.
    const res = await ctx.http.getJson<T>(withQuery(joinUrl(ctx.endpoints.slackApiUrl, `/${method}`), params), { credential, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!res.body || typeof res.body !== 'object') throw new HttpError(`Unexpected Slack answer to ${method}: not an object`, res.url, res.status);
    if (res.body.ok !== true) throw new SlackApiError(method, typeof res.body.error === 'string' ? res.body.error : 'unknown_error', res.url);
    return res.body;
  };
  const pages = async function* <T extends SlackEnvelope>(method: string, params: Record<string, string | number | undefined>): AsyncGenerator<T> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await call<T>(method, { ...params, cursor });
      yield body;
      const next = body.response_metadata?.next_cursor;
      if (typeof next !== 'string' || next === '') return;
      cursor = next;
    }
  };

  const channels: { id: string; name: string }[] = [];
  for await (const body of pages<ChannelList>('conversations.list', { types: 'public_channel', exclude_archived: 'false', limit: 200 })) {
    for (const c of body.channels ?? []) {
      if (typeof c.id === 'string' && typeof c.name === 'string' && (!ws.channels || ws.channels.includes(c.name))) channels.push({ id: c.id, name: c.name });
    }
  }

  const users = new Map((await ctx.read('knownSlackUsers', ws.domain)).map((u) => [u.userId, u]));
  const newUsers: SlackUserRow[] = [];
  // Errors that mean the token may read history but not threads: say so once, keep the messages.
  let threadsRefused: string | undefined;
  const threadReplies = async (channel: { id: string; name: string }, parent: string, after: string | undefined): Promise<SlackMessage[]> => {
    const out: SlackMessage[] = [];
    if (threadsRefused) return out;
    try {
      for await (const body of pages<History>('conversations.replies', { channel: channel.id, ts: parent, limit: 200, oldest: after })) {
        // The parent comes first in every answer; it is already in the channel's history.
        for (const m of body.messages ?? []) if (m.ts !== parent) out.push(m);
      }
    } catch (err) {
      if (err instanceof SlackApiError && ['missing_scope', 'not_allowed_token_type', 'not_authed', 'ratelimited'].includes(err.code)) threadsRefused = err.code;
      else if (err instanceof SlackApiError && err.code === 'thread_not_found') return out;
      else throw err;
    }
    return out;
  };

  const histories = await Promise.all(
    channels.map(async (channel) => {
      const dataset = `channel ${channel.id}`;
      const threadsDataset = `threads ${channel.id}`;
      const cursor = ctx.state(dataset)?.cursor;
      const seen = readThreadsSeen(ctx.state(threadsDataset)?.cursor);
      const lookback = cursor && !ctx.force ? (Number(cursor) - SLACK_THREAD_LOOKBACK_SECONDS).toFixed(6) : undefined;
      const oldest = ctx.force ? undefined : lookback;
      const messages: SlackMessage[] = [];
      try {
        for await (const body of pages<History>('conversations.history', { channel: channel.id, limit: 200, oldest })) {
          messages.push(...(body.messages ?? []));
        }
      } catch (err) {
        if (err instanceof SlackApiError && err.code === 'not_in_channel') {
          ctx.notice(`#${channel.name}: the bot is not a member of this channel; invite it to include the channel`);
          return { channel, dataset, messages: [], newest: cursor, threadsDataset, threads: seen };
        }
        throw err;
      }
      // Threads whose latest reply is newer than what was stored: fetch the replies after it.
      const threads: ThreadsSeen = {};
      const grown: { parent: string; after: string | undefined; latest: string }[] = [];
      for (const m of messages) {
        if (typeof m.ts !== 'string' || m.thread_ts !== m.ts || typeof m.latest_reply !== 'string' || !(Number(m.reply_count) > 0)) continue;
        threads[m.ts] = seen[m.ts] ?? '';
        if (m.latest_reply !== seen[m.ts]) grown.push({ parent: m.ts, after: seen[m.ts] || undefined, latest: m.latest_reply });
      }
      const replies = await Promise.all(grown.map(async (t) => ({ t, replies: await threadReplies(channel, t.parent, t.after) })));
      for (const { t, replies: r } of replies) {
        messages.push(...r);
        if (!threadsRefused) threads[t.parent] = t.latest;
      }
      // The cursor follows the channel's own messages (history's order), not thread replies. Parents
      // that fell out of the lookback window cannot be seen growing any more: `threads` forgets them.
      let newest = cursor;
      for (const m of messages) {
        const inChannel = m.thread_ts === undefined || m.thread_ts === m.ts;
        if (typeof m.ts === 'string' && inChannel && (!newest || m.ts > newest)) newest = m.ts;
      }
      return { channel, dataset, messages, newest, threadsDataset, threads };
    }),
  );
  if (threadsRefused) ctx.notice(`thread replies were not fetched: Slack answered '${threadsRefused}' to conversations.replies (the bot token needs channels:history)`);

  const unknown = new Set<string>();
  for (const h of histories) for (const m of h.messages) if (typeof m.user === 'string' && !users.has(m.user)) unknown.add(m.user);
  await Promise.all(
    [...unknown].map(async (id) => {
      try {
        const body = await call<UserInfo>('users.info', { user: id });
        const row = body.user ? toUserRow(ws.domain, body.user) : undefined;
        if (row) {
          users.set(id, row);
          newUsers.push(row);
        }
      } catch (err) {
        // A deleted or foreign user keeps its id as its name rather than failing the channel.
        if (!(err instanceof SlackApiError)) throw err;
        ctx.logger.debug(`${ctx.artifact}: users.info ${id}: ${err.code}`);
      }
    }),
  );

  const rows: SlackMessageRow[] = [];
  const unusable = new Unusable(`Slack messages of ${ws.domain}`);
  let seen = 0;
  for (const h of histories) {
    for (const m of h.messages) {
      const problem = messageProblem(m);
      if (problem) {
        unusable.note(seen++, `#${h.channel.name}: ${problem}`);
        continue;
      }
      seen++;
      const row = toMessageRow(m, ws.domain, h.channel, users);
      if (row) rows.push(row);
    }
  }
  if (newUsers.length > 0 || rows.length > 0) {
    ctx.write('upsertSlackUsers', newUsers);
    ctx.write('upsertSlackMessages', rows);
  }
  unusable.check(seen);
  for (const h of histories) {
    if (h.newest && h.newest !== ctx.state(h.dataset)?.cursor) ctx.setState(h.dataset, h.newest);
    const threads = JSON.stringify(h.threads);
    if (threads !== (ctx.state(h.threadsDataset)?.cursor ?? '{}')) ctx.setState(h.threadsDataset, threads);
  }
}

export class SlackApiError extends HttpError {
  constructor(
    method: string,
    readonly code: string,
    url: string,
  ) {
    super(`Slack ${method} answered error '${code}'`, url, 200);
    this.name = 'SlackApiError';
  }
}
