import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compileProject, writeCompileOutput } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import type { Project } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { pickNodes, selectNodes } from '../../../src/core/project/selection';
import type { MetricsStore } from '../../../src/core/store/store';
import { copyProject, fixtureStore } from './fixtureStore';

/**
 * A project in the shapes real dbt projects have: macros with default arguments calling macros,
 * nested config dicts, an incremental model whose is_incremental() block reads {{ this }},
 * double-quoted refs, models in sub-folders with folder configs, an ephemeral model, yml tests,
 * a singular test, and a packages.yml that cannot be installed.
 */
describe('real-world project shapes', function () {
  this.timeout(30_000);
  let dir: string;
  let project: Project;
  let store: MetricsStore;

  before(async () => {
    dir = await copyProject('shapes');
    project = await loadProject(dir);
    ({ store } = await fixtureStore(path.join(dir, '.community-metrics', 'metrics.sqlite')));
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the parent_map dbt would give, with a warning for the uninstallable packages', async () => {
    const out = compileProject(project);
    const manifestFile = await writeCompileOutput(project, out);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      parent_map: Record<string, string[]>;
      child_map: Record<string, string[]>;
      nodes: Record<string, { config: Record<string, unknown>; compiled_code: string; depends_on: { macros: string[] }; refs: unknown[] }>;
      sources: Record<string, unknown>;
    };
    const pm = manifest.parent_map;
    assert.deepEqual(pm['model.shapes.stg_orders'], ['seed.shapes.raw_orders']);
    assert.deepEqual(pm['model.shapes.stg_customers'], ['seed.shapes.raw_customers']);
    assert.deepEqual(pm['model.shapes.int_order_amounts'], ['model.shapes.stg_orders']);
    assert.deepEqual(pm['model.shapes.customer_orders'], ['model.shapes.int_order_amounts', 'model.shapes.stg_customers']);
    assert.deepEqual(pm['model.shapes.order_keys'], ['model.shapes.stg_orders']);
    assert.deepEqual(pm['test.shapes.assert_no_negative_totals'], ['model.shapes.customer_orders']);
    const rel = Object.keys(pm).find((k) => k.startsWith('test.shapes.relationships_stg_orders_customer_id')) as string;
    assert.deepEqual(pm[rel], ['model.shapes.stg_customers', 'model.shapes.stg_orders']);
    assert.deepEqual(manifest.child_map['seed.shapes.raw_orders'], ['model.shapes.stg_orders']);
    assert.equal(Object.keys(pm).filter((k) => k.startsWith('test.')).length, 6);

    // Folder configs, then the model's nested config dicts, with tags accumulated.
    const cfg = manifest.nodes['model.shapes.stg_orders']?.config as Record<string, unknown>;
    assert.equal(cfg.materialized, 'table');
    assert.deepEqual(cfg.tags, ['staging', 'orders']);
    assert.deepEqual(cfg.meta, { owner: { name: 'ana', contact: { slack: '#data' } } });
    assert.deepEqual(cfg.custom_key, { nested: { deeper: [1, 2] } });
    assert.deepEqual(manifest.nodes['model.shapes.customer_orders']?.config.meta, { owner: { team: 'analytics' } });
    assert.deepEqual(manifest.nodes['model.shapes.customer_orders']?.config.tags, ['marts']);
    assert.deepEqual(manifest.nodes['model.shapes.stg_orders']?.depends_on.macros, ['macro.shapes.cents_to_dollars', 'macro.shapes.describe_status', 'macro.shapes.money', 'macro.shapes.status_filter']);

    // Macros with default arguments, return(), var() from a project-scoped vars block.
    const code = manifest.nodes['model.shapes.stg_orders']?.compiled_code as string;
    assert.match(code, /round\(amount_cents \/ 100\.0, 2\) as amount/);
    assert.match(code, /'bad' as health/);
    assert.match(code, /status in \('placed', 'shipped', 'returned'\)/);
    assert.match(manifest.nodes['model.shapes.customer_orders']?.compiled_code as string, /with __dbt__cte__int_order_amounts as \(/);

    const packageWarnings = project.diagnostics.filter((d) => d.code === 'package');
    assert.equal(packageWarnings.length, 2);
    assert.ok(packageWarnings.every((d) => d.severity === 'warning' && d.file.endsWith('packages.yml')));
    assert.deepEqual(packageWarnings.map((d) => d.line), [2, 4]);
    assert.ok(project.diagnostics.every((d) => d.severity !== 'error'));
  });

  it('builds it on SQLite: seeds with quoted fields and empty cells, ephemeral CTEs, merges on unique_key', async () => {
    const run = await runProject(project, store.db, { command: 'build' });
    assert.deepEqual(run.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => r.name), []);
    assert.deepEqual(store.all('SELECT id, amount_cents, note FROM raw_orders ORDER BY id'), [
      { id: 1, amount_cents: 1250, note: 'first, with a comma' },
      { id: 2, amount_cents: 990, note: null },
      { id: 3, amount_cents: null, note: 'said "hello"' },
      { id: 4, amount_cents: 4000, note: null },
    ]);
    assert.deepEqual(store.all('SELECT customer_id, total_amount FROM customer_orders ORDER BY customer_id'), [
      { customer_id: 10, total_amount: 22.4 },
      { customer_id: 12, total_amount: 40 },
    ]);
    assert.ok(!store.all("SELECT name FROM sqlite_master WHERE name = 'int_order_amounts'").length, 'ephemeral models build nothing');

    store.db.run("INSERT INTO raw_orders VALUES (5, 12, 1000, 'placed', '2021-03-01', NULL)");
    const again = await runProject(project, store.db, { command: 'run', select: ['customer_orders'] });
    assert.equal(again.results[0]?.message, 'merged 1 rows (1 replaced)');
    // stg_orders was not re-run, so the new raw row is not seen yet; the merge kept one row per key.
    assert.deepEqual(store.all('SELECT customer_id, count(*) AS n FROM customer_orders GROUP BY customer_id'), [
      { customer_id: 10, n: 1 },
      { customer_id: 12, n: 1 },
    ]);
  });

  it('selects nodes like dbt', () => {
    const names = (sel: string[], exclude?: string[]) =>
      [...selectNodes(project, sel, exclude)].map((id) => project.nodes.get(id)?.name).filter((n) => n && !n.includes('_stg_')).sort();
    assert.deepEqual(names(['+customer_orders']), ['assert_no_negative_totals', 'customer_orders', 'int_order_amounts', 'raw_customers', 'raw_orders', 'stg_customers', 'stg_orders']);
    assert.deepEqual(names(['stg_orders+1']), ['int_order_amounts', 'order_keys', 'stg_orders']);
    assert.deepEqual(names(['1+int_order_amounts']), ['int_order_amounts', 'stg_orders']);
    assert.deepEqual(names(['2+customer_orders+1']), ['assert_no_negative_totals', 'customer_orders', 'int_order_amounts', 'raw_customers', 'stg_customers', 'stg_orders']);
    assert.deepEqual(names(['tag:marts']), ['customer_orders', 'order_keys', 'assert_no_negative_totals'].sort());
    assert.deepEqual(names(['path:models/staging']), ['stg_customers', 'stg_orders']);
    assert.deepEqual(names(['staging']), ['stg_customers', 'stg_orders']);
    assert.deepEqual(names(['tag:staging,tag:orders']), ['stg_orders']);
    assert.deepEqual(names(['tag:marts raw_orders']), ['assert_no_negative_totals', 'customer_orders', 'order_keys', 'raw_orders']);
    assert.deepEqual(names(['tag:marts'], ['order_keys']), ['assert_no_negative_totals', 'customer_orders']);
    assert.deepEqual(names(['config.materialized:incremental']), ['assert_no_negative_totals', 'customer_orders']);
  });
  it('picks a model whose file name holds spaces and HTML by its id, with what it reads, and builds it', async () => {
    const name = '<img src=x onerror=alert(1)> orders';
    await writeFile(path.join(dir, 'models', `${name}.sql`), "select * from {{ ref('stg_orders') }}\n");
    const withOdd = await loadProject(dir);
    const node = [...withOdd.nodes.values()].find((n) => n.name === name);
    assert.ok(node, 'the model is loaded under its file name');
    const picked = (ids: Set<string>) => [...ids].map((id) => withOdd.nodes.get(id)?.name).filter((n) => n && !n.includes('_stg_')).sort();
    assert.deepEqual(picked(pickNodes(withOdd, { ids: [node.uniqueId] })), [name]);
    assert.deepEqual(picked(pickNodes(withOdd, { ids: [node.uniqueId], parents: true })), [name, 'raw_orders', 'stg_orders'].sort());
    const run = await runProject(withOdd, store.db, { command: 'build', nodes: { ids: [node.uniqueId], parents: true } });
    assert.equal(run.results.find((r) => r.uniqueId === node.uniqueId)?.status, 'success', JSON.stringify(run.results.map((r) => [r.name, r.status, r.message])));
    assert.equal(store.all<{ n: number }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`)[0]?.n, 4);
  });
});
