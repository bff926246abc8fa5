import { runProjectCommand, usageFor } from './runCommand';

export function testCommand(argv: string[]): Promise<number> {
  return runProjectCommand('test', argv, usageFor('test', 'Runs the schema and singular tests of the selected nodes.'));
}
