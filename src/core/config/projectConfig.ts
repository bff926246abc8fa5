import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';

export const CONFIG_FILE_NAME = 'community-metrics.yml';

/** A 0-based position range in the configuration file, for diagnostics. */
export interface SourceRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface ConfigProblem {
  message: string;
  severity: 'error' | 'warning';
  range: SourceRange;
}

export interface GitHubRepository {
  owner: string;
  repo: string;
  /** `owner/repo`, the seed's `project` column. */
  fullName: string;
}

export interface PypiPackage {
  /** The name as PyPI normalises it (PEP 503: lower case, runs of `-_.` as one `-`), as pypistats uses. */
  name: string;
  /**
   * A version the user marks (`marked_version:`), e.g. the release that fixed a vulnerability: an
   * insight flags a large share of recent downloads still on older versions.
   */
  markedVersion?: string;
}

export interface NpmPackage {
  /** `name` or `@scope/name`. */
  name: string;
  /** As for PyPI: a version the user marks (`marked_version:`); older ones are flagged. */
  markedVersion?: string;
}

export interface DockerImage {
  /** `library` for official images. */
  namespace: string;
  name: string;
  /** `namespace/name`, the seed's `image` column. */
  fullName: string;
}

export interface SlackWorkspace {
  /** The workspace's subdomain (`<domain>.slack.com`), the seed's `domain` column. */
  domain: string;
  /** A workspace export (folder or .zip) to import, relative to the workspace folder. */
  exportPath?: string;
  /** Channel names to keep; all public channels when absent. */
  channels?: string[];
}

export interface TrackedProject {
  name: string;
  github: GitHubRepository[];
  /** The other sources are present only when listed, so that a GitHub-only project stays as it was. */
  pypi?: PypiPackage[];
  npm?: NpmPackage[];
  docker?: DockerImage[];
  slack?: SlackWorkspace[];
}

export interface ProjectConfig {
  projects: TrackedProject[];
}

export interface ParsedConfig {
  /** The usable part of the configuration: entries with problems are left out, the rest kept. */
  config: ProjectConfig;
  problems: ConfigProblem[];
}

