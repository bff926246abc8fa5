import { runProjectCommand, usageFor } from './runCommand';

export function buildCommand(argv: string[]): Promise<number> {
  return runProjectCommand('build', argv, usageFor('build', 'Loads seeds, builds models and runs their tests, in dependency order; a failing test skips what depends on it.'));
}
