import path from 'node:path';
import type { SlackWorkspace } from '../config/projectConfig';
import type { Credential } from '../http/client';
import { HttpError } from '../http/errors';
import { knownSlackUsers, upsertSlackMessages, upsertSlackUsers } from '../store/slackRows';
import type { SlackMessageRow, SlackUserRow } from '../store/slackRows';
import type { DatasetContext } from './context';
import { joinUrl, withQuery } from './context';
import { readSlackExport } from './slackExport';
import type { SlackMessage } from './slackMessages';
import { toMessageRow, toUserRow } from './slackMessages';

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

/** Imports a workspace export (folder or .zip) named in the configuration, once per version of the file. */
export async function slackExportDataset(ctx: DatasetContext, ws: SlackWorkspace): Promise<void> {
  if (!ws.exportPath) return;
  const file = path.resolve(ctx.workspaceDir ?? process.cwd(), ws.exportPath);
  const exp = await readSlackExport(file, ws.domain);
  const dataset = `export ${exp.fingerprint}`;
  if (ctx.state(dataset) && !ctx.force) return;
  const users = new Map(exp.users.map((u) => [u.userId, u]));
  const rows: SlackMessageRow[] = [];
  for (const channel of exp.channels) {
    if (ws.channels && !ws.channels.includes(channel.name)) continue;
    for (const m of exp.messages.get(channel.name) ?? []) {
      const row = toMessageRow(m, ws.domain, channel, users);
      if (row) rows.push(row);
    }
  }
  ctx.logger.info(`${ctx.artifact}: ${rows.length} messages in the export ${ws.exportPath}`);
  ctx.write((store) => {
    upsertSlackUsers(store, exp.users);
    upsertSlackMessages(store, rows);
  });
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

  const users = new Map((ctx.read((store) => knownSlackUsers(store, ws.domain)) ?? []).map((u) => [u.userId, u]));
  const newUsers: SlackUserRow[] = [];
  const histories = await Promise.all(
    channels.map(async (channel) => {
      const dataset = `channel ${channel.id}`;
      const oldest = ctx.state(dataset)?.cursor;
      const messages: SlackMessage[] = [];
      try {
        for await (const body of pages<History>('conversations.history', { channel: channel.id, limit: 200, oldest })) {
          messages.push(...(body.messages ?? []));
        }
      } catch (err) {
        if (err instanceof SlackApiError && err.code === 'not_in_channel') {
          ctx.notice(`#${channel.name}: the bot is not a member of this channel; invite it to include the channel`);
          return { channel, dataset, messages: [], newest: oldest };
        }
        throw err;
      }
      let newest = oldest;
      for (const m of messages) if (typeof m.ts === 'string' && (!newest || m.ts > newest)) newest = m.ts;
      return { channel, dataset, messages, newest };
    }),
  );

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
  for (const h of histories) {
    for (const m of h.messages) {
      const row = toMessageRow(m, ws.domain, h.channel, users);
      if (row) rows.push(row);
    }
  }
  if (newUsers.length > 0 || rows.length > 0) {
    ctx.write((store) => {
      upsertSlackUsers(store, newUsers);
      upsertSlackMessages(store, rows);
    });
  }
  for (const h of histories) if (h.newest && h.newest !== ctx.state(h.dataset)?.cursor) ctx.setState(h.dataset, h.newest);
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