const REPO_NAME = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const GITHUB_URL = /^https?:\/\/(?:www\.)?github\.com\/([^/\s]+)\/([^/\s#?]+?)(?:\.git)?\/?$/;

/** Accepts `owner/repo` or an oss-directory style `https://github.com/owner/repo` URL. */
export function parseGitHubRepository(value: string): GitHubRepository | undefined {
  const trimmed = value.trim();
  const url = GITHUB_URL.exec(trimmed);
  const candidate = url ? `${url[1]}/${url[2]}` : trimmed;
  if (!REPO_NAME.test(candidate)) return undefined;
  const [owner, repo] = candidate.split('/') as [string, string];
  if (repo === '.' || repo === '..') return undefined;
  return { owner, repo, fullName: `${owner}/${repo}` };
}

const PYPI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PYPI_URL = /^https?:\/\/(?:www\.)?pypi\.(?:org|python\.org)\/(?:project|pypi)\/([^/\s?#]+)\/?(?:[?#].*)?$/;
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[A-Za-z0-9][A-Za-z0-9._~-]*$/;
const NPM_URL = /^https?:\/\/(?:www\.)?npmjs\.(?:com|org)\/package\/((?:@[^/\s]+\/)?[^/\s?#]+)\/?(?:[?#].*)?$/;
const DOCKER_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOCKER_URL = /^https?:\/\/hub\.docker\.com\/(?:r\/([^/\s]+)\/([^/\s?#]+)|_\/([^/\s?#]+))\/?(?:[?#].*)?$/;
const SLACK_DOMAIN = /^[a-z0-9][a-z0-9-]{0,20}$/;
const SLACK_URL = /^https?:\/\/([a-z0-9][a-z0-9-]*)\.slack\.com\/?$/;

/** A release version as PEP 440 or semver writes it (a leading `v` allowed). */
const VERSION = /^v?\d+(?:\.\d+)*(?:[-._+]?[0-9A-Za-z]+(?:[._-][0-9A-Za-z]+)*)?$/;

/** PEP 503 normalisation, which pypistats also applies to the names it is asked for. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Accepts a PyPI project name or an oss-directory style `https://pypi.org/project/<name>` URL. */
export function parsePypiPackage(value: string): PypiPackage | undefined {
  const trimmed = value.trim();
  const candidate = PYPI_URL.exec(trimmed)?.[1] ?? trimmed;
  return PYPI_NAME.test(candidate) ? { name: normalizePypiName(candidate) } : undefined;
}

/** Accepts `name`, `@scope/name` or `https://www.npmjs.com/package/@scope/name`. */
export function parseNpmPackage(value: string): NpmPackage | undefined {
  const trimmed = value.trim();
  const url = NPM_URL.exec(trimmed)?.[1];
  const candidate = url ? decodeURIComponent(url) : trimmed;
  return NPM_NAME.test(candidate) && candidate.length <= 214 ? { name: candidate } : undefined;
}

/** Accepts `namespace/name`, `name` or `library/name` (official images), and hub.docker.com URLs. */
export function parseDockerImage(value: string): DockerImage | undefined {
  const trimmed = value.trim();
  const url = DOCKER_URL.exec(trimmed);
  const parts = url ? (url[3] ? ['library', url[3]] : [url[1] ?? '', url[2] ?? '']) : trimmed.split('/');
  const [namespace, name] = parts.length === 1 ? ['library', parts[0] ?? ''] : parts;
  if (parts.length > 2 || !namespace || !name || !DOCKER_PART.test(namespace) || !DOCKER_PART.test(name)) return undefined;
  return { namespace, name, fullName: `${namespace}/${name}` };
}

/** Accepts a Slack workspace's subdomain or its `https://<domain>.slack.com` URL. */
export function parseSlackDomain(value: string): string | undefined {
  const trimmed = value.trim().toLowerCase();
  const candidate = SLACK_URL.exec(trimmed)?.[1] ?? trimmed;
  return SLACK_DOMAIN.test(candidate) ? candidate : undefined;
}

/** Keys of a project that are understood, including oss-directory's own, which are accepted and ignored. */
const PROJECT_KEYS = new Set(['name', 'github', 'pypi', 'npm', 'docker', 'slack']);
const OSS_DIRECTORY_KEYS = new Set(['version', 'display_name', 'description', 'websites', 'social', 'blockchain', 'defillama', 'open_collective', 'go', 'crates', 'url']);

/**
 * Parses `community-metrics.yml`. Never throws: YAML syntax errors and shape errors come back as
 * problems with the range of the offending node, so that the editor can put them on the right line.
 */
export function parseProjectConfig(text: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const problems: ConfigProblem[] = [];
  // Characters no configuration holds (a NUL, a raw escape or C1 control, bytes that were not UTF-8):
  // the file is damaged or binary, and a terminal or the editor would show it misleadingly.
  const unreadable = unreadableCharacter(text);
  if (unreadable) {
    const lines = text.slice(0, unreadable.offset).split('\n');
    const line = lines.length - 1;
    const column = (lines[line] ?? '').length;
    problems.push({ message: unreadable.message, severity: 'error', range: { startLine: line, startColumn: column, endLine: line, endColumn: column + 1 } });
    return { config: { projects: [] }, problems };
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  const rangeOf = (offsets: readonly number[] | undefined): SourceRange => {
    const start = offsets?.[0] ?? 0;
    const end = Math.max(offsets?.[1] ?? start, start);
    const s = lineCounter.linePos(start);
    const e = lineCounter.linePos(end);
    return { startLine: s.line - 1, startColumn: s.col - 1, endLine: e.line - 1, endColumn: e.col - 1 };
  };
  const nodeRange = (node: YamlNode | null | undefined, fallback?: readonly number[] | null) =>
    rangeOf(node?.range ?? fallback ?? undefined);
  const error = (message: string, range: SourceRange) => problems.push({ message, severity: 'error', range });
  const warning = (message: string, range: SourceRange) => problems.push({ message, severity: 'warning', range });

  for (const e of doc.errors) error(`YAML syntax error: ${firstLine(e.message)}`, rangeOf(e.pos));
  for (const w of doc.warnings) warning(firstLine(w.message), rangeOf(w.pos));
  const empty: ParsedConfig = { config: { projects: [] }, problems };
  if (doc.errors.length > 0) return empty;

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    error(`${CONFIG_FILE_NAME} is empty: add a 'projects:' list.`, rangeOf([0, 0]));
    return empty;
  }
  if (!isMap(contents)) {
    error(`${CONFIG_FILE_NAME} must be a mapping with a 'projects:' list.`, nodeRange(contents));
    return empty;
  }
  // An alias as a key (`*a: x`) names a node, not a key: reject it wherever it is, on its line.
  visit(doc, {
    Pair(_, pair) {
      if (isAlias(pair.key)) error(`An alias (*${String(pair.key.source)}) cannot be used as a key.`, nodeRange(pair.key as unknown as YamlNode));
    },
  });
  const projectsPair = findPair(contents, 'projects');
  if (!projectsPair) {
    error(`Missing 'projects:' list.`, nodeRange(contents));
    return empty;
  }
  for (const pair of contents.items as Pair[]) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (key === 'projects') continue;
    if (key === null || key === undefined || (isScalar(pair.key) && key === '')) {
      error(`A line starts with ':' but has no key before it.`, nodeRange(pair.key as YamlNode | null, (pair.value as YamlNode | null)?.range ?? contents.range));
    } else if (!isAlias(pair.key)) {
      error(`Unknown top-level key '${typeof key === 'string' ? key : String(key)}': ${CONFIG_FILE_NAME} takes a 'projects:' list.`, nodeRange(pair.key as YamlNode));
    }
  }
  const projectsNode = projectsPair.value as YamlNode | null;
  if (!isSeq(projectsNode)) {
    error(`'projects' must be a list of projects.`, nodeRange(projectsNode, (projectsPair.key as YamlNode).range));
    return empty;
  }

  if (projectsNode.items.length === 0) error(`'projects' is empty: list at least one project with its artifacts.`, nodeRange(projectsNode));
  const projects: TrackedProject[] = [];
  const seenNames = new Set<string>();
  for (const item of projectsNode.items as (YamlNode | null)[]) {
    if (!isMap(item)) {
      error(`Each project must be a mapping with a 'name' and its artifacts (github, pypi, npm, docker, slack).`, nodeRange(item, projectsNode.range));
      continue;
    }
    const nameNode = findPair(item, 'name')?.value as YamlNode | null | undefined;
    if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || nameNode.value.trim() === '') {
      error(`Project is missing a 'name' (a non-empty string).`, nodeRange(nameNode ?? item));
      continue;
    }
    const name = nameNode.value.trim();
    const errorsBefore = problems.filter((p) => p.severity === 'error').length;
    if (seenNames.has(name)) {
      error(`Project '${name}' is listed twice.`, nodeRange(nameNode));
      continue;
    }
    seenNames.add(name);

    const github: GitHubRepository[] = [];
    const githubPair = findPair(item, 'github');
    const githubNode = githubPair?.value as YamlNode | null | undefined;
    if (githubPair && githubNode !== null && githubNode !== undefined) {
      const entries: (YamlNode | null)[] = isSeq(githubNode) ? (githubNode.items as (YamlNode | null)[]) : [githubNode];
      for (const entry of entries) {
        const raw = isScalar(entry) ? entry.value : isMap(entry) ? findPair(entry, 'url')?.value : undefined;
        const rawValue = isScalar(raw) ? raw.value : raw;
        const parsed = typeof rawValue === 'string' ? parseGitHubRepository(rawValue) : undefined;
        if (!parsed) {
          error(`Not a GitHub repository: expected 'owner/repo' or 'https://github.com/owner/repo'.`, nodeRange(entry, githubNode.range));
          continue;
        }
        if (github.some((g) => g.fullName.toLowerCase() === parsed.fullName.toLowerCase())) {
          warning(`Repository '${parsed.fullName}' is listed twice in project '${name}'.`, nodeRange(entry));
          continue;
        }
        github.push(parsed);
      }
    }
    const project: TrackedProject = { name, github };
    const listed = <T>(key: string, what: string, parse: (value: string) => T | undefined, id: (v: T) => string, extra?: (entry: YAMLMap, parsed: T) => void): T[] | undefined => {
      const pair = findPair(item, key);
      const node = pair?.value as YamlNode | null | undefined;
      if (!pair || node === null || node === undefined) return undefined;
      const out: T[] = [];
      const entries: (YamlNode | null)[] = isSeq(node) ? (node.items as (YamlNode | null)[]) : [node];
      for (const entry of entries) {
        const raw = isScalar(entry) ? entry.value : isMap(entry) ? (findPair(entry, 'name') ?? findPair(entry, 'url'))?.value : undefined;
        const rawValue = isScalar(raw) ? raw.value : raw;
        const parsed = typeof rawValue === 'string' ? parse(rawValue) : undefined;
        if (!parsed) {
          error(`Not ${what}.`, nodeRange(entry, node.range));
          continue;
        }
        if (extra && isMap(entry)) extra(entry, parsed);
        if (out.some((o) => id(o).toLowerCase() === id(parsed).toLowerCase())) {
          warning(`'${id(parsed)}' is listed twice in project '${name}'.`, nodeRange(entry));
          continue;
        }
        out.push(parsed);
      }
      return out;
    };
    const marked = (what: string) => (entry: YAMLMap, pkg: { name: string; markedVersion?: string }) => {
      unknownKeys(entry, ['name', 'url', 'marked_version'], `${what} takes name (or url) and marked_version`, nodeRange, warning);
      const markNode = findPair(entry, 'marked_version')?.value as YamlNode | null | undefined;
      if (markNode === undefined || markNode === null) return;
      // The text as written: YAML reads an unquoted 1.10 as the number 1.1.
      const text = isScalar(markNode) && (typeof markNode.value === 'string' || typeof markNode.value === 'number') ? String(markNode.source ?? markNode.value).trim() : '';
      if (VERSION.test(text)) pkg.markedVersion = text;
      else error(`'marked_version' must be a version of '${pkg.name}', such as '0.4.0'.`, nodeRange(markNode));
    };
    const pypi = listed('pypi', "a PyPI package: expected a name or 'https://pypi.org/project/<name>'", parsePypiPackage, (p) => p.name, marked('a PyPI package'));
    if (pypi) project.pypi = pypi;
    const npm = listed('npm', "an npm package: expected 'name', '@scope/name' or 'https://www.npmjs.com/package/<name>'", parseNpmPackage, (p) => p.name, marked('an npm package'));
    if (npm) project.npm = npm;
    const docker = listed('docker', "a Docker Hub image: expected 'namespace/name', 'library/name' or 'https://hub.docker.com/r/<namespace>/<name>'", parseDockerImage, (d) => d.fullName);
    if (docker) project.docker = docker;
    const slack = parseSlackList(item, name, nodeRange, error, warning);
    if (slack) project.slack = slack;
    for (const pair of item.items as Pair[]) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' && !PROJECT_KEYS.has(key) && !OSS_DIRECTORY_KEYS.has(key)) {
        warning(`Unknown key '${key}': a project takes name, github, pypi, npm, docker and slack.`, nodeRange(pair.key as YamlNode));
      } else if (key === null || key === undefined || key === '') {
        if (!isAlias(pair.key)) error(`A line starts with ':' but has no key before it.`, nodeRange(pair.key as YamlNode | null, (pair.value as YamlNode | null)?.range ?? item.range));
      }
    }
    const artifacts = project.github.length + (project.pypi?.length ?? 0) + (project.npm?.length ?? 0) + (project.docker?.length ?? 0) + (project.slack?.length ?? 0);
    // With entries that were all invalid, each already has its own error on its line.
    if (artifacts === 0 && problems.filter((p) => p.severity === 'error').length === errorsBefore) error(`Project '${name}' lists no artifact: add github, pypi, npm, docker or slack.`, nodeRange(nameNode));
    projects.push(project);
  }
  return { config: { projects }, problems };
}

type RangeOf = (node: YamlNode | null | undefined, fallback?: readonly number[] | null) => SourceRange;
type Report = (message: string, range: SourceRange) => void;

/** A misspelt key in an artifact mapping (`exportPath:` for `export:`) would be ignored in silence: warn on its line. */
function unknownKeys(entry: YAMLMap, known: readonly string[], takes: string, nodeRange: RangeOf, warning: Report): void {
  for (const pair of entry.items as Pair[]) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key === 'string' && !known.includes(key)) warning(`Unknown key '${key}': ${takes}.`, nodeRange(pair.key as YamlNode));
  }
}

/** `slack:` takes a domain, a URL, or mappings with `domain`, optional `export` and `channels`. */
function parseSlackList(item: YAMLMap, project: string, nodeRange: RangeOf, error: Report, warning: Report): SlackWorkspace[] | undefined {
  const pair = findPair(item, 'slack');
  const node = pair?.value as YamlNode | null | undefined;
  if (!pair || node === null || node === undefined) return undefined;
  const out: SlackWorkspace[] = [];
  const entries: (YamlNode | null)[] = isSeq(node) ? (node.items as (YamlNode | null)[]) : [node];
  for (const entry of entries) {
    let workspace: SlackWorkspace | undefined;
    if (isScalar(entry) && typeof entry.value === 'string') {
      const domain = parseSlackDomain(entry.value);
      if (domain) workspace = { domain };
    } else if (isMap(entry)) {
      const domainNode = (findPair(entry, 'domain') ?? findPair(entry, 'url'))?.value as YamlNode | null | undefined;
      const domain = isScalar(domainNode) && typeof domainNode.value === 'string' ? parseSlackDomain(domainNode.value) : undefined;
      if (!domain) {
        error(`A Slack workspace needs a 'domain' (the <domain> of <domain>.slack.com).`, nodeRange(domainNode ?? entry));
        continue;
      }
      workspace = { domain };
      unknownKeys(entry, ['domain', 'url', 'export', 'channels'], 'a Slack workspace takes domain, export and channels', nodeRange, warning);
      const exportNode = findPair(entry, 'export')?.value as YamlNode | null | undefined;
      if (exportNode !== undefined && exportNode !== null) {
        if (isScalar(exportNode) && typeof exportNode.value === 'string' && exportNode.value.trim() !== '') {
          const exportPath = exportNode.value.trim();
          if (insideWorkspace(exportPath)) workspace.exportPath = exportPath;
          else error(`'export' must be a path inside the workspace folder (relative, without '..'), not '${exportPath}'.`, nodeRange(exportNode));
        } else error(`'export' must be the path of a Slack export folder or .zip file.`, nodeRange(exportNode));
      }
      const channelsNode = findPair(entry, 'channels')?.value as YamlNode | null | undefined;
      if (channelsNode !== undefined && channelsNode !== null) {
        const items: (YamlNode | null)[] = isSeq(channelsNode) ? (channelsNode.items as (YamlNode | null)[]) : [channelsNode];
        const channels: string[] = [];
        for (const c of items) {
          if (isScalar(c) && (typeof c.value === 'string' || typeof c.value === 'number')) channels.push(String(c.value).replace(/^#/, ''));
          else error(`A channel is a name such as 'general'.`, nodeRange(c, channelsNode.range));
        }
        workspace.channels = channels;
      }
    }
    if (!workspace) {
      error(`Not a Slack workspace: expected its domain or 'https://<domain>.slack.com'.`, nodeRange(entry, node.range));
      continue;
    }
    if (out.some((w) => w.domain === workspace.domain)) {
      warning(`Slack workspace '${workspace.domain}' is listed twice in project '${project}'.`, nodeRange(entry));
      continue;
    }
    out.push(workspace);
  }
  return out;
}

/**
 * Whether a configured path stays inside the workspace folder by its text: relative, no `..` step, no
 * drive or UNC prefix. (The source checks the resolved path again, symlinks followed.)
 */
export function insideWorkspace(p: string): boolean {
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || p.startsWith('~')) return false;
  return !p.split(/[\\/]+/).some((part) => part === '..');
}

/** The first character that no configuration file holds, with a message saying what it is. */
function unreadableCharacter(text: string): { offset: number; message: string } | undefined {
  // eslint-disable-next-line no-control-regex
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffd]/.exec(text);
  if (!m) return undefined;
  const c = m[0];
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const message =
    c === '\u0000'
      ? `${CONFIG_FILE_NAME} contains a NUL byte: it is damaged or not a text file.`
      : c === '\ufffd'
        ? `${CONFIG_FILE_NAME} is not valid UTF-8 here (bytes that decode to no character): save it as UTF-8.`
        : `${CONFIG_FILE_NAME} contains the control character ${code}${c === '\u001b' ? ' (escape)' : ''}: remove it.`;
  return { offset: m.index, message };
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
