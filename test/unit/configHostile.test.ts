import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { repoRoot } from '../support/fixtures';

const CLI = path.join(repoRoot, 'dist/cli.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const GOOD = 'projects:\n  - name: p\n    docker: [library/x]\n';

/** Each case: the text, the 1-based line of its error, and what the message says. */
const CASES: [string, string, number, RegExp][] = [
  ['a NUL byte', 'projects:\n  - name: p\u0000\n    docker: [library/x]\n', 2, /NUL byte/],
  ['a raw ESC', 'projects:\n  - name: p\n    docker: [library/x\u001b[2J]\n', 3, /control character U\+001B \(escape\)/],
  ['a C1 control', 'projects:\n  - name: p\u009b\n    docker: [library/x]\n', 2, /control character U\+009B/],
  ['a stray ":" line', `${GOOD}: x\n`, 4, /starts with ':' but has no key/],
  ['an unknown top-level key', `${GOOD}projcts: []\n`, 4, /Unknown top-level key 'projcts'/],
  ['projects: []', 'projects: []\n', 1, /'projects' is empty/],
  ['a project with no artifacts', 'projects:\n  - name: lonely\n', 2, /Project 'lonely' lists no artifact/],
  ['an alias used as a key', 'projects:\n  - &k name: p\n    docker: [library/x]\n    *k : y\n', 4, /alias \(\*k\) cannot be used as a key/],
  ['a Slack export outside the workspace', 'projects:\n  - name: p\n    slack:\n      - domain: ws\n        export: /etc/passwd\n', 5, /inside the workspace/],
  ['a Slack export climbing out', 'projects:\n  - name: p\n    slack:\n      - domain: ws\n        export: exports/../../secret.zip\n', 5, /inside the workspace/],
];

describe('community-metrics.yml: damaged and odd files are errors on their line', () => {
  for (const [name, text, line, message] of CASES) {
    it(name, () => {
      const { problems } = parseProjectConfig(text);
      const p = problems.find((x) => message.test(x.message));
      assert.ok(p, `no problem matching ${message}: ${JSON.stringify(problems)}`);
      assert.equal(p.severity, 'error');
      assert.equal(p.range.startLine + 1, line);
    });
  }

  describe('through the built CLI: never exit 0', function () {
    this.timeout(30_000);
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'cm-config-'));
    });
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    const refresh = () => cli(['refresh', '--workspace', dir, '--dockerhub-url', 'http://127.0.0.1:9', '--timeout', '1']);

    for (const [name, text, line] of CASES) {
      it(name, async () => {
        await writeFile(path.join(dir, 'community-metrics.yml'), text);
        const r = await refresh();
        assert.notEqual(r.code, 0);
        assert.ok(r.stderr.includes(`community-metrics.yml:${line}:`), r.stderr);
      });
    }

    it('invalid UTF-8 bytes', async () => {
      await writeFile(path.join(dir, 'community-metrics.yml'), Buffer.concat([Buffer.from('projects:\n  - name: p'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n    docker: [library/x]\n')]));
      const r = await refresh();
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /community-metrics\.yml:2:\d+: error: .*not valid UTF-8/);
    });

    it('reads no Slack export through a symlink that leaves the workspace', async () => {
      await mkdir(path.join(dir, 'exports'));
      await symlink('/etc', path.join(dir, 'exports', 'etc'));
      await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: p\n    slack:\n      - domain: ws\n        export: exports/etc/passwd\n');
      const r = await refresh();
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /outside the workspace folder/);
    });
  });
});
