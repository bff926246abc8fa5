import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { parseDockerImage, parseNpmPackage, parseProjectConfig, parsePypiPackage } from '../../src/core/config/projectConfig';
import { fixturePath, repoRoot } from '../support/fixtures';

describe('community-metrics.yml: pypi, npm, docker and slack artifacts', () => {
  it('reads short names and oss-directory style URLs for every source', () => {
    const text = `projects:
  - name: a
    github: [o/r]
    pypi:
      - https://pypi.org/project/OpenLineage_Python/
      - url: https://pypi.org/project/marquez-airflow
      - pip
    npm: ["@safe-global/safe-core-sdk", "https://www.npmjs.com/package/@s/x", left-pad]
    docker: [https://hub.docker.com/r/marquezproject/marquez, library/postgres, https://hub.docker.com/_/redis, nginx]
    slack:
      - openlineage
      - domain: https://marquezproject.slack.com
        export: exports/marquez.zip
        channels: ["#general", random]
`;
    const { config, problems } = parseProjectConfig(text);
    assert.deepEqual(problems, []);
    const p = config.projects[0];
    assert.deepEqual(p?.pypi?.map((x) => x.name), ['openlineage-python', 'marquez-airflow', 'pip']);
    assert.deepEqual(p?.npm?.map((x) => x.name), ['@safe-global/safe-core-sdk', '@s/x', 'left-pad']);
    assert.deepEqual(p?.docker?.map((x) => x.fullName), ['marquezproject/marquez', 'library/postgres', 'library/redis', 'library/nginx']);
    assert.deepEqual(p?.slack, [{ domain: 'openlineage' }, { domain: 'marquezproject', exportPath: 'exports/marquez.zip', channels: ['general', 'random'] }]);
  });

  it('reads the oss-directory project files, ignoring their own keys', () => {
    for (const f of ['opensource-observer.yaml', 'web3py-ethereum.yaml']) {
      const raw = readFileSync(fixturePath(`ossdirectory/projects/${f}`), 'utf8');
      // An oss-directory project is one project: indent it under projects:.
      const text = `projects:\n  - ${raw.trim().split('\n').join('\n    ')}\n`;
      const { config, problems } = parseProjectConfig(text);
      // Org-level GitHub URLs are not repositories: reported, with the rest kept.
      assert.ok(problems.every((x) => /GitHub repository/.test(x.message)), JSON.stringify(problems));
      assert.ok((config.projects[0]?.pypi?.length ?? 0) > 0, f);
    }
  });

  it('puts each bad artifact on its own line and column, keeping the good ones', () => {
    const text = 'projects:\n  - name: a\n    pypi: [ok-pkg, "bad name"]\n    npm:\n      - "@/x"\n    docker:\n      - a/b/c\n    slack:\n      - domain: "Not A Domain!"\n    fancy: 1\n';
    const { config, problems } = parseProjectConfig(text);
    const at = problems.map((p) => [p.severity, p.range.startLine, p.range.startColumn, p.message.slice(0, 30)]);
    assert.deepEqual(at, [
      ['error', 2, 19, 'Not a PyPI package: expected a'],
      ['error', 4, 8, "Not an npm package: expected '"],
      ['error', 6, 8, 'Not a Docker Hub image: expect'],
      ['error', 8, 16, "A Slack workspace needs a 'dom"],
      ['warning', 9, 4, "Unknown key 'fancy': a project"],
    ]);
    assert.deepEqual(config.projects[0]?.pypi, [{ name: 'ok-pkg' }]);
  });

  it('rejects what is not a package or image', () => {
    for (const bad of ['-x', 'a b', 'https://pypi.org/simple/x']) assert.equal(parsePypiPackage(bad), undefined, bad);
    for (const bad of ['@/x', 'a/b', '@S/x y']) assert.equal(parseNpmPackage(bad), undefined, bad);
    for (const bad of ['a/b/c', 'UPPER/x', '']) assert.equal(parseDockerImage(bad), undefined, bad);
  });

  it('agrees with the shipped JSON Schema', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'media/community-metrics.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const good = 'projects:\n  - name: a\n    github: [o/r]\n    pypi: [https://pypi.org/project/x]\n    npm: ["@s/x"]\n    docker: [library/x, https://hub.docker.com/r/ns/name]\n    slack: [{ domain: acme, export: e.zip }]\n';
    assert.ok(validate(parseYaml(good)), JSON.stringify(validate.errors));
    assert.deepEqual(parseProjectConfig(good).problems, []);
    const bad = 'projects:\n  - name: a\n    docker: [a/b/c]\n';
    assert.equal(validate(parseYaml(bad)), false);
    assert.ok(parseProjectConfig(bad).problems.length > 0);
    const marked = "projects:\n  - name: a\n    pypi:\n      - { name: marquez-airflow, marked_version: '0.4.0' }\n";
    assert.ok(validate(parseYaml(marked)), JSON.stringify(validate.errors));
    assert.equal(validate(parseYaml("projects:\n  - name: a\n    pypi:\n      - { name: x, mark: '1' }\n")), false, 'a misspelt key is caught in the editor');
  });

  it('warns on a misspelt key of an artifact mapping instead of ignoring it in silence', () => {
    const text = 'projects:\n  - name: a\n    slack:\n      - domain: acme\n        exportPath: e.zip\n    pypi:\n      - name: x\n        marked: 1.0\n';
    const { config, problems } = parseProjectConfig(text);
    assert.deepEqual(problems.map((p) => [p.severity, p.range.startLine, p.range.startColumn, p.message]), [
      ['warning', 7, 8, "Unknown key 'marked': a PyPI package takes name (or url) and marked_version."],
      ['warning', 4, 8, "Unknown key 'exportPath': a Slack workspace takes domain, export and channels."],
    ]);
    assert.deepEqual(config.projects[0]?.slack, [{ domain: 'acme' }]);
    assert.deepEqual(config.projects[0]?.pypi, [{ name: 'x' }]);
  });

  it('reads a marked version of a PyPI package as written, and puts a bad one on its line', () => {
    const text = `projects:
  - name: a
    pypi:
      - name: Marquez_Airflow
        marked_version: '0.4.0'
      - url: https://pypi.org/project/openlineage-airflow
        marked_version: 1.10
      - name: plain
      - name: broken
        marked_version: [1]
`;
    const { config, problems } = parseProjectConfig(text);
    assert.deepEqual(config.projects[0]?.pypi, [
      { name: 'marquez-airflow', markedVersion: '0.4.0' },
      // Unquoted, YAML reads 1.10 as the number 1.1: the version is taken as written.
      { name: 'openlineage-airflow', markedVersion: '1.10' },
      { name: 'plain' },
      { name: 'broken' },
    ]);
    assert.deepEqual(problems.map((p) => [p.severity, p.range.startLine, p.message]), [['error', 9, "'marked_version' must be a version of 'broken', such as '0.4.0'."]]);
  });
});
