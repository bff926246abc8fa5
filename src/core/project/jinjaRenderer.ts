import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CROSS_DATABASE_MACROS } from './crossDatabaseMacros';
import { DiagnosticError, diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import { MACRO_PREFIX, preprocessJinja, sourceColumn, unclosedBlockLine } from './jinjaPreprocess';
import type { Preprocessed } from './jinjaPreprocess';
import { LineMap } from './lineMap';
import { addJinjaFiltersAndTests, dictKeyObject, installJinjaSemantics, lastCallPosition, resetDictKeyObjects, setLastCallPosition } from './jinjaSemantics';

/**
 * Renders dbt templates with nunjucks and dbt's context. One renderer per project: macros are
 * loaded once; each render supplies the hooks that make `ref`, `source`, `config`, `this` and
 * `is_incremental` mean something for that node (parse, compile or run).
 */

/** A relation as dbt's Jinja sees it: prints as its quoted name, and has dbt's attributes. */
export class Relation {
  constructor(
    readonly identifier: string,
    readonly schema = 'main',
    readonly database = 'main',
    /** Rendered name (ephemeral models render as their CTE name). */
    private readonly rendered?: string,
  ) {}
  get name(): string {
    return this.identifier;
  }
  /** What dbt_utils' _is_relation checks (`obj.get('metadata', {}).get('type', '').endswith('Relation')`). */
  get metadata(): Record<string, string> {
    return { type: 'SQLiteRelation' };
  }
  get is_table(): boolean {
    return true;
  }
  get is_view(): boolean {
    return false;
  }
  get table(): string {
    return this.identifier;
  }
  include(): Relation {
    return this;
  }
  render(): string {
    return this.toString();
  }
  /** dbt's rendering for this adapter: `"schema"."identifier"`, as the manifest's relation_name says. */
  toString(): string {
    return this.rendered ?? `${quoteIdent(this.schema)}.${quoteIdent(this.identifier)}`;
  }
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export interface QueryTable {
  columns: string[];
  rows: unknown[][];
}

/** What a render needs from its caller; only `ref`/`source`/`config` are mandatory. */
export interface RenderHooks {
  ref(name: string, packageName?: string): Relation;
  source(sourceName: string, tableName: string): Relation;
  config(values: Record<string, unknown>): void;
  configGet(key: string): unknown;
  isIncremental(): boolean;
  thisRelation?: Relation;
  execute: boolean;
  model?: Record<string, unknown>;
  runQuery?(sql: string): QueryTable;
  columnsOf?(relation: Relation): string[];
  relationExists?(identifier: string): boolean;
  fullRefresh?: boolean;
}

export interface RenderResult {
  sql: string;
  lineMap: LineMap;
  /** unique_ids of the macros called (manifest depends_on.macros). */
  macros: string[];
  warnings: Diagnostic[];
}

export interface RendererOptions {
  projectName: string;
  vars: Record<string, unknown>;
  /** Namespaces of packages that are declared but not installed. */
  missingPackages: string[];
  log?: (message: string) => void;
  /** The target's adapter type (sqlite); `adapter.dispatch` looks for `<type>__name` first. */
  adapterType?: string;
  /** The project folder, to name files in messages relative to it. */
  root?: string;
  /** dbt_project.yml `dispatch:`: macro namespace -> packages to search, in order. */
  dispatch?: Record<string, string[]>;
}

/** A problem raised while rendering, positioned later from nunjucks' line number. */
export class RenderProblem extends Error {
  constructor(message: string, readonly code = 'jinja') {
    super(message);
    this.name = 'RenderProblem';
  }
}

class ReturnSignal {
  constructor(readonly value: unknown) {}
}

interface MacroEntry {
  uniqueId: string;
  namespace: string;
  name: string;
  file: string;
  /** Line of the `{% macro %}` tag. */
  line: number;
  fn: (...args: unknown[]) => unknown;
}

let compatInstalled = false;

/**
 * nunjucks' Jinja2 compatibility (True/False/None, dict.items(), list.append, slices) plus the
 * Python string methods dbt macros call (`x.upper()`, `x.split(',')`, ...). Both patch nunjucks'
 * shared runtime, so it is done once; nothing else in this code base renders nunjucks.
 */
function installCompat(): void {
  if (compatInstalled) return;
  compatInstalled = true;
  // Before installJinjaCompat, which wraps the parser's parseAggregate installed here.
  installJinjaSemantics();
  nunjucks.installJinjaCompat();
  // dict.items() and dict.keys() give back the objects that were used as keys (relations, ...).
  const rt = nunjucks.runtime as unknown as Record<string, unknown>;
  const compatLookup = rt.memberLookup as (...args: unknown[]) => unknown;
  rt.memberLookup = function (this: unknown, ...args: unknown[]) {
    const [obj, val] = args;
    const found = compatLookup.apply(this, args);
    if (typeof found !== 'function' || !obj || typeof obj !== 'object' || Array.isArray(obj)) return found;
    if (val === 'items' || val === 'iteritems') return () => (found as () => Array<[string, unknown]>)().map(([k, v]) => [dictKeyObject(k), v]);
    if (val === 'keys' || val === 'iterkeys') return () => (found as () => string[])().map(dictKeyObject);
    return found;
  };
  const runtime = nunjucks.runtime as unknown as { memberLookup: (obj: unknown, val: unknown, ...rest: unknown[]) => unknown };
  const orig = runtime.memberLookup;
  const STRING_METHODS: Record<string, (s: string, ...a: unknown[]) => unknown> = {
    upper: (s) => s.toUpperCase(),
    lower: (s) => s.toLowerCase(),
    strip: (s, chars) => (chars === undefined ? s.trim() : s.replace(new RegExp(`^[${escapeRe(String(chars))}]+|[${escapeRe(String(chars))}]+$`, 'g'), '')),
    lstrip: (s) => s.trimStart(),
    rstrip: (s) => s.trimEnd(),
    split: (s, sep, max) => {
      const parts = sep === undefined || sep === null ? s.trim().split(/\s+/) : s.split(String(sep));
      if (typeof max === 'number' && max >= 0 && parts.length > max + 1) return [...parts.slice(0, max), parts.slice(max).join(String(sep))];
      return parts;
    },
    replace: (s, a, b) => s.split(String(a)).join(String(b)),
    startswith: (s, p) => s.startsWith(String(p)),
    endswith: (s, p) => s.endsWith(String(p)),
    title: (s) => s.replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
    capitalize: (s) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
    find: (s, p) => s.indexOf(String(p)),
    count: (s, p) => s.split(String(p)).length - 1,
    join: (s, items) => (Array.isArray(items) ? items.map(String).join(s) : ''),
    isdigit: (s) => /^\d+$/.test(s),
    format: (s, ...args) => {
      let k = 0;
      return s.replace(/\{(\d*)\}/g, (_m, idx: string) => String(args[idx === '' ? k++ : Number(idx)] ?? ''));
    },
  };
  runtime.memberLookup = function memberLookup(obj: unknown, val: unknown, ...rest: unknown[]) {
    const str = obj instanceof nunjucks.runtime.SafeString ? String(obj) : obj;
    if (typeof str === 'string' && typeof val === 'string' && Object.prototype.hasOwnProperty.call(STRING_METHODS, val)) {
      const m = STRING_METHODS[val] as (s: string, ...a: unknown[]) => unknown;
      return (...args: unknown[]) => m(str, ...args);
    }
    return orig.call(this, obj, val, ...rest);
  };
}

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

/** nunjucks passes keyword arguments as a trailing object marked __keywords. */
function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (last && typeof last === 'object' && (last as Record<string, unknown>).__keywords) {
    const { __keywords: _k, ...kwargs } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

function plainString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof nunjucks.runtime.SafeString) return String(v);
  return undefined;
}

/**
 * Compiled templates (nunjucks' generated code) by file index, file and text, shared by every
 * renderer in the process. A project renders each model at least twice (when it is loaded, to find
 * its refs and configs, then to compile or run it), and the editor loads the project again after
 * each save: nunjucks' compile (lexer, parser, code generation, `new Function`) was most of that
 * time, and only a changed file needs it again. The compiled code does not depend on the
 * environment (no async filters, no extensions, the same options in every renderer); rendering
 * binds it to the renderer's. Least recently used entries beyond the limit are dropped (about 15 KB
 * of heap per template, measured on the 1,000-model bench project: 15 MB).
 */
const COMPILED = new Map<string, { pre: Preprocessed; props: object }>();
const COMPILED_LIMIT = 5_000;
const nunjucksCompiler = (nunjucks as unknown as { compiler: { compile(src: string, asyncFilters: string[], extensions: unknown[], name: string, opts: object): string } }).compiler;

export class JinjaRenderer {
  readonly files: string[] = [];
  private readonly env: nunjucks.Environment;
  private readonly macros = new Map<string, MacroEntry>();
  private hooks: RenderHooks | undefined;
  private used = new Set<string>();
  private warnings: Diagnostic[] = [];
  private currentFile = '';
  private statements = new Map<string, QueryTable>();
  /** Preprocessed text of each macro file, to place errors raised inside its macros. */
  private readonly macroFiles = new Map<string, { pre: Preprocessed; text: string }>();

  constructor(private readonly opts: RendererOptions) {
    installCompat();
    this.env = new nunjucks.Environment(null, { autoescape: false, dev: true, throwOnUndefined: false });
    this.installGlobals();
  }

  fileIndex(file: string): number {
    let i = this.files.indexOf(file);
    if (i < 0) i = this.files.push(file) - 1;
    return i;
  }

  /** Macro unique_ids known to the renderer, with their files (for the manifest). */
  macroList(): Array<{ uniqueId: string; name: string; namespace: string; file: string }> {
    return [...this.macros.values()].map(({ uniqueId, name, namespace, file }) => ({ uniqueId, name, namespace, file }));
  }

  /** The text of every macro file loaded (the project's and its packages'). */
  macroTexts(): string[] {
    return [...this.macroFiles.values()].map((f) => f.text);
  }

  hasMacro(name: string): boolean {
    return this.macros.has(`${this.opts.projectName}.${name}`) || [...this.macros.values()].some((m) => m.name === name);
  }

  /** Loads every `{% macro %}` (and `{% test %}`) of one file into `namespace`. */
  loadMacroFile(file: string, text: string, namespace: string): Diagnostic[] {
    const pre = preprocessJinja(text, { fileIndex: this.fileIndex(file), renameMacros: true, markers: false });
    this.macroFiles.set(file, { pre, text });
    const lines = macroLines(text);
    let template: nunjucks.Template;
    try {
      template = new nunjucks.Template(pre.text, this.env, file, true);
    } catch (err) {
      const d = this.errorDiagnostic(err, file, pre, true, text);
      this.brokenMacros(file, namespace, lines, d);
      return [d];
    }
    const previous = this.hooks;
    this.hooks = neutralHooks();
    try {
      const exported = syncExported(template);
      for (const [key, fn] of Object.entries(exported)) {
        if (!key.startsWith(MACRO_PREFIX) || typeof fn !== 'function') continue;
        const name = key.slice(MACRO_PREFIX.length);
        const uniqueId = `macro.${namespace}.${name}`;
        this.macros.set(`${namespace}.${name}`, { uniqueId, namespace, name, file, line: lines.get(name) ?? 1, fn: fn as (...a: unknown[]) => unknown });
      }
      return [];
    } catch (err) {
      const d = this.errorDiagnostic(err, file, pre, false);
      this.brokenMacros(file, namespace, lines, d);
      return [d];
    } finally {
      this.hooks = previous;
    }
  }

  /**
   * The macros of a file that does not load: calling one raises the file's own error, so that every
   * model using it points at the macro file (not "Unable to call `x`, which is undefined").
   */
  private brokenMacros(file: string, namespace: string, lines: Map<string, number>, d: Diagnostic): void {
    for (const [name, line] of lines) {
      const fn = () => {
        throw new DiagnosticError({ ...d, message: `macro '${name}' is unusable because its file does not load: ${d.message}` });
      };
      this.macros.set(`${namespace}.${name}`, { uniqueId: `macro.${namespace}.${name}`, namespace, name, file, line, fn });
    }
  }

  /** Makes the loaded macros callable: bare names for the root project, `ns.name` for every namespace. */
  installMacros(): void {
    const namespaces = new Map<string, Record<string, unknown>>();
    for (const m of this.macros.values()) {
      const wrapped = this.wrapMacro(m);
      const ns = namespaces.get(m.namespace) ?? {};
      ns[m.name] = wrapped;
      namespaces.set(m.namespace, ns);
    }
    // Packages first, so that the root project's macros win for bare names.
    const order = [...namespaces.keys()].sort((a, b) => Number(a === this.opts.projectName) - Number(b === this.opts.projectName));
    for (const ns of order) {
      const members = namespaces.get(ns) as Record<string, unknown>;
      const existing = (this.env as unknown as { globals: Record<string, unknown> }).globals[ns];
      this.env.addGlobal(ns, typeof existing === 'object' && existing !== null ? { ...existing, ...members } : members);
      for (const [name, fn] of Object.entries(members)) this.env.addGlobal(name, fn);
    }
  }

  genericTestMacro(name: string, namespace?: string): ((...args: unknown[]) => unknown) | undefined {
    const candidates = namespace
      ? [`${namespace}.test_${name}`]
      : [`${this.opts.projectName}.test_${name}`, ...[...this.macros.keys()].filter((k) => k.endsWith(`.test_${name}`))];
    for (const key of candidates) {
      const m = this.macros.get(key);
      if (m) return this.wrapMacro(m);
    }
    return undefined;
  }

  private relative(file: string): string {
    return this.opts.root ? path.relative(this.opts.root, file) || file : path.basename(file);
  }

  private wrapMacro(m: MacroEntry): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      this.used.add(m.uniqueId);
      const callSite = lastCallPosition();
      setLastCallPosition(undefined);
      try {
        return m.fn(...args);
      } catch (err) {
        if (err instanceof ReturnSignal) return err.value;
        throw this.inMacro(m, err);
      } finally {
        setLastCallPosition(callSite);
      }
    };
  }

  /**
   * An error raised while a macro runs, placed where the user must act: in the macro's file, at the
   * call inside the macro that failed. A `raise_compiler_error` stays with the caller (it reports a
   * bad use of the macro), naming the macro.
   */
  private inMacro(m: MacroEntry, err: unknown): unknown {
    let root: unknown = err;
    while (root && typeof root === 'object' && 'cause' in root && (root as { cause?: unknown }).cause) root = (root as { cause: unknown }).cause;
    if (root instanceof DiagnosticError || root instanceof ReturnSignal) return root;
    const pos = lastCallPosition();
    const source = this.macroFiles.get(m.file);
    const line = pos ? pos[0] + 1 : m.line;
    let column = pos && source ? sourceColumn(source.pre, line, pos[1] + 1) : 1;
    // nunjucks places a call at its parenthesis: point at the name called.
    const text = source?.text.split('\n')[line - 1] ?? '';
    if (text[column - 1] === '(') {
      const name = /[\w.]+$/.exec(text.slice(0, column - 1));
      if (name) column -= name[0].length;
    }
    const where = `in macro '${m.name}'${this.currentFile && this.currentFile !== m.file ? `, rendering ${this.relative(this.currentFile)}` : ''}`;
    if (root instanceof RenderProblem) {
      if (root.code === 'compiler-error') {
        if (root.message.includes('(raised by macro ')) return root;
        return new RenderProblem(`${root.message} (raised by macro '${m.name}', ${this.relative(m.file)}:${line})`, root.code);
      }
      return new DiagnosticError(diagnostic(m.file, line, column, `${root.message} (${where})`, root.code));
    }
    const raw = root instanceof Error ? root.message : String(root);
    const message = raw
      .replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/, '')
      .replace(/^Error: /, '')
      .trim();
    return new DiagnosticError(diagnostic(m.file, line, column, `Jinja error: ${message} (${where})`, 'jinja'));
  }

  /**
   * Renders one model, test or analysis. Errors (syntax, unknown ref, raise_compiler_error, ...)
   * are thrown as DiagnosticError on the source file's line.
   */
  render(file: string, text: string, hooks: RenderHooks): RenderResult {
    const fileIndex = this.fileIndex(file);
    const key = `${fileIndex}\0${file}\0${text}`;
    let cached = COMPILED.get(key);
    if (cached) {
      // Most recently used last: the oldest entries are dropped first.
      COMPILED.delete(key);
    } else {
      const pre = preprocessJinja(text, { fileIndex, renameMacros: false });
      let props: object;
      try {
        props = new Function(nunjucksCompiler.compile(pre.text, [], [], file, (this.env as unknown as { opts: object }).opts))() as object;
      } catch {
        // nunjucks' own compile, for its error (with the template's name) and our diagnostic.
        try {
          new nunjucks.Template(pre.text, this.env, file, true);
        } catch (err) {
          throw new DiagnosticError(this.errorDiagnostic(err, file, pre, true, text));
        }
        throw new Error(`nunjucks compiled ${file} only on the second attempt`);
      }
      cached = { pre, props };
      if (COMPILED.size >= COMPILED_LIMIT) COMPILED.delete(COMPILED.keys().next().value as string);
    }
    COMPILED.set(key, cached);
    const { pre } = cached;
    const template = new nunjucks.Template({ type: 'code', obj: cached.props } as unknown as string, this.env, file, true);
    return this.withHooks(file, hooks, () => {
      let out: string;
      try {
        out = template.render({});
      } catch (err) {
        throw new DiagnosticError(this.errorDiagnostic(err, file, pre, false));
      }
      const { text: sql, map } = LineMap.extract(out, { fileIndex, line: 1 });
      return { sql, lineMap: map, macros: [...this.used].sort(), warnings: this.warnings };
    });
  }

  /** Calls a generic test macro (unique, a user's `{% test %}`) with the engine's context. */
  callMacro(file: string, hooks: RenderHooks, fn: (...args: unknown[]) => unknown, args: unknown[]): string {
    return this.withHooks(file, hooks, () => String(fn(...args) ?? ''));
  }

  private withHooks<T>(file: string, hooks: RenderHooks, fn: () => T): T {
    const previous = { hooks: this.hooks, used: this.used, warnings: this.warnings, file: this.currentFile };
    if (!previous.hooks) resetDictKeyObjects();
    this.hooks = hooks;
    this.used = new Set();
    this.warnings = [];
    this.currentFile = file;
    this.statements = new Map();
    this.env.addGlobal('this', hooks.thisRelation ?? null);
    this.env.addGlobal('model', hooks.model ?? {});
    this.env.addGlobal('execute', hooks.execute);
    this.env.addGlobal('flags', { FULL_REFRESH: hooks.fullRefresh ?? false, WHICH: hooks.execute ? 'run' : 'parse' });
    try {
      return fn();
    } finally {
      this.hooks = previous.hooks;
      this.used = previous.used;
      this.warnings = previous.warnings;
      this.currentFile = previous.file;
    }
  }

  private errorDiagnostic(err: unknown, file: string, pre: Preprocessed, parsing: boolean, source?: string): Diagnostic {
    let root: unknown = err;
    while (root && typeof root === 'object' && 'cause' in root && (root as { cause?: unknown }).cause) root = (root as { cause: unknown }).cause;
    const e = err as { lineno?: number; colno?: number; message?: string };
    // The parser reports 1-based positions; the runtime reports the 0-based position of the call.
    let line = e.lineno === undefined ? 1 : parsing ? e.lineno : e.lineno + 1;
    if (e.lineno === undefined && source !== undefined && /end of file/.test(e.message ?? '')) line = unclosedBlockLine(source) ?? source.split('\n').length;
    const col = e.colno === undefined ? 1 : parsing ? e.colno : e.colno + 1;
    const column = sourceColumn(pre, line, col);
    if (root instanceof DiagnosticError) return root.diagnostic;
    if (root instanceof RenderProblem) return diagnostic(file, line, column, root.message, root.code);
    const raw = root instanceof Error ? root.message : String(root);
    const message = raw
      .replace(/^\([^)]*\)(?: \[Line \d+, Column \d+\])?\s*/, '')
      .replace(/^Error: /, '')
      .trim();
    return diagnostic(file, line, column, `Jinja ${parsing ? 'syntax error' : 'error'}: ${message}`, 'jinja');
  }

  private get active(): RenderHooks {
    if (!this.hooks) throw new RenderProblem('dbt context used outside a render');
    return this.hooks;
  }

  private warn(message: string): void {
    if (!this.warnings.some((w) => w.message === message)) this.warnings.push(diagnostic(this.currentFile, 1, 1, message, 'jinja', 'warning'));
  }

  private installGlobals(): void {
    const env = this.env;
    // The globals are plain functions called by nunjucks with its own `this`; they reach the
    // renderer through this binding.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const ref = (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      const strs = positional.map(plainString);
      if (strs.length < 1 || strs.length > 2 || strs.some((s) => s === undefined)) {
        throw new RenderProblem('ref() takes a model name, or a package name and a model name, as strings', 'ref');
      }
      void kwargs;
      return strs.length === 2 ? self.active.ref(strs[1] as string, strs[0]) : self.active.ref(strs[0] as string);
    };
    const source = (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      const [a, b] = positional.map(plainString);
      if (a === undefined || b === undefined) throw new RenderProblem('source() takes a source name and a table name, as strings', 'source');
      return self.active.source(a, b);
    };
    const config = Object.assign(
      (...args: unknown[]) => {
        const { positional, kwargs } = splitArgs(args);
        const values: Record<string, unknown> = {};
        for (const p of positional) if (p && typeof p === 'object') Object.assign(values, p);
        Object.assign(values, kwargs);
        self.active.config(values);
        return '';
      },
      {
        get: (key: string, dflt?: unknown) => self.active.configGet(key) ?? dflt ?? null,
        require: (key: string) => {
          const v = self.active.configGet(key);
          if (v === undefined) throw new RenderProblem(`config '${key}' is required`);
          return v;
        },
        set: () => '',
      },
    );
    env.addGlobal('ref', ref);
    env.addGlobal('source', source);
    env.addGlobal('config', config);
    env.addGlobal('builtins', { ref, source, config });
    env.addGlobal('is_incremental', () => self.active.isIncremental());
    env.addGlobal('should_full_refresh', () => self.active.fullRefresh ?? false);
    env.addGlobal('var', (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      const name = String(positional[0]);
      if (Object.prototype.hasOwnProperty.call(self.opts.vars, name)) return self.opts.vars[name];
      if (positional.length > 1) return positional[1];
      throw new RenderProblem(`Required var '${name}' not found in config: define it under 'vars:' in dbt_project.yml`, 'var');
    });
    env.addGlobal('env_var', (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      const name = String(positional[0]);
      const v = process.env[name];
      if (v !== undefined) return v;
      if (positional.length > 1) return positional[1];
      throw new RenderProblem(`Env var required but not provided: '${name}'`, 'env_var');
    });
    env.addGlobal('target', { name: 'dev', type: this.opts.adapterType ?? 'sqlite', schema: 'main', database: 'main', threads: 1, profile_name: 'community_metrics', user: '' });
    env.addGlobal('log', (msg: unknown) => {
      self.opts.log?.(String(msg));
      return '';
    });
    env.addGlobal('print', (msg: unknown) => {
      self.opts.log?.(String(msg));
      return '';
    });
    env.addGlobal('return', (value: unknown) => {
      throw new ReturnSignal(value);
    });
    env.addGlobal('exceptions', {
      raise_compiler_error: (msg: unknown) => {
        throw new RenderProblem(String(msg), 'compiler-error');
      },
      warn: (msg: unknown) => {
        self.warn(String(msg));
        return '';
      },
      raise_not_implemented: (msg: unknown) => {
        throw new RenderProblem(`not implemented: ${String(msg)}`, 'compiler-error');
      },
    });
    env.addGlobal('run_started_at', pythonDatetime(new Date()));
    env.addGlobal('invocation_id', randomUUID());
    env.addGlobal('modules', {
      datetime: { datetime: { now: () => pythonDatetime(new Date()), utcnow: () => pythonDatetime(new Date()) }, date: { today: () => pythonDatetime(new Date()) } },
      re: {
        search: (p: string, s: string) => new RegExp(p).exec(s),
        match: (p: string, s: string) => new RegExp(`^(?:${p})`).exec(s),
        sub: (p: string, r: string, s: string) => s.replace(new RegExp(p, 'g'), r),
        compile: (p: string) => new RegExp(p),
      },
    });
    env.addGlobal('dict', (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      return Object.assign({}, ...positional.filter((p) => p && typeof p === 'object'), kwargs);
    });
    env.addGlobal('namespace', (...args: unknown[]) => splitArgs(args).kwargs);
    env.addGlobal('zip', (...lists: unknown[][]) => {
      const n = Math.min(...lists.map((l) => (Array.isArray(l) ? l.length : 0)));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
    });
    env.addGlobal('tojson', (v: unknown) => JSON.stringify(v));
    env.addGlobal('fromjson', (v: unknown, dflt?: unknown) => {
      try {
        return JSON.parse(String(v));
      } catch {
        return dflt ?? null;
      }
    });
    env.addGlobal('toyaml', (v: unknown) => stringifyYaml(v));
    env.addGlobal('fromyaml', (v: unknown) => parseYaml(String(v)));
    env.addGlobal('local_md5', (v: unknown) => createHash('md5').update(String(v)).digest('hex'));
    env.addGlobal('set', (v: unknown) => [...new Set(Array.isArray(v) ? v : [])]);
    env.addGlobal('run_query', (sql: unknown) => {
      const h = self.active;
      if (!h.execute || !h.runQuery) return null;
      return agateTable(h.runQuery(String(sql)));
    });
    env.addGlobal('statement', (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      const name = String(positional[0] ?? kwargs.name ?? 'main');
      const caller = kwargs.caller as (() => unknown) | undefined;
      const h = self.active;
      if (caller && h.execute && h.runQuery) self.statements.set(name, h.runQuery(String(caller())));
      return '';
    });
    env.addGlobal('load_result', (name: unknown) => {
      const t = self.statements.get(String(name));
      return t ? { data: t.rows, table: agateTable(t), response: { rows_affected: t.rows.length } } : null;
    });
    // dbt's search: the `dispatch:` config's search_order for the namespace, else the root project
    // then the namespace (an installed package), else the namespace alone; in each package
    // `<adapter>__name`, then `default__name`. The internal namespace 'dbt' ends with the built-in
    // cross-database macros.
    const dispatch = (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      const name = String(plainString(positional[0] ?? kwargs.macro_name) ?? '');
      const nsArg = positional[1] ?? kwargs.macro_namespace;
      const ns = typeof nsArg === 'string' ? nsArg : nsArg instanceof nunjucks.runtime.SafeString ? String(nsArg) : undefined;
      const root = self.opts.projectName;
      const configured = ns ? self.opts.dispatch?.[ns] : undefined;
      const packages = [...new Set([...self.macros.values()].map((m) => m.namespace))];
      const order = configured ?? (ns === undefined ? [root, ...packages.filter((p) => p !== root)] : ns === root ? [root] : [root, ns]);
      const prefixes = [`${self.opts.adapterType ?? 'sqlite'}__`, 'default__'];
      for (const pkg of order) {
        for (const prefix of prefixes) {
          const m = self.macros.get(`${pkg}.${prefix}${name}`);
          if (m) return self.wrapMacro(m);
        }
      }
      const builtin = CROSS_DATABASE_MACROS[name];
      if (builtin && (ns === undefined || ns === 'dbt' || order.includes('dbt'))) return builtin;
      const looked = order.flatMap((pkg) => prefixes.map((prefix) => `${pkg}.${prefix}${name}`)).join(', ');
      throw new RenderProblem(`adapter.dispatch('${name}'${ns ? `, '${ns}'` : ''}) found no implementation for this engine: looked for ${looked}. Add a macro sqlite__${name} in your macros/ folder (and list your project in the dispatch: search_order of dbt_project.yml for a package's namespace).`, 'dispatch');
    };
    env.addGlobal('adapter', {
      dispatch,
      quote: (s: unknown) => `"${String(s).replace(/"/g, '""')}"`,
      type: () => this.opts.adapterType ?? 'sqlite',
      get_relation: (...args: unknown[]) => {
        const { positional, kwargs } = splitArgs(args);
        const identifier = String(kwargs.identifier ?? positional[2] ?? '');
        const h = self.active;
        return h.relationExists?.(identifier) ? new Relation(identifier) : null;
      },
      get_columns_in_relation: (rel: unknown) => {
        const h = self.active;
        if (!(rel instanceof Relation) || !h.columnsOf) return [];
        return h.columnsOf(rel).map((name) => ({ name, column: name, quoted: `"${name}"`, dtype: '', data_type: '' }));
      },
      already_exists: (_schema: unknown, identifier: unknown) => self.active.relationExists?.(String(identifier)) ?? false,
    });
    env.addGlobal('should_store_failures', () => false);
    env.addGlobal('load_relation', (rel: unknown) => (rel instanceof Relation && self.active.relationExists?.(rel.identifier) ? rel : null));
    env.addGlobal('api', { Relation: { create: (...args: unknown[]) => new Relation(String(splitArgs(args).kwargs.identifier ?? '')) } });
    env.addGlobal('dbt', { ...CROSS_DATABASE_MACROS });
    for (const [name, fn] of Object.entries(CROSS_DATABASE_MACROS)) env.addGlobal(name, fn);
    for (const ns of this.opts.missingPackages) env.addGlobal(ns, this.missingPackage(ns));

    env.addFilter('as_bool', (v: unknown) => v === true || String(v).toLowerCase() === 'true');
    env.addFilter('as_number', (v: unknown) => Number(v));
    env.addFilter('as_text', (v: unknown) => String(v ?? ''));
    env.addFilter('as_native', (v: unknown) => v);
    env.addFilter('tojson', (v: unknown) => JSON.stringify(v));
    env.addFilter('unique', (v: unknown) => [...new Set(Array.isArray(v) ? v : [])]);
    env.addFilter('count', (v: unknown) => (Array.isArray(v) || typeof v === 'string' ? v.length : 0));
    env.addFilter('max', (v: unknown) => (Array.isArray(v) && v.length ? v.reduce((a, b) => (b > a ? b : a)) : null));
    env.addFilter('min', (v: unknown) => (Array.isArray(v) && v.length ? v.reduce((a, b) => (b < a ? b : a)) : null));
    env.addFilter('items', (v: unknown) => (v && typeof v === 'object' ? Object.entries(v) : []));
    env.addFilter('map', function (this: unknown, v: unknown, ...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      const list = Array.isArray(v) ? v : [];
      if (typeof kwargs.attribute === 'string' || typeof kwargs.attribute === 'number') {
        // Jinja2: an attribute or an index (`map(attribute=0)` reads each row's first value, as
        // dbt_utils.get_intervals_between does), dotted for nested ones; `default` when missing.
        const path = typeof kwargs.attribute === 'number' ? [kwargs.attribute] : kwargs.attribute.split('.');
        const read = (x: unknown) => path.reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), x);
        return list.map((x) => read(x) ?? kwargs.default);
      }
      const filterName = positional[0];
      if (typeof filterName === 'string') {
        const f = env.getFilter(filterName) as (...a: unknown[]) => unknown;
        return list.map((x) => f(x, ...positional.slice(1)));
      }
      return list;
    });
    // @types/nunjucks lacks addTest, which nunjucks 3 has.
    const tests = env as unknown as { addTest(name: string, fn: (v: unknown, arg?: unknown) => boolean): void };
    tests.addTest('none', (v: unknown) => v === null || v === undefined);
    tests.addTest('sequence', (v: unknown) => Array.isArray(v) || typeof v === 'string');
    tests.addTest('boolean', (v: unknown) => typeof v === 'boolean');
    tests.addTest('true', (v: unknown) => v === true);
    tests.addTest('false', (v: unknown) => v === false);
    tests.addTest('integer', (v: unknown) => Number.isInteger(v));
    tests.addTest('float', (v: unknown) => typeof v === 'number' && !Number.isInteger(v));
    addJinjaFiltersAndTests(env);
    tests.addTest('in', (v: unknown, container: unknown) =>
      Array.isArray(container) || typeof container === 'string' ? container.includes(v as never) : !!container && typeof container === 'object' && String(v) in container,
    );
  }

  /**
   * A declared package that is not installed: its macros render as empty (so that compile and the
   * dependency graph still work), with a warning naming the macro. The dbt_utils macros that have
   * a plain SQLite meaning are provided.
   */
  private missingPackage(ns: string): unknown {
    const known: Record<string, unknown> = ns === 'dbt_utils' ? this.dbtUtilsShim() : {};
    return new Proxy(known, {
      get: (target, prop) => {
        if (typeof prop !== 'string') return undefined;
        if (prop in target) return target[prop];
        if (['then', 'toString', 'valueOf', 'toJSON', 'inspect', 'constructor'].includes(prop)) return undefined;
        return () => {
          this.warn(`${ns}.${prop} comes from the package '${ns}', which is not installed; it rendered as empty SQL`);
          return '';
        };
      },
    });
  }

  private dbtUtilsShim(): Record<string, unknown> {
    return {
      ...CROSS_DATABASE_MACROS,
      group_by: (n: unknown) => `group by ${Array.from({ length: Number(n) }, (_, i) => i + 1).join(',')}`,
      generate_surrogate_key: (fields: unknown) => surrogateKey(fields),
      surrogate_key: (fields: unknown, ...more: unknown[]) => surrogateKey(Array.isArray(fields) ? fields : [fields, ...more]),
      star: (...args: unknown[]) => {
        const { positional, kwargs } = splitArgs(args);
        const from = positional[0] ?? kwargs.from;
        const except = (positional[1] ?? kwargs.except ?? []) as string[];
        const h = this.active;
        if (!(from instanceof Relation) || !h.columnsOf || !h.execute) return '*';
        const cols = h.columnsOf(from).filter((c) => !except.map((e) => e.toLowerCase()).includes(c.toLowerCase()));
        const alias = kwargs.relation_alias ? `${String(kwargs.relation_alias)}.` : '';
        return cols.map((c) => `${alias}"${c}"`).join(',\n  ') || '*';
      },
    };
  }
}

