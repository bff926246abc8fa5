import type { Logger } from '../core/log';

/** The CLI's log sink: warnings always, the rest with --verbose; stdout stays for results. */
export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (m: string) => process.stderr.write(`[${level}] ${m}\n`);
  const quiet = () => undefined;
  return {
    trace: verbose ? write('trace') : quiet,
    debug: verbose ? write('debug') : quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warn'),
    error: write('error'),
  };
}

