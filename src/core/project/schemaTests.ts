import { stripMarkers } from './lineMap';

/**
 * The SQL of dbt's four built-in generic tests. Each query returns the failing rows; a test passes
 * when it returns none. `where` (a test config) narrows the tested relation first, as in dbt.
 */
export interface GenericTestInput {
  testName: string;
  relation: string;
  columnName?: string;
  kwargs: Record<string, unknown>;
  where?: string;
  /** The rendered `to:` relation of a relationships test. */
  toRelation?: string;
}

const ident = (c: string) => (/^".*"$/.test(c) || /[()\s|]/.test(c) ? c : `"${c.replace(/"/g, '""')}"`);
const literal = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

export function builtinTestSql(t: GenericTestInput): string | undefined {
  const model = t.where ? `(select * from ${t.relation} where ${t.where}) dbt_subquery` : t.relation;
  const columnName = t.columnName ?? (typeof t.kwargs.column_name === 'string' ? t.kwargs.column_name : undefined);
  const col = columnName ? ident(stripMarkers(columnName)) : undefined;
  switch (t.testName) {
    case 'not_null':
      return col ? `select ${col}\nfrom ${model}\nwhere ${col} is null` : undefined;
    case 'unique':
      return col ? `select ${col} as unique_field, count(*) as n_records\nfrom ${model}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1` : undefined;
    case 'accepted_values': {
      const values = Array.isArray(t.kwargs.values) ? t.kwargs.values : [];
      if (!col || values.length === 0) return undefined;
      const quote = t.kwargs.quote !== false;
      const list = values.map((v) => (quote ? literal(v) : String(v))).join(', ');
      return `select ${col} as value_field, count(*) as n_records\nfrom ${model}\ngroup by ${col}\nhaving ${col} not in (${list})${quote ? '' : ''}`;
    }
    case 'relationships': {
      const field = typeof t.kwargs.field === 'string' ? ident(t.kwargs.field) : undefined;
      if (!col || !field || !t.toRelation) return undefined;
      return [
        'select child.from_field',
        `from (select ${col} as from_field from ${model} where ${col} is not null) child`,
        `left join (select ${field} as to_field from ${t.toRelation}) parent`,
        '  on child.from_field = parent.to_field',
        'where parent.to_field is null',
      ].join('\n');
    }
    default:
      return undefined;
  }
}
