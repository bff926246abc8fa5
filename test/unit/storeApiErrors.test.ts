import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { CancelledError, HttpError, RateLimitError } from '../../src/core/http/errors';
import { DiagnosticError } from '../../src/core/project/diagnostics';
import { SelectionError } from '../../src/core/project/selection';
import { rebuildError, serializeError } from '../../src/core/store/api/errors';
import type { SerializedError } from '../../src/core/store/api/errors';
import { StoreError } from '../../src/core/store/store';

/** Through a real MessagePort, as between the extension host and its store worker. */
async function roundTrip(err: unknown): Promise<Error> {
  const { port1, port2 } = new MessageChannel();
  try {
    const got = new Promise<SerializedError>((resolve) => port2.once('message', resolve));
    port1.postMessage(serializeError(err));
    return rebuildError(await got);
  } finally {
    port1.close();
    port2.close();
  }
}

describe('store API errors across threads', () => {
  it('come back as the same classes with their fields', async () => {
    const store = await roundTrip(new StoreError('The store x is locked', '/w/x.sqlite'));
    assert.ok(store instanceof StoreError);
    assert.equal(store.file, '/w/x.sqlite');
    assert.equal(store.name, 'StoreError');
    assert.equal(store.message, 'The store x is locked');

    assert.ok((await roundTrip(new CancelledError())) instanceof CancelledError);

    const diag = await roundTrip(new DiagnosticError({ file: '/w/models/a.sql', line: 11, column: 3, message: 'SQL error: no such table: t', severity: 'error', code: 'sql' }));
    assert.ok(diag instanceof DiagnosticError);
    assert.deepEqual(diag.diagnostic, { file: '/w/models/a.sql', line: 11, column: 3, message: 'SQL error: no such table: t', severity: 'error', code: 'sql' });

    const rate = await roundTrip(new RateLimitError('https://api.github.com/x', 403, new Date(Date.UTC(2026, 0, 1))));
    assert.ok(rate instanceof RateLimitError && rate instanceof HttpError);
    assert.equal(rate.status, 403);
    assert.deepEqual(rate.resetAt, new Date(Date.UTC(2026, 0, 1)));

    const sel = await roundTrip(new SelectionError('no node matches tag:x'));
    assert.ok(sel instanceof SelectionError);
  });

  it('keeps an unknown error’s name, message and stack', async () => {
    class OddError extends Error {
      constructor(readonly detail: number) {
        super('odd');
        this.name = 'OddError';
      }
    }
    const e = await roundTrip(new OddError(7));
    assert.equal(e.name, 'OddError');
    assert.equal(e.message, 'odd');
    assert.equal((e as unknown as { detail: number }).detail, 7);
    assert.match(e.stack ?? '', /OddError: odd/);
    assert.equal((await roundTrip('plain string')).message, 'plain string');
  });
});
