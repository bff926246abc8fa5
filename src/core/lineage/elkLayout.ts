import ELK from 'elkjs/lib/elk.bundled.js';
import { elkInputFor, laidOutFrom } from './layoutGraph';
import type { LaidOut } from './layoutGraph';

/** ELK in this process (the CLI and tests); the panel runs the same input in a Web Worker. */
export async function layoutLineage(view: Parameters<typeof elkInputFor>[0]): Promise<LaidOut> {
  const elk = new ELK();
  return laidOutFrom(await elk.layout(elkInputFor(view)));
}
