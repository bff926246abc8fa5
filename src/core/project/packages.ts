import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isRecord } from './yamlFile';

/**
 * `deps`: installs the packages of packages.yml (or dependencies.yml) into dbt_packages/, as dbt
 * does: local folders are copied, git repositories are cloned at their `revision` (tag, branch or
 * commit; `subdirectory` honoured), and hub names (`package: dbt-labs/dbt_utils`, `version:` ranges)
 * are resolved through the hub's index to their git repository and the newest matching tag. The
 * result is pinned in package-lock.yml, in dbt's shape (hub versions, git commits); a later `deps`
 * with the same packages.yml installs exactly the locked versions and commits. Git runs as the `git` program, so the user's git settings
 * (credentials, `url.<base>.insteadOf` mirrors) apply.
 */
const run = promisify(execFile);

export const LOCK_FILE = 'package-lock.yml';
export const DEFAULT_HUB_URL = 'https://hub.getdbt.com';

export interface PackageSpec {
  /** 0-based position in packages.yml. */
  index: number;
  local?: string;
  git?: string;
  revision?: string;
  subdirectory?: string;
  /** Hub name, `org/name`. */
  package?: string;
  version?: string[];
}

export interface InstalledEntry {
  spec: PackageSpec;
  /** The package's project name (its folder under dbt_packages/). */
  name: string;
  /** What is pinned: the git URL and commit, or the local path. */
  git?: string;
  commit?: string;
  version?: string;
}

export interface DepsProblem {
  spec: PackageSpec;
  message: string;
}

export interface DepsResult {
  installed: InstalledEntry[];
  problems: DepsProblem[];
  lockFile?: string;
}

export interface DepsOptions {
  hubUrl?: string;
  /** Fetches JSON from the hub (undici in the CLI; injected so that core stays free of HTTP). */
  fetchJson: (url: string) => Promise<unknown>;
  log?: (message: string) => void;
}

export async function readPackageSpecs(root: string): Promise<{ file?: string; text: string; specs: PackageSpec[] }> {
  for (const name of ['packages.yml', 'dependencies.yml']) {
    const file = path.join(root, name);
    if (!existsSync(file)) continue;
    const text = await readFile(file, 'utf8');
    const value = parseYaml(text) as unknown;
    const list = isRecord(value) && Array.isArray(value.packages) ? value.packages : [];
    const specs: PackageSpec[] = [];
    list.forEach((raw: unknown, index: number) => {
      if (!isRecord(raw)) return;
      const spec: PackageSpec = { index };
      if (typeof raw.local === 'string') spec.local = raw.local;
      if (typeof raw.git === 'string') spec.git = raw.git;
      if (raw.revision !== undefined) spec.revision = String(raw.revision);
      if (typeof raw.subdirectory === 'string') spec.subdirectory = raw.subdirectory;
      if (typeof raw.package === 'string') spec.package = raw.package;
      if (raw.version !== undefined) spec.version = (Array.isArray(raw.version) ? raw.version : [raw.version]).map(String);
      specs.push(spec);
    });
    return { file, text, specs };
  }
  return { text: '', specs: [] };
}

function describe(spec: PackageSpec): string {
  if (spec.local) return `local: ${spec.local}`;
  if (spec.git) return `git: ${spec.git}${spec.revision ? ` (revision ${spec.revision})` : ''}`;
  return `package: ${spec.package}${spec.version ? ` (version ${spec.version.join(', ')})` : ''}`;
}

export { describe as describePackage };

function versionParts(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
}

function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** dbt's version ranges: a list of `>=1.0.0`, `<2.0.0`, `1.1.1`, ... all of which must hold. */
export function satisfies(version: string, ranges: string[]): boolean {
  if (/[a-z]/i.test(version.replace(/^v/, ''))) return false; // pre-releases only when named exactly
  return ranges.every((r) => {
    const m = /^\s*(>=|<=|>|<|==|=)?\s*v?([\d.]+)\s*$/.exec(r);
    if (!m) return false;
    const c = compareVersions(version, m[2] as string);
    switch (m[1]) {
      case '>=':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
      default:
        return c === 0;
    }
  });
}

/** The hub's answer for one package: its versions, each with the git repository and tag it is. */
async function resolveHub(spec: PackageSpec, opts: DepsOptions): Promise<{ git: string; revision: string; version: string }> {
  const name = spec.package as string;
  const url = `${(opts.hubUrl ?? DEFAULT_HUB_URL).replace(/\/$/, '')}/api/v1/${name}.json`;
  let index: unknown;
  try {
    index = await opts.fetchJson(url);
  } catch (err) {
    throw new Error(`the package hub (${url}) could not be reached: ${(err as Error).message}`);
  }
  const versions = isRecord(index) && isRecord(index.versions) ? index.versions : {};
  const wanted = spec.version ?? [];
  const candidates = Object.keys(versions)
    .filter((v) => (wanted.length ? wanted.some((w) => w.replace(/^[=v\s]+/, '') === v) || satisfies(v, wanted) : !/[a-z]/i.test(v)))
    .sort(compareVersions);
  const chosen = candidates[candidates.length - 1];
  if (!chosen) throw new Error(`no version of ${name} on the hub matches ${wanted.join(', ') || 'any version'} (versions: ${Object.keys(versions).join(', ') || 'none'})`);
  const entry = versions[chosen] as Record<string, unknown>;
  const downloads = isRecord(entry.downloads) ? entry.downloads : {};
  const tarball = typeof downloads.tarball === 'string' ? downloads.tarball : '';
  // https://codeload.github.com/<org>/<repo>/tar.gz/<ref>: the repository and the tag it was cut from.
  const m = /^https?:\/\/codeload\.github\.com\/([^/]+)\/([^/]+)\/tar\.gz\/(.+)$/.exec(tarball);
  if (!m) throw new Error(`the hub gives no git repository for ${name} ${chosen} (download: ${tarball || 'none'})`);
  return { git: `https://github.com/${m[1]}/${m[2]}.git`, revision: decodeURIComponent(m[3] as string), version: chosen };
}

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new Error("the 'git' program is not installed (needed for git and hub packages)");
    throw new Error((e.stderr || e.message).trim().split('\n').slice(-2).join(' '));
  }
}

