import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import type { SlackUserRow } from '../store/slackRows';
import type { SlackMessage } from './slackMessages';
import { toUserRow } from './slackMessages';

/** The parts of a Slack workspace export that the import reads. */
export interface SlackExport {
  channels: { id?: string; name: string }[];
  users: SlackUserRow[];
  /** Channel name → that channel's messages, over all its day files. */
  messages: Map<string, SlackMessage[]>;
  /** Size and modification time, so that an unchanged export is not imported twice. */
  fingerprint: string;
}

const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

/**
 * Reads an export as Slack produces it — `channels.json`, `users.json` and `<channel>/<YYYY-MM-DD>.json`
 * — from a folder or a .zip file (possibly with everything inside one top folder).
 */
export async function readSlackExport(file: string, domain: string): Promise<SlackExport> {
  const info = await stat(file);
  const files = info.isDirectory() ? await readFolder(file) : await readZip(file);
  // Exports zipped from a folder put everything one level down: find where channels.json is.
  const channelsKey = [...files.keys()].filter((k) => k === 'channels.json' || k.endsWith('/channels.json')).sort((a, b) => a.length - b.length)[0];
  if (!channelsKey) throw new Error(`${file} is not a Slack export: it has no channels.json`);
  const root = channelsKey.slice(0, channelsKey.length - 'channels.json'.length);
  const parse = (key: string): unknown => {
    try {
      return JSON.parse(files.get(key) ?? 'null') as unknown;
    } catch (err) {
      throw new Error(`${file}: ${key} is not valid JSON (${(err as Error).message})`);
    }
  };
  const channelsRaw = parse(channelsKey);
  if (!Array.isArray(channelsRaw)) throw new Error(`${file}: channels.json is not a list`);
  const channels = (channelsRaw as { id?: unknown; name?: unknown }[])
    .filter((c) => typeof c.name === 'string')
    .map((c) => ({ name: c.name as string, ...(typeof c.id === 'string' ? { id: c.id } : {}) }));
  const usersRaw = files.has(`${root}users.json`) ? parse(`${root}users.json`) : [];
  const users = (Array.isArray(usersRaw) ? usersRaw : []).map((u) => toUserRow(domain, u as Parameters<typeof toUserRow>[1])).filter((u): u is SlackUserRow => !!u);
  const messages = new Map<string, SlackMessage[]>();
  for (const key of [...files.keys()].sort()) {
    if (!key.startsWith(root)) continue;
    const m = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\.json$/.exec(key.slice(root.length));
    if (!m) continue;
    const day = parse(key);
    if (!Array.isArray(day)) throw new Error(`${file}: ${key} is not a list of messages`);
    const list = messages.get(m[1] as string) ?? [];
    list.push(...(day as SlackMessage[]));
    messages.set(m[1] as string, list);
  }
  return { channels, users, messages, fingerprint: `${info.size}:${Math.round(info.mtimeMs)}` };
}

async function readFolder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string, depth: number) => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 2) await walk(child, depth + 1);
      else if (e.isFile() && e.name.endsWith('.json')) out.set(child, await readFile(path.join(dir, child), 'utf8'));
    }
  };
  await walk('', 0);
  return out;
}

function readZip(file: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new Error(`${file} is neither a folder nor a readable .zip file (${err?.message ?? 'unknown error'})`));
      const out = new Map<string, string>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('.json') || entry.uncompressedSize > MAX_ENTRY_BYTES) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName.replace(/\\/g, '/'), Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
