import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { runSummary } from '../../../src/core/project/runSummary';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';
import { MetricsStore } from '../../../src/core/store/store';
import { testSql } from '../store.test';

describe('the message that ends Build Project', () => {
  it('says what the build of the starter project did, in one sentence', async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(path.join(tmpdir(), 'cm-summary-'));
    const store = MetricsStore.create(await testSql(), path.join(dir, 'm.sqlite'));
    try {
      await writeScaffold(dir, starterProjectFiles());
      const run = await runProject(await loadProject(dir), store.db, { command: 'build' });
      const models = run.results.filter((r) => r.resourceType === 'model').length;
      const seeds = run.results.filter((r) => r.resourceType === 'seed').length;
      assert.ok(models > 0 && seeds > 0);
      assert.match(runSummary(run), new RegExp(`^build finished in \\d+\\.\\d s: ${models} models built, ${seeds} seeds? loaded(, \\d+ tests? passed)?\\.$`));
      const none = await runProject(await loadProject(dir), store.db, { command: 'run', select: ['no_such_model'] });
      assert.equal(runSummary(none), 'run: nothing to build (no node matched).');
    } finally {
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