async function projectNameOf(dir: string): Promise<string> {
  const file = path.join(dir, 'dbt_project.yml');
  if (!existsSync(file)) throw new Error(`${dir} has no dbt_project.yml, so it is not a dbt package`);
  const v = parseYaml(await readFile(file, 'utf8')) as unknown;
  if (!isRecord(v) || typeof v.name !== 'string') throw new Error(`${file} has no 'name'`);
  return v.name;
}

/** What package-lock.yml pins for an entry of packages.yml (dbt's shape: hub version, git commit). */
interface LockEntry {
  version?: string;
  commit?: string;
}

function lockKey(e: { package?: unknown; git?: unknown; local?: unknown }): string {
  return typeof e.package === 'string' ? `hub:${e.package}` : typeof e.git === 'string' ? `git:${e.git}` : `local:${String(e.local)}`;
}

/** package-lock.yml as dbt writes it, when it was made from this packages.yml. */
async function readLock(root: string, packagesText: string): Promise<Map<string, LockEntry> | undefined> {
  const file = path.join(root, LOCK_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const v = parseYaml(await readFile(file, 'utf8')) as unknown;
    if (!isRecord(v) || v.sha1_hash !== sha1(packagesText) || !Array.isArray(v.packages)) return undefined;
    const out = new Map<string, LockEntry>();
    for (const p of v.packages) {
      if (!isRecord(p)) continue;
      out.set(lockKey(p), { ...(p.version !== undefined ? { version: String(p.version) } : {}), ...(typeof p.revision === 'string' ? { commit: p.revision } : {}) });
    }
    return out;
  } catch {
    return undefined;
  }
}

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

export async function installPackages(root: string, opts: DepsOptions): Promise<DepsResult> {
  const { file, text, specs } = await readPackageSpecs(root);
  const result: DepsResult = { installed: [], problems: [] };
  if (!file) return result;
  const lock = await readLock(root, text);
  const target = path.join(root, 'dbt_packages');
  const work = await mkdtemp(path.join(tmpdir(), 'cm-deps-'));
  try {
    for (const spec of specs) {
      try {
        let source: string;
        const entry: Omit<InstalledEntry, 'name'> = { spec };
        if (spec.local) {
          source = path.resolve(root, spec.local);
          if (!existsSync(source)) throw new Error(`the folder ${source} does not exist`);
        } else {
          const lockedEntry = lock?.get(lockKey(spec));
          let gitUrl = spec.git;
          let revision = spec.revision;
          if (!gitUrl) {
            if (!spec.package) throw new Error("an entry needs 'local', 'git' or 'package'");
            const hub = await resolveHub(lockedEntry?.version ? { ...spec, version: [lockedEntry.version] } : spec, opts);
            gitUrl = hub.git;
            revision = hub.revision;
            entry.version = hub.version;
          }
          const locked = spec.git ? lockedEntry?.commit : undefined;
          const clone = path.join(work, String(spec.index));
          opts.log?.(`cloning ${gitUrl}${locked ? ` at locked ${locked}` : revision ? ` at ${revision}` : ''}`);
          await git(['clone', '--quiet', gitUrl, clone]);
          const ref = locked ?? revision;
          if (ref) {
            try {
              await git(['checkout', '--quiet', ref], clone);
            } catch {
              await git(['checkout', '--quiet', `origin/${ref}`], clone);
            }
          }
          entry.git = gitUrl;
          entry.commit = await git(['rev-parse', 'HEAD'], clone);
          source = spec.subdirectory ? path.join(clone, spec.subdirectory) : clone;
        }
        const name = await projectNameOf(source);
        const dest = path.join(target, name);
        await rm(dest, { recursive: true, force: true });
        await cp(source, dest, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
        result.installed.push({ ...entry, name });
        opts.log?.(`installed ${name} (${describe(spec)})`);
      } catch (err) {
        result.problems.push({ spec, message: (err as Error).message });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (result.problems.length === 0) {
    const lockFile = path.join(root, LOCK_FILE);
    // dbt's package-lock.yml shape, so that dbt itself can read it.
    const packages = result.installed.map((e) => ({
      ...(e.spec.local ? { local: e.spec.local } : {}),
      ...(e.spec.package ? { package: e.spec.package, version: e.version } : {}),
      ...(e.spec.git ? { git: e.spec.git, revision: e.commit } : {}),
      ...(e.spec.subdirectory ? { subdirectory: e.spec.subdirectory } : {}),
      name: e.name,
    }));
    await writeFile(lockFile, stringifyYaml({ packages, sha1_hash: sha1(text) }));
    result.lockFile = lockFile;
  }
  return result;
}
