import { fetch } from 'undici';
import type { Logger } from '../log';
import type { RunEvent } from './openLineageEvents';

/**
 * Sends RunEvents to an OpenLineage HTTP receiver (Marquez and others: POST <url>/api/v1/lineage).
 * Lineage is a by-product of a run, never a reason for it to fail: every error is logged and
 * swallowed, and after the first failure the rest of the batch is dropped so that a receiver that
 * is down costs one timeout, not one per model.
 */
export interface OpenLineageTransport {
  url: string;
  apiKey?: string;
  /** Per request; default 5 s. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface EmitSummary {
  sent: number;
  dropped: number;
  error?: string;
}

export function lineageEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/api\/v1\/lineage$/.test(trimmed) ? trimmed : `${trimmed}/api/v1/lineage`;
}

export async function emitEvents(events: RunEvent[], transport: OpenLineageTransport): Promise<EmitSummary> {
  let endpoint: string;
  try {
    endpoint = lineageEndpoint(new URL(transport.url).toString());
  } catch {
    transport.logger?.warn(`OpenLineage: '${transport.url}' is not a URL; no events sent`);
    return { sent: 0, dropped: events.length, error: 'invalid URL' };
  }
  let sent = 0;
  for (const event of events) {
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // The key goes only to the configured receiver; it is never logged.
      if (transport.apiKey) headers.authorization = `Bearer ${transport.apiKey}`;
      const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(event), signal: AbortSignal.timeout(transport.timeoutMs ?? 5000) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sent++;
    } catch (err) {
      const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      transport.logger?.warn(`OpenLineage: the receiver at ${endpoint} did not take an event (${reason}); ${events.length - sent} event(s) of this run were not sent. The run itself is unaffected.`);
      return { sent, dropped: events.length - sent, error: reason };
    }
  }
  transport.logger?.debug(`OpenLineage: ${sent} event(s) sent to ${endpoint}`);
  return { sent, dropped: 0 };
}
