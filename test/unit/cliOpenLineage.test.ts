import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { starterProjectFiles } from '../../src/core/project/starterProject';
import { writeScaffold } from '../../src/core/project/writeScaffold';
import { repoRoot } from '../support/fixtures';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'dist/cli.js'), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('community-metrics build --openlineage-url (built bundle)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ol-'));
    await writeScaffold(dir, starterProjectFiles());
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('sends a START and a COMPLETE event for every model to the receiver', async () => {
    const events: { eventType: string; job: { name: string }; run: { runId: string } }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/api/v1/lineage') events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const r = await cli(['build', '--workspace', dir, '--openlineage-url', url]);
      assert.equal(r.code, 0, r.stderr);
      const daily = events.filter((e) => e.job.name.endsWith('daily_summary') && !e.job.name.includes('_daily_summary'));
      assert.deepEqual(daily.map((e) => e.eventType), ['START', 'COMPLETE']);
      assert.ok(events.length >= 4);
    } finally {
      receiver.close();
    }
  });

  it('never fails the build when the receiver is down', async () => {
    const r = await cli(['build', '--workspace', dir, '--openlineage-url', 'http://127.0.0.1:9']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Done in/);
  });
});
