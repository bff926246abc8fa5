import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import { YamlFile, asStringList, isRecord } from './yamlFile';

/**
 * Where a project's files are: dbt_project.yml when present (with the dbt 1.x keys and the 0.x
 * `source-paths`/`data-paths`), else the conventional folders. Also reads packages.yml (installed by
 * `community-metrics deps`, packages.ts): packages installed under dbt_packages/ (or dbt 0.x
 * dbt_modules/) contribute their macros and tests; the others give a warning and their namespace
 * renders as empty.
 */
export interface InstalledPackage {
  name: string;
  root: string;
  macroPaths: string[];
}

export interface ProjectLayout {
  root: string;
  name: string;
  /** dbt_project.yml, when the project has one. */
  projectFile?: string;
  modelPaths: string[];
  seedPaths: string[];
  macroPaths: string[];
  testPaths: string[];
  targetPath: string;
  vars: Record<string, unknown>;
  modelsConfig: unknown;
  seedsConfig: unknown;
  testsConfig: unknown;
  /** Namespaces of packages declared but not installed (dbt_utils, ...). */
  missingPackages: string[];
  installedPackages: InstalledPackage[];
  /** `dispatch:` of dbt_project.yml: macro namespace -> search order. */
  dispatch: Record<string, string[]>;
  diagnostics: Diagnostic[];
}

export const DEFAULT_PROJECT_NAME = 'community_metrics';

function paths(value: unknown, fallback: string[]): string[] {
  return asStringList(value) ?? fallback;
}

export async function readProjectLayout(root: string): Promise<ProjectLayout> {
  const diagnostics: Diagnostic[] = [];
  const projectFile = path.join(root, 'dbt_project.yml');
  let cfg: Record<string, unknown> = {};
  let hasProject = false;
  if (existsSync(projectFile)) {
    hasProject = true;
    const y = YamlFile.parse(projectFile, await readFile(projectFile, 'utf8'));
    diagnostics.push(...y.diagnostics);
    if (isRecord(y.value)) cfg = y.value;
    else if (y.diagnostics.length === 0) diagnostics.push(diagnostic(projectFile, 1, 1, 'dbt_project.yml must be a mapping', 'yml'));
    if (y.value !== undefined && isRecord(y.value) && typeof y.value.name !== 'string') {
      diagnostics.push(y.diagnosticAt([], `dbt_project.yml has no 'name'; using '${DEFAULT_PROJECT_NAME}'`, 'yml', 'warning'));
    }
  }
  const name = typeof cfg.name === 'string' ? cfg.name : DEFAULT_PROJECT_NAME;
  const abs = (list: string[]) => list.map((p) => path.resolve(root, p));
  const allVars = isRecord(cfg.vars) ? cfg.vars : {};
  // vars may be global or scoped to a project name (dbt 0.x style); the project's own scope wins.
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(allVars)) if (!(isRecord(v) && k === name)) vars[k] = v;
  if (isRecord(allVars[name])) Object.assign(vars, allVars[name]);

  const layout: ProjectLayout = {
    root,
    name,
    modelPaths: abs(paths(cfg['model-paths'] ?? cfg['source-paths'], ['models'])),
    seedPaths: abs(paths(cfg['seed-paths'] ?? cfg['data-paths'], cfg['data-paths'] === undefined && cfg['seed-paths'] === undefined && existsSync(path.join(root, 'data')) && !existsSync(path.join(root, 'seeds')) ? ['data'] : ['seeds'])),
    macroPaths: abs(paths(cfg['macro-paths'], ['macros'])),
    testPaths: abs(paths(cfg['test-paths'], ['tests'])),
    targetPath: path.resolve(root, typeof cfg['target-path'] === 'string' ? cfg['target-path'] : 'target'),
    vars,
    modelsConfig: cfg.models,
    seedsConfig: cfg.seeds,
    testsConfig: cfg.tests ?? cfg.data_tests,
    missingPackages: [],
    installedPackages: [],
    dispatch: readDispatch(cfg.dispatch),
    diagnostics,
  };
  if (hasProject) layout.projectFile = projectFile;
  await readPackages(root, layout);
  return layout;
}

function readDispatch(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!Array.isArray(value)) return out;
  for (const d of value) {
    if (!isRecord(d) || typeof d.macro_namespace !== 'string') continue;
    const order = asStringList(d.search_order);
    if (order) out[d.macro_namespace] = order;
  }
  return out;
}

/** The namespace a package's macros live under: its project name, guessed from the spec. */
function packageNamespace(spec: Record<string, unknown>): string | undefined {
  if (typeof spec.package === 'string') return spec.package.split('/').pop()?.replace(/-/g, '_');
  if (typeof spec.git === 'string') return spec.git.replace(/\.git$/, '').split('/').pop()?.replace(/-/g, '_');
  if (typeof spec.local === 'string') return path.basename(spec.local).replace(/-/g, '_');
  if (typeof spec.name === 'string') return spec.name;
  return undefined;
}

async function readPackages(root: string, layout: ProjectLayout): Promise<void> {
  const installed = new Map<string, InstalledPackage>();
  for (const dir of ['dbt_packages', 'dbt_modules']) {
    const base = path.join(root, dir);
    let entries: string[] = [];
    try {
      entries = await readdir(base);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const pkgRoot = path.join(base, entry);
      const pf = path.join(pkgRoot, 'dbt_project.yml');
      if (!existsSync(pf)) continue;
      const y = YamlFile.parse(pf, await readFile(pf, 'utf8'));
      const v = isRecord(y.value) ? y.value : {};
      const name = typeof v.name === 'string' ? v.name : entry;
      installed.set(name, { name, root: pkgRoot, macroPaths: paths(v['macro-paths'], ['macros']).map((p) => path.resolve(pkgRoot, p)) });
    }
  }
  layout.installedPackages = [...installed.values()];
  for (const fileName of ['packages.yml', 'dependencies.yml']) {
    const file = path.join(root, fileName);
    if (!existsSync(file)) continue;
    const y = YamlFile.parse(file, await readFile(file, 'utf8'));
    if (y.diagnostics.length) {
      layout.diagnostics.push(...y.diagnostics.map((d) => ({ ...d, severity: 'warning' as const })));
      continue;
    }
    const list = isRecord(y.value) && Array.isArray(y.value.packages) ? y.value.packages : [];
    list.forEach((spec: unknown, index: number) => {
      if (!isRecord(spec)) return;
      const ns = packageNamespace(spec);
      const label = String(spec.package ?? spec.git ?? spec.local ?? spec.name ?? 'package');
      if (ns && installed.has(ns)) return;
      if (ns) layout.missingPackages.push(ns);
      layout.diagnostics.push(
        y.diagnosticAt(
          ['packages', index],
          `Package ${label} is not installed; models that call its macros${ns ? ` (${ns}.*)` : ''} compile with those calls left empty. Run 'community-metrics deps' (or 'dbt deps') to install it into dbt_packages/.`,
          'package',
          'warning',
        ),
      );
    });
  }
}

/** Every file under the given folders whose name ends with one of `exts`, sorted for stable order. */
export async function listFiles(folders: string[], exts: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (exts.some((x) => e.name.toLowerCase().endsWith(x))) out.push(full);
    }
  };
  for (const f of folders) await walk(f);
  return [...new Set(out)].sort();
}
