import assert from 'node:assert/strict';
import { DiagnosticError } from '../../../src/core/project/diagnostics';
import { JinjaRenderer, Relation } from '../../../src/core/project/jinjaRenderer';
import type { RenderHooks } from '../../../src/core/project/jinjaRenderer';

/** Jinja2 as dbt projects write it, rendered by nunjucks with the engine's preprocessing. */
describe('Jinja as dbt writes it', () => {
  const renderer = new JinjaRenderer({ projectName: 'p', vars: { days: 7 }, missingPackages: [] });
  before(() => {
    renderer.loadMacroFile(
      '/p/macros/m.sql',
      [
        '{% macro pick(x) %}{% if x %}{{ return([1, 2]) }}{% endif %}{{ return(none) }}{% endmacro %}',
        '{% macro outer() %}{% set v = pick(true) %}{{ v | length }}{% endmacro %}',
        "{% macro greet(name, punct='!') -%}hi {{ name }}{{ punct }}{%- endmacro %}",
        '{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} < 0{% endtest %}',
      ].join('\n'),
      'p',
    );
    renderer.installMacros();
  });

  const hooks = (configs: Array<Record<string, unknown>> = []): RenderHooks => ({
    ref: (n) => new Relation(n),
    source: (_s, t) => new Relation(t),
    config: (v) => configs.push(v),
    configGet: () => undefined,
    isIncremental: () => false,
    execute: true,
  });
  const render = (text: string, h = hooks()) => renderer.render('/p/models/m.sql', text, h).sql;

  it('handles the Jinja2 that nunjucks lacks', () => {
    assert.equal(render('{% set l = [] %}{% do l.append(3) %}{{ l[0] }}'), '3');
    assert.equal(render('{% set x = none %}{% if x is none %}none{% endif %}{% if y is none %}, undefined is not none{% endif %}'), 'none');
    assert.equal(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }}{{ ',' if not loop.last }}{% endfor %}"), 'a=1,b=2');
    assert.equal(render("{{ 'a' ~ 'b' }}|{{ 'Hi There'.lower().split(' ') | join('_') }}|{{ '  x '.strip() }}"), 'ab|hi_there|x');
    assert.equal(render('{% set s %}\nselect 1\n{% endset %}{{ s | trim }}'), 'select 1');
    assert.equal(render('{%- for i in range(3) -%}\n  {{ i }}\n{%- endfor %}'), '012');
    assert.equal(render('{{ True and not False }} {{ None is none }}'), 'True True');
    assert.equal(render("{{ pick(true) | join(',') }}|{{ pick(false) is none }}|{{ outer() }}"), '1,2|True|2');
    assert.equal(render("{{ greet('ana') }} {{ greet('bo', punct='?') }} {{ p.greet('cy') }}"), 'hi ana! hi bo? hi cy!');
    assert.equal(render("{{ var('days') }} {{ var('missing', 3) }} {{ env_var('CM_NOT_SET', 'dflt') }} {{ target.type }}"), '7 3 dflt sqlite');
    assert.equal(render("{{ dbt.dateadd('day', -7, 'd') }}"), "strftime('%Y-%m-%dT%H:%M:%fZ', d, printf('%+d days', -7))");
    assert.equal(render("{{ adapter.dispatch('datediff', 'dbt')('a', 'b', 'day') }}"), "date_diff(b, a, 'DAY')");
  });

  it('keeps nested config dicts and any key', () => {
    const configs: Array<Record<string, unknown>> = [];
    render("{{ config(materialized='incremental', unique_key=['a', 'b'], meta={'x': {'y': [1, {'z': 2}]}}, my_key=\"v\") }}", hooks(configs));
    assert.deepEqual(configs[0], { materialized: 'incremental', unique_key: ['a', 'b'], meta: { x: { y: [1, { z: 2 }] } }, my_key: 'v' });
  });

  it('reports raise_compiler_error at the calling line', () => {
    try {
      render("select 1\n\n{{ exceptions.raise_compiler_error('bad input') }}");
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof DiagnosticError);
      assert.equal(err.diagnostic.line, 3);
      assert.equal(err.diagnostic.message, 'bad input');
    }
  });

  it('maps compiled lines to source lines, also across skipped blocks', () => {
    const out = renderer.render('/p/models/m.sql', "select a\n{% if false %}\nskipped\n{% endif %}\nfrom {{ ref('t') }}\n{% set x = 1 %}{{ x }} as y\n", hooks());
    const lines = out.sql.split('\n');
    const fromLine = lines.findIndex((l) => l.startsWith('from')) + 1;
    assert.equal(out.lineMap.locate(fromLine).line, 5);
    const yLine = lines.findIndex((l) => l.includes('as y')) + 1;
    assert.equal(out.lineMap.locate(yLine).line, 6);
  });
});
