import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { describeError } from '../core/http/errors';

/**
 * A command's arguments, the way every command treats them: a parse error or an unexpected
 * positional prints the message and the usage (exit 2); `--help` prints the usage (exit 0).
 * Returns the parsed arguments, or the exit code when the command should stop here.
 */
export function parseCommandLine<T extends ParseArgsConfig & { options: { help: { type: 'boolean' } } }>(
  config: T,
  usage: string,
  positionals: 'none' | 'any' = 'none',
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const extra = (parsed as { positionals?: string[] }).positionals ?? [];
  if (positionals === 'none' && extra.length > 0) {
    process.stderr.write(`Unexpected argument '${extra[0]}'.\n\n${usage}\n`);
    return 2;
  }
  return parsed;
}
