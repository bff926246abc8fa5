// The e2e tier's waiting helpers: the flaky dashboard step ("Cannot read properties of undefined
// (reading 'length')") came from them, not from the product. A stand-in page is enough here: what is
// tested is how the helpers treat reads that fail and frames that were already there.
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { frameOpenedBy, waitFor } from '../e2e/chartSteps';

const page = { waitForTimeout: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), frames: () => [] as Frame[] } as unknown as Page;

function frame(name: string, holds: boolean): Frame {
  return { name: () => name, isDetached: () => false, $: async () => (holds ? {} : null) } as unknown as Frame;
}

describe('e2e waiting helpers', () => {
  it('waitFor polls again after a read that fails (a frame detached mid-read) instead of handing undefined to the predicate', async () => {
    const reads: (() => Promise<string[]>)[] = [async () => { throw new Error('Frame was detached'); }, async () => ['left-pad: downloads'], async () => ['acme: messages']];
    let i = 0;
    const legend = await waitFor(page, () => (reads[Math.min(i++, reads.length - 1)] as () => Promise<string[]>)(), (l) => l.length === 1 && /^acme: /.test(l[0] ?? ''), 'the chart');
    assert.deepEqual(legend, ['acme: messages']);
  });

  it('waitFor names a failed read in its timeout message', async () => {
    await assert.rejects(waitFor(page, async () => { throw new Error('Execution context was destroyed'); }, () => true, 'the legend', 20), /the legend: last seen a failed read \(Execution context was destroyed\)/);
  });

  it('frameOpenedBy never returns a frame that held the selector before the action', async () => {
    const old = frame('old chart', true);
    const opened = frame('new chart', true);
    let frames = [old];
    const stand = { ...page, frames: () => frames } as unknown as Page;
    const found = await frameOpenedBy(stand, '#controls', async () => {
      setTimeout(() => (frames = [old, opened]), 20);
    });
    assert.equal(found.name(), 'new chart');
  });
});
