import assert from 'node:assert/strict';
import { JinjaRenderer, Relation } from '../../../src/core/project/jinjaRenderer';
import type { RenderHooks } from '../../../src/core/project/jinjaRenderer';

/**
 * Jinja2 semantics that nunjucks alone gets wrong (issue 15, item 1): each expectation is what
 * Jinja2 (and so dbt) renders.
 */
describe('Jinja2 semantics (as dbt renders them)', () => {
  const renderer = new JinjaRenderer({ projectName: 'p', vars: {}, missingPackages: [] });
  const configs: Array<Record<string, unknown>> = [];
  const hooks: RenderHooks = {
    ref: (n) => new Relation(n),
    source: (_s, t) => new Relation(t),
    config: (v) => configs.push(v),
    configGet: () => undefined,
    isIncremental: () => false,
    execute: true,
  };
  before(() => {
    renderer.loadMacroFile(
      '/p/macros/m.sql',
      [
        '{% macro empty() %}{% endmacro %}',
        '{% macro cols(a, b,) %}{{ a }}-{{ b }}{% endmacro %}',
        "{% macro flexible(a, b='dflt') %}{{ a }}|{{ b }}|{{ varargs | join(',') }}|{% for k, v in kwargs | dictsort %}{{ k }}={{ v }};{% endfor %}|{{ kwargs.get('where', 'none') }}{% endmacro %}",
        '{% macro forward() %}{{ flexible(*varargs, **kwargs) }}{% endmacro %}',
      ].join('\n'),
      'p',
    );
    renderer.installMacros();
  });
  const render = (text: string) => renderer.render('/p/models/m.sql', text, hooks).sql;

  it('holds empty lists, dicts, strings and Markup false', () => {
    assert.equal(render('{% if [] %}T{% else %}F{% endif %}'), 'F');
    assert.equal(render('{% if {} %}T{% else %}F{% endif %}'), 'F');
    assert.equal(render('{% set l = [] %}{% if not l %}empty{% endif %}'), 'empty');
    assert.equal(render("{{ [] or 'dflt' }}|{{ {} and 'x' }}|{{ [1] and 'x' }}"), "dflt|{}|x");
    assert.equal(render("{{ 'yes' if [] else 'no' }}"), 'no');
    assert.equal(render('{% if empty() %}T{% else %}F{% endif %}'), 'F');
    assert.equal(render('{% set joins = [] %}select 1{% if joins %} inner join x{% endif %}'), 'select 1');
  });

  it('prints none, booleans and lists as Python does', () => {
    assert.equal(render('{{ none }}|{{ None }}|{{ true }}|{{ False }}'), 'None|None|True|False');
    assert.equal(render("{{ [1, 'a'] }}|{{ {'k': none} }}"), "[1, 'a']|{'k': None}");
    assert.equal(render("{{ 'a' ~ none ~ 1 }}|{{ undefined_name }}|"), 'aNone1||');
  });

  it('accepts trailing commas in calls, signatures, lists and dicts', () => {
    assert.equal(render("{{ cols('x', 'y',) }}"), 'x-y');
    assert.equal(render("{{ [1, 2,] | length }}|{{ {'a': 1,}['a'] }}"), '2|1');
    assert.equal(render("{% for x in ('a',) %}{{ x }}{% endfor %}|{% for x in ('a', 'b') %}{{ x }}{% endfor %}"), 'a|ab');
    configs.length = 0;
    render("{{ config(\n  materialized='table',\n  tags=['a',],\n) }}");
    assert.deepEqual(configs[0], { materialized: 'table', tags: ['a'] });
  });

  it('unpacks *args and **kwargs in calls, as dbt_utils does', () => {
    assert.equal(render("{% set k = {'b': 2} %}{{ cols(**k, a=1) }}|{{ cols(*['x', 'y']) }}|{{ cols('p', **undefined_kwargs, b='q') }}"), '1-2|x-y|p-q');
  });

  it('gives a macro body Jinja2\'s varargs and kwargs: the arguments its signature does not name', () => {
    assert.equal(render("{{ flexible(1, 2, 3, 4, x='y', where='w') }}"), "1|2|3,4|where=w;x=y;|w");
    assert.equal(render("{{ flexible(1, b=5) }}"), '1|5|||none', 'named parameters are not in kwargs');
    assert.equal(render('{{ flexible(1) }}'), '1|dflt|||none');
    assert.equal(render("{{ forward(7, 8, 9, where='z') }}"), '7|8|9|where=z;|z', 'passed on with *varargs and **kwargs, as dbt_utils macros do');
  });

  it('reads JSON values from fromjson with subscripts, including Python\'s negative indexes', () => {
    const json = '{"rows": [{"n": 1, "tags": ["a", "b"]}, {"n": 2, "tags": []}], "k": "v"}';
    assert.equal(render(`{% set d = fromjson('${json}') %}{{ d['rows'][0]['n'] }}|{{ d.rows[1].n }}|{{ d['rows'][0].tags[-1] }}|{{ d.rows[-1].n }}|{{ d['k'] }}`), '1|2|b|2|v');
    assert.equal(render("{{ fromjson('[10, 20, 30]')[0] }}|{{ fromjson('[10, 20, 30]')[-1] }}|{{ 'abc'[-1] }}|{{ [1, 2][-2] }}"), '10|30|c|1');
  });

  it('keeps objects used as dict keys: items() and keys() give back the relations (mattermost-data-warehouse keys a dict by ref())', () => {
    assert.equal(render("{% set d = {ref('orders'): 'o', 'plain': 1} %}{% for m, alias in d.items() %}{{ m.identifier if m is not string else m }}={{ alias }};{% endfor %}{% for m in d.keys() %}{{ m is string }},{% endfor %}{{ d[ref('orders')] }}"), 'orders=o;plain=1;False,True,o');
  });

  it('joins items as Python\'s str() does', () => {
    assert.equal(render("{{ [1, none, true, 'a'] | join(',') }}|{{ [[1, 2], ['x']] | join(';') }}|{{ [{'n': 'a'}, {'n': 'b'}] | join('-', attribute='n') }}|{{ ['p', 'q'] | join }}"), "1,None,True,a|[1, 2];['x']|a-b|pq");
  });

  it('calls a method on a multi-line string literal', () => {
    assert.equal(render("{% set m = '\nline {}.\\\n'.format('one') %}{{ m | trim }}"), 'line one.');
  });

  it("accepts {%+ %} and +%}", () => {
    assert.equal(render('a\n{%+ if true +%}\nb\n{%+ endif %}'), 'a\n\nb\n');
  });

  it('has the comparison tests for select and reject', () => {
    assert.equal(render("{{ ['a', 'b', 'a'] | reject('==', 'a') | join(',') }}"), 'b');
    assert.equal(render("{{ [1, 5, 3] | select('>', 2) | join(',') }}|{{ [1, 5, 3] | select('ge', 3) | join(',') }}"), '5,3|5,3');
    assert.equal(render("{{ ['', 'x', none] | select | join(',') }}"), 'x');
    assert.equal(render("{{ [{'n': 'a', 't': 'int'}, {'n': 'b', 't': 'text'}] | selectattr('t', 'equalto', 'text') | map(attribute='n') | join }}"), 'b');
    assert.equal(render("{{ [{'n': 'a', 'x': []}, {'n': 'b', 'x': [1]}] | rejectattr('x') | map(attribute='n') | join }}"), 'a');
  });

  it('evaluates dict keys as expressions', () => {
    assert.equal(render("{% set k = 'col' %}{% set d = {k: 1, 'lit': 2, k ~ '_2': 3} %}{{ d['col'] }}{{ d.lit }}{{ d.col_2 }}"), '123');
    assert.equal(render('{% set d = {1: "one"} %}{{ d[1] }}'), 'one');
  });
});
