import type { RunResult } from './runner';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What a run, build, seed or test did, in one sentence: "build finished in 1.2 s: 7 models built,
 * 2 seeds loaded, 12 tests passed." (the message that ends Build Project, and the CLI's last line).
 */
export function runSummary(run: Pick<RunResult, 'command' | 'results' | 'elapsedMs' | 'cancelled'>): string {
  const of = (type: string) => run.results.filter((r) => r.resourceType === type);
  const ok = (type: string) => of(type).filter((r) => r.status === 'success' || r.status === 'pass').length;
  const parts: string[] = [];
  const models = of('model');
  if (models.length) parts.push(`${plural(ok('model'), 'model')} built`);
  if (of('seed').length) parts.push(`${plural(ok('seed'), 'seed')} loaded`);
  if (of('snapshot').length) parts.push(`${plural(ok('snapshot'), 'snapshot')} taken`);
  const tests = of('test');
  if (tests.length) {
    const warned = tests.filter((r) => r.status === 'warn').length;
    parts.push(`${plural(ok('test'), 'test')} passed${warned ? `, ${warned} with warnings` : ''}`);
  }
  const failed = run.results.filter((r) => r.status === 'error' || r.status === 'fail').length;
  const skipped = run.results.filter((r) => r.status === 'skipped').length;
  if (failed) parts.push(`${failed} failed`);
  if (skipped) parts.push(`${skipped} skipped`);
  const seconds = `${(run.elapsedMs / 1000).toFixed(1)} s`;
  if (run.results.length === 0) return `${run.command}: nothing to ${run.command === 'seed' ? 'load' : run.command === 'test' ? 'test' : 'build'} (no node matched).`;
  return `${run.command} ${run.cancelled ? 'cancelled' : failed ? 'finished with failures' : 'finished'} in ${seconds}: ${parts.join(', ')}.`;
}
