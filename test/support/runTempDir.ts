// Every temporary folder a test run makes (workspaces, code-server's user data and extensions, the
// stores of unit tests, and whatever the processes it starts put in the temp directory) goes into one
// folder of this run, deleted when the run ends. A run that was killed leaves its folder behind: the
// next run deletes the folders of runs whose process is gone.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PREFIX = 'cm-test-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the run folders of processes that no longer exist; returns how many. */
export function sweepRunTempDirs(base: string): number {
  let swept = 0;
  for (const name of readdirSync(base)) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      rmSync(path.join(base, name), { recursive: true, force: true });
      swept++;
    }
  }
  return swept;
}

/**
 * Points TMPDIR (read by os.tmpdir() and inherited by child processes) at a new folder of this run,
 * and returns the function that deletes it and restores TMPDIR.
 */
export function useRunTempDir(): () => void {
  const base = tmpdir();
  const previous = process.env.TMPDIR;
  sweepRunTempDirs(base);
  const dir = mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
}
