import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScaffoldFile } from './starterProject';

/** Writes scaffold files into a folder, never replacing a file that exists. Returns what it wrote. */
export async function writeScaffold(root: string, files: ScaffoldFile[]): Promise<{ written: string[]; kept: string[] }> {
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of files) {
    const target = path.join(root, ...f.path.split('/'));
    if (existsSync(target)) {
      kept.push(f.path);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.content, { flag: 'wx' });
    written.push(f.path);
  }
  return { written, kept };
}
