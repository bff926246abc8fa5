import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileProject } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { testSqlJs } from './fixtureStore';

/** Issue 15, item 5: the manifest names and lists what dbt's does. */
async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-manifest-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

describe('manifest parity with dbt', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await writeProject({
      'dbt_project.yml': [
        'name: jaffle_shop',
        'version: "1.0"',
        'vars:',
        '  load_source_data: false',
        'seeds:',
        '  jaffle_shop:',
        '    +enabled: "{{ var(\'load_source_data\', false) }}"',
        'models:',
        '  jaffle_shop:',
        '    +materialized: "{{ \'table\' if var(\'load_source_data\', false) else \'view\' }}"',
        '',
      ].join('\n'),
      'seeds/raw_orders.csv': 'id,status\n1,placed\n',
      'models/customers.sql': 'select 1 as customer_id\n',
      'models/orders.sql': "select 1 as order_id, 1 as customer_id, 'placed' as status\n",
      'models/scored.py': "def model(dbt, session):\n    orders = dbt.ref('orders')\n    return orders\n",
      'models/after_python.sql': "select * from {{ ref('scored') }}\n",
      'models/schema.yml': [
        'version: 2',
        'sources:',
        '  - name: raw',
        '    tables:',
        '      - name: orders',
        '        columns:',
        '          - name: id',
        '            tests: [not_null]',
        'models:',
        '  - name: customers',
        '    columns:',
        '      - name: customer_id',
        '        tests: [unique]',
        '  - name: orders',
        '    columns:',
        '      - name: status',
        '        tests:',
        '          - accepted_values:',
        "              values: ['placed', 'shipped', 'completed', 'return_pending', 'returned']",
        '      - name: customer_id',
        '        tests:',
        '          - relationships:',
        "              to: ref('customers')",
        '              field: customer_id',
        'unit_tests:',
        '  - name: test_orders_status',
        '    model: orders',
        '    given: []',
        '    expect: {rows: []}',
        'semantic_models:',
        '  - name: orders_sm',
        "    model: ref('orders')",
        'metrics:',
        '  - name: order_count',
        '    type: simple',
        '',
      ].join('\n'),
    });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("names generic tests as dbt does", async () => {
    const p = await loadProject(dir);
    const names = [...p.nodes.values()].filter((n) => n.resourceType === 'test').map((n) => n.name).sort();
    assert.deepEqual(names, [
      'accepted_values_orders_status__placed__shipped__completed__return_pending__returned',
      'relationships_orders_customer_id__customer_id__ref_customers_',
      'source_not_null_raw_orders_id',
      'unique_customers_customer_id',
    ]);
  });

  it("gives generic tests dbt's unique_id hash, and a long name dbt's md5 alias and path", async () => {
    // The expected values are those of dbt's own manifest of the classic jaffle_shop (the same tests
    // on the same models): dbt hashes the name with its test metadata, and shortens names of 64
    // characters or more to 30 characters and the md5 of the full name.
    const p = await loadProject(dir);
    const tests = new Map([...p.nodes.values()].filter((n) => n.resourceType === 'test').map((n) => [n.name, n]));
    const accepted = tests.get('accepted_values_orders_status__placed__shipped__completed__return_pending__returned');
    assert.equal(accepted?.uniqueId, 'test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3');
    assert.equal(accepted?.config.alias, 'accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758');
    assert.equal(accepted?.path, 'accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758.sql');
    const rel = tests.get('relationships_orders_customer_id__customer_id__ref_customers_');
    assert.equal(rel?.uniqueId, 'test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2');
    assert.equal(rel?.config.alias, undefined, 'a name under 64 characters is its own alias');
    assert.equal(tests.get('unique_customers_customer_id')?.uniqueId, 'test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1');
    const m = compileProject(p).manifest as { nodes: Record<string, { alias: string }> };
    assert.equal(m.nodes['test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3']?.alias, 'accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758');
  });

  it("renders the Jinja of dbt_project.yml's configs", async () => {
    const p = await loadProject(dir);
    assert.ok(p.disabled.has('seed.jaffle_shop.raw_orders'), 'the seed is disabled, as dbt would');
    assert.equal(p.nodes.get('model.jaffle_shop.orders')?.config.materialized, 'view');
    const on = await loadProject(dir, { vars: { load_source_data: true } });
    assert.ok(on.nodes.has('seed.jaffle_shop.raw_orders'));
    assert.equal(on.nodes.get('model.jaffle_shop.orders')?.config.materialized, 'table');
  });

  it('lists Python models, unit tests, semantic models and metrics, with a notice that they are not run', async () => {
    const p = await loadProject(dir);
    const m = compileProject(p).manifest as Record<string, Record<string, Record<string, unknown>>>;
    const py = m.nodes?.['model.jaffle_shop.scored'];
    assert.equal(py?.language, 'python');
    assert.deepEqual((py?.depends_on as { nodes: string[] }).nodes, ['model.jaffle_shop.orders']);
    assert.deepEqual(Object.keys(m.unit_tests ?? {}), ['unit_test.jaffle_shop.orders.test_orders_status']);
    assert.deepEqual((m.semantic_models?.['semantic_model.jaffle_shop.orders_sm']?.depends_on as { nodes: string[] }).nodes, ['model.jaffle_shop.orders']);
    assert.ok(m.metrics?.['metric.jaffle_shop.order_count']);
    const notices = p.diagnostics.filter((d) => d.severity === 'info').map((d) => d.message);
    assert.ok(notices.some((n) => /Python model 'scored' .* not run/.test(n)), notices.join('\n'));
    for (const kind of ['unit tests', 'semantic models', 'metrics']) assert.ok(notices.some((n) => n.includes(kind) && /not run/.test(n)), kind);

    const SQL = await testSqlJs();
    const run = await runProject(p, new SQL.Database(), { command: 'run' });
    const by = Object.fromEntries(run.results.map((r) => [r.name, r]));
    assert.equal(by.scored?.status, 'skipped');
    assert.match(by.scored?.message ?? '', /Python models are not run/);
    assert.equal(by.after_python?.status, 'skipped');
    assert.equal(by.orders?.status, 'success');
  });
});
