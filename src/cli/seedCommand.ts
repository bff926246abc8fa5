import { runProjectCommand, usageFor } from './runCommand';

export function seedCommand(argv: string[]): Promise<number> {
  return runProjectCommand('seed', argv, usageFor('seed', 'Loads the seed CSV files into the store.'));
}