function surrogateKey(fields: unknown): string {
  const list = (Array.isArray(fields) ? fields : [fields]).map(String);
  return `md5(${list.map((f) => `coalesce(cast(${f} as text), '_dbt_utils_surrogate_key_null_')`).join(" || '-' || ")})`;
}

/** Line of each `{% macro name %}` / `{% test name %}` (as `test_name`) in a macro file. */
function macroLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /\{%[-+]?\s*(macro|test)\s+(\w+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1] === 'test' ? `test_${m[2] as string}` : (m[2] as string);
    if (!out.has(name)) out.set(name, text.slice(0, m.index).split('\n').length);
  }
  return out;
}

function neutralHooks(): RenderHooks {
  const rel = (name: string) => new Relation(name);
  return { ref: rel, source: (_s, t) => rel(t), config: () => undefined, configGet: () => undefined, isIncremental: () => false, execute: false };
}

/** Renders a macro file's top level (which defines the macros) and returns its exports, synchronously. */
function syncExported(template: nunjucks.Template): Record<string, unknown> {
  let result: Record<string, unknown> | undefined;
  let error: unknown;
  (template as unknown as { getExported(ctx: object, cb: (err: unknown, exp: Record<string, unknown>) => void): void }).getExported({}, (err, exp) => {
    error = err;
    result = exp;
  });
  if (error) throw error;
  return result ?? {};
}

/** The bit of agate's Table that dbt macros use on run_query results. */
function agateTable(t: QueryTable): unknown {
  return {
    rows: t.rows,
    column_names: t.columns,
    columns: t.columns.map((name, i) => ({ name, values: () => t.rows.map((r) => r[i]) })),
    print_table: () => '',
    length: t.rows.length,
  };
}

function pythonDatetime(d: Date): unknown {
  return {
    toString: () => d.toISOString(),
    isoformat: () => d.toISOString(),
    strftime: (fmt: string) =>
      fmt.replace(/%([YmdHMSf%])/g, (_m, c: string) => {
        const iso = d.toISOString();
        const map: Record<string, string> = { Y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10), H: iso.slice(11, 13), M: iso.slice(14, 16), S: iso.slice(17, 19), f: `${iso.slice(20, 23)}000`, '%': '%' };
        return map[c] ?? '';
      }),
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
  };
}
