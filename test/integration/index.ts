// The integration suite, run inside a real VS Code extension host by either runner:
// @vscode/test-electron (desktop) calls run(); the code-server runner's extension calls run() too and
// reads the results from the file named by CM_TEST_RESULTS.
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export async function run(): Promise<void> {
  const resultsFile = process.env.CM_TEST_RESULTS;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: resultsFile ? 'base' : 'spec' });
  // Test files are required after pre-require so that describe/it exist when their bodies run.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  /* eslint-disable @typescript-eslint/no-require-imports -- the files must load after pre-require */
  require('./activation.test');
  require('./refresh.test');
  require('./configDiagnostics.test');
  require('./models.test');
  require('./gharchive.test');
  require('./clickhouse.test');
  require('./storeWorker.test');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const records: TestRecord[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((f) => resolve(f));
    runner.on('pass', (t) => records.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) => records.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: err.stack ?? err.message }));
    runner.on('pending', (t) => records.push({ title: t.fullTitle(), state: 'pending', durationMs: 0 }));
  });
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify({ records, failures }, null, 2));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
