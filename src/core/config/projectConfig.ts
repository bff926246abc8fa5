import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
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

export interface TrackedProject {
  name: string;
  github: GitHubRepository[];
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

/**
 * Parses `community-metrics.yml`. Never throws: YAML syntax errors and shape errors come back as
 * problems with the range of the offending node, so that the editor can put them on the right line.
 */
export function parseProjectConfig(text: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];

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
  const projectsPair = findPair(contents, 'projects');
  if (!projectsPair) {
    error(`Missing 'projects:' list.`, nodeRange(contents));
    return empty;
  }
  const projectsNode = projectsPair.value as YamlNode | null;
  if (!isSeq(projectsNode)) {
    error(`'projects' must be a list of projects.`, nodeRange(projectsNode, (projectsPair.key as YamlNode).range));
    return empty;
  }

  const projects: TrackedProject[] = [];
  const seenNames = new Set<string>();
  for (const item of projectsNode.items as (YamlNode | null)[]) {
    if (!isMap(item)) {
      error(`Each project must be a mapping with 'name' and 'github'.`, nodeRange(item, projectsNode.range));
      continue;
    }
    const nameNode = findPair(item, 'name')?.value as YamlNode | null | undefined;
    if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || nameNode.value.trim() === '') {
      error(`Project is missing a 'name' (a non-empty string).`, nodeRange(nameNode ?? item));
      continue;
    }
    const name = nameNode.value.trim();
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
    projects.push({ name, github });
  }
  return { config: { projects }, problems };
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
