import assert from 'node:assert/strict';
import { runText } from '../../../src/core/lineage/nodeText';

describe('lineage node words', () => {
  it('a model or seed never built says "not built yet"; a source is a raw table; a run says how it went', () => {
    assert.equal(runText({ type: 'model', tests: [] }), 'not built yet');
    assert.equal(runText({ type: 'seed', tests: [] }), 'not built yet');
    assert.equal(runText({ type: 'test', tests: [] }), 'not run yet');
    assert.equal(runText({ type: 'source', tests: [] }), 'raw table');
    assert.equal(runText({ type: 'model', tests: [], run: { status: 'success', durationMs: 420, rowsAffected: 1204 } }), 'success · 0.42 s · 1,204 rows');
  });
});
