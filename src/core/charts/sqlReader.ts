import type { SqlValue } from 'sql.js';

/** What chart and insight queries need from the store: read rows as objects. MetricsStore has it. */
export interface SqlReader {
  all<T>(sql: string, params?: SqlValue[]): T[];
}
