import assert from 'node:assert/strict';
import { parseGitHubRepository, parseProjectConfig } from '../../src/core/config/projectConfig';

describe('community-metrics.yml', () => {
  it('reads projects and their GitHub repositories', () => {
    const { config, problems } = parseProjectConfig('projects:\n  - name: openlineage\n    github: [OpenLineage/OpenLineage]\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(config.projects, [{ name: 'openlineage', github: [{ owner: 'OpenLineage', repo: 'OpenLineage', fullName: 'OpenLineage/OpenLineage' }] }]);
  });

  it('accepts oss-directory style URLs and a single string', () => {
    const { config, problems } = parseProjectConfig(
      'projects:\n  - name: a\n    github:\n      - url: https://github.com/MarquezProject/marquez\n      - https://github.com/x/y.git\n  - name: b\n    github: c/d\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.projects.map((p) => p.github.map((g) => g.fullName)), [['MarquezProject/marquez', 'x/y'], ['c/d']]);
  });

  it('puts a YAML syntax error on its line and keeps going', () => {
    const text = 'projects:\n  - name: ok\n    github: [a/b\n  - name: x\n';
    const { config, problems } = parseProjectConfig(text);
    assert.equal(config.projects.length, 0);
    assert.ok(problems.length > 0);
    assert.equal(problems[0]?.severity, 'error');
    assert.match(problems[0]?.message ?? '', /YAML syntax error/);
    assert.ok((problems[0]?.range.startLine ?? -1) >= 2, `line ${problems[0]?.range.startLine}`);
  });

  it('reports a bad repository on its own line and keeps the valid entries', () => {
    const text = 'projects:\n  - name: one\n    github:\n      - good/repo\n      - not a repo\n  - name: two\n    github: [x/y]\n';
    const { config, problems } = parseProjectConfig(text);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.range.startLine, 4);
    assert.equal(problems[0]?.range.startColumn, 8);
    assert.deepEqual(config.projects.map((p) => [p.name, p.github.length]), [['one', 1], ['two', 1]]);
  });

  it('names the missing pieces', () => {
    assert.match(parseProjectConfig('').problems[0]?.message ?? '', /empty/);
    assert.match(parseProjectConfig('foo: 1\n').problems[0]?.message ?? '', /Missing 'projects:'/);
    assert.match(parseProjectConfig('projects: 3\n').problems[0]?.message ?? '', /must be a list/);
    const noName = parseProjectConfig('projects:\n  - github: [a/b]\n');
    assert.match(noName.problems[0]?.message ?? '', /missing a 'name'/);
    assert.equal(noName.problems[0]?.range.startLine, 1);
    const dup = parseProjectConfig('projects:\n  - name: a\n    npm: [x]\n  - name: a\n    npm: [y]\n');
    assert.match(dup.problems[0]?.message ?? '', /listed twice/);
    assert.equal(dup.problems[0]?.range.startLine, 3);
  });

  it('rejects names that are not owner/repo', () => {
    for (const bad of ['a', 'a/b/c', '../x', 'https://gitlab.com/a/b', 'a/..', '-/x y']) assert.equal(parseGitHubRepository(bad), undefined, bad);
  });
});
