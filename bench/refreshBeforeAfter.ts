/**
 * The refresh benchmark (bench/refresh.ts) on the code before issue 12's deadline, body cap and
 * per-artifact saves (the merge base with `main`) and on HEAD, both extracted with `git archive`,
 * alternately, in the same run. Reports the cold refresh's wall time for both limit settings, median
 * of the rounds, and the ratio after/before.
 *
 *   node --import tsx bench/refreshBeforeAfter.ts [--rounds N] [--base REF] [--append]
 */
import { execFileSync, execSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Cold-refresh wall times printed by bench/refresh.ts, by label. */
function runRefreshBench(cwd: string): Record<string, { cold: number; wroteWarm: string; failed: string }> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/refresh.ts'], { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const result: Record<string, { cold: number; wroteWarm: string; failed: string }> = {};
  for (const block of out.split(/\n\n(?=\*\*)/)) {
    const label = /\*\*(.+?)\*\*/.exec(block)?.[1];
    const cold = /cold refresh: (\d+) ms wall.*?(\d+) failed/.exec(block);
    const warm = /second refresh.*?wrote: (\w+)/.exec(block);
    if (label && cold) result[label] = { cold: Number(cold[1]), failed: cold[2] as string, wroteWarm: warm?.[1] ?? '?' };
  }
  return result;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const baseRef = arg('base', execSync('git merge-base HEAD main', { cwd: root, encoding: 'utf8' }).trim());
  const baseSha = execSync(`git rev-parse --short ${baseRef}`, { cwd: root, encoding: 'utf8' }).trim();
  const headSha = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8' }).trim();
  // Both trees are committed snapshots, so that editing the work tree during the run changes nothing.
  const baseDir = await mkdtemp(path.join(tmpdir(), 'cm-bench-base-'));
  const headDir = await mkdtemp(path.join(tmpdir(), 'cm-bench-head-'));
  try {
    for (const [ref, dir] of [[baseRef, baseDir], ['HEAD', headDir]] as const) {
      execSync(`git archive ${ref} | tar -x -C ${dir}`, { cwd: root, shell: '/bin/bash' });
      await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    }
    const samples: Record<'before' | 'after', Record<string, number[]>> = { before: {}, after: {} };
    const notes: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [which, cwd] of [['before', baseDir], ['after', headDir]] as const) {
        const res = runRefreshBench(cwd);
        for (const [label, m] of Object.entries(res)) {
          (samples[which][label] ??= []).push(m.cold);
          if (m.failed !== '0') notes.push(`${which} ${label} round ${r + 1}: ${m.failed} failed`);
        }
        process.stderr.write(`round ${r + 1} ${which}: ${JSON.stringify(res)}\n`);
      }
    }
    const machine = ['uname -a', 'nproc', 'node -v', 'cat /proc/loadavg'].map((c) => `${c}: ${execSync(c).toString().trim()}`).join('\n');
    const rows = Object.keys(samples.after).map((label) => {
      const b = median(samples.before[label] ?? []);
      const a = median(samples.after[label] ?? []);
      return `| ${label} | ${(samples.before[label] ?? []).join(', ')} | ${b} | ${(samples.after[label] ?? []).join(', ')} | ${a} | ${(a / b).toFixed(2)} |`;
    });
    const section =
      `\n## refresh before/after the request deadline, body cap and per-artifact saves — ${new Date().toISOString().slice(0, 10)}\n\n` +
      `\`node --import tsx bench/refreshBeforeAfter.ts --rounds ${rounds}\`: bench/refresh.ts (50 artifacts, 280 requests, 100 ms per response) ` +
      `on ${baseSha} (before) and ${headSha} (after), alternately in the same run; cold refresh wall time in ms.\n\n` +
      `\`\`\`\n${machine}\n\`\`\`\n\n| limits | before, each round | before median | after, each round | after median | after / before |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n` +
      (notes.length ? `\nNotes: ${notes.join('; ')}\n` : '');
    process.stdout.write(section);
    if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench/RESULTS.md'), section);
  } finally {
    await rm(baseDir, { recursive: true, force: true });
    await rm(headDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
