// Client side of the fake server's control endpoints, for tests that run in another process.
import type { Fault, RecordedRequest } from './fakeServer';

export async function fakeRequests(serverUrl: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${serverUrl}/__control/requests`);
  return (await res.json()) as RecordedRequest[];
}

export async function injectFault(serverUrl: string, path: string, fault: Fault, times?: number): Promise<void> {
  await fetch(`${serverUrl}/__control/fault`, { method: 'POST', body: JSON.stringify({ path, fault, times }) });
}

export async function clearFaults(serverUrl: string): Promise<void> {
  await fetch(`${serverUrl}/__control/clear`, { method: 'POST' });
}
