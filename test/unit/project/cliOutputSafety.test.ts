import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../support/fixtures';
import { fixtureStore, seedProject } from './fixtureStore';

const CLI = path.join(repoRoot, 'dist/cli.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('CLI output safe for spreadsheets and terminals (built bundle)', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await seedProject();
    const { store } = await fixtureStore(path.join(dir, '.community-metrics/metrics.sqlite'));
    // Text as a hostile server could have put it into the store.
    store.db.run('CREATE TABLE hostile (t TEXT, n REAL)');
    for (const [t, n] of [
      ['=HYPERLINK("http://evil.example","click")', 1],
      ['+SUM(A1:A9)', -2],
      ['@cmd', 3],
      ['-5', 4],
      ['title \u001b]8;;http://evil\u0007link\u001b]8;;\u0007 \u001b[2J\u009b31m done', 5],
      ['bidi \u202eevil\u202c ok', 6],
    ] as const) {
      store.db.run('INSERT INTO hostile VALUES (?, ?)', [t, n]);
    }
    await store.save();
    store.close();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('neutralises formulas and strips escape and control characters in CSV', async () => {
    const r = await cli(['query', 'select t, n from hostile order by n', '--workspace', dir, '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control, escape or bidi character');
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 't,n');
    assert.equal(lines[1], "'+SUM(A1:A9),-2");
    assert.equal(lines[2], `"'=HYPERLINK(""http://evil.example"",""click"")",1`);
    assert.equal(lines[3], "'@cmd,3");
    assert.equal(lines[4], '-5,4', 'a number in a text column is left as a number');
    assert.match(lines[5] as string, /^title \]8;;http:\/\/evillink\]8;; \[2J31m done,5$/);
  });

  it('escapes C1 and bidi characters in JSON too', async () => {
    const r = await cli(['query', 'select t from hostile where n >= 5 order by n', '--workspace', dir]);
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.equal((JSON.parse(r.stdout) as { t: string }[])[1]?.t, 'bidi \u202eevil\u202c ok', 'the JSON still holds the exact text');
  });

  it('--select that matches nothing is an error, not TOTAL=0', async () => {
    const r = await cli(['run', '--workspace', dir, '--select', 'no_such_model']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /--select no_such_model matches no model/);
  });
});
