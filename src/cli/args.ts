import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { CONFIG_FILE_NAME, parseProjectConfig } from '../core/config/projectConfig';
import type { ConfigProblem, ProjectConfig } from '../core/config/projectConfig';
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

/**
 * The workspace's community-metrics.yml, its problems printed to stderr as file:line:column
 * (a command goes on with what parsed); the exit code 2 when the file cannot be read.
 */
export async function readWorkspaceConfig(workspace: string, hint = ''): Promise<{ config: ProjectConfig; problems: ConfigProblem[]; configFile: string } | number> {
  const configFile = path.join(workspace, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    process.stderr.write(`Cannot read ${configFile}: ${describeError(err)}${hint}\n`);
    return 2;
  }
  const { config, problems } = parseProjectConfig(text);
  for (const p of problems) process.stderr.write(`${configFile}:${p.range.startLine + 1}:${p.range.startColumn + 1}: ${p.severity}: ${p.message}\n`);
  return { config, problems, configFile };
}
