// Mocha global fixtures (see .mocharc.json "require"): the run's temporary files live in one folder,
// deleted when the run ends.
import { useRunTempDir } from './runTempDir';

let release: (() => void) | undefined;

export function mochaGlobalSetup(): void {
  release = useRunTempDir();
}

export function mochaGlobalTeardown(): void {
  release?.();
  release = undefined;
}
