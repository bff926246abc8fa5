import nunjucks from 'nunjucks';

/**
 * Jinja2's semantics where nunjucks follows JavaScript's, installed once into nunjucks' parser,
 * compiler and runtime (nothing else in this code base renders nunjucks):
 *
 * - Python truthiness in `if`, `not`, `and`, `or`, inline `if` and select/reject: `[]`, `{}`, `''`,
 *   empty Markup and `none` are false (JavaScript holds `[]` and `{}` true, and a real project then
 *   compiled an extra join).
 * - Output as Python's `str()`: `{{ none }}` is `None`, booleans `True`/`False`, lists and dicts
 *   their repr; `~` concatenates the same strings.
 * - Trailing commas in calls, signatures, lists and dicts; `(a,)` and `(a, b)` are tuples (lists).
 * - Dict keys are expressions (`{key: 1}` reads the variable `key`, like Jinja2; nunjucks took it as
 *   the string 'key'); keyword arguments keep their names.
 * - The comparison tests (`==`, `!=`, `<`, `eq`, `ne`, ...) for `select`/`reject`/`selectattr`, with
 *   Jinja2's argument passing.
 *
 * The engine choice (nunjucks with these fixes rather than minijinja-js) is compared in
 * bench/jinjaEngines.ts; the README's architecture paragraph gives the result.
 */

interface NodeLike {
  lineno: number;
  colno: number;
  children: NodeLike[];
  key?: NodeLike;
  value?: unknown;
  cond?: NodeLike;
  body?: NodeLike;
  else_?: NodeLike | null;
  target?: NodeLike;
  left?: NodeLike;
  right?: NodeLike;
  addChild(n: NodeLike): void;
}

interface CompilerLike {
  _emit(s: string): void;
  _emitLine(s: string): void;
  _compileExpression(n: NodeLike | undefined | null, frame: unknown): void;
  compile(n: NodeLike | undefined | null, frame: unknown): void;
  _withScopedSyntax(fn: () => void): void;
  cmInKeywords?: boolean;
}

interface ParserLike {
  nextToken(): { type: string; value: string; lineno: number; colno: number };
  peekToken(): { type: string; value: string; lineno: number; colno: number };
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  fail(msg: string, lineno?: number, colno?: number): never;
  parseExpression(): NodeLike;
}

type NodeCtor = new (lineno: number, colno: number, ...rest: unknown[]) => NodeLike;

const SafeString = nunjucks.runtime.SafeString;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's bool(). */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v))) return false;
  if (typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof SafeString) return String(v).length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isPlainObject(v)) return Object.keys(v).some((k) => k !== '__keywords');
  return true;
}

function pyQuote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return `${q}${s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(new RegExp(q, 'g'), `\\${q}`)}${q}`;
}

/** Python's repr() for the values templates build. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return pyQuote(v);
  if (v instanceof SafeString) return pyQuote(String(v));
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v && typeof v === 'object' && isPlainObject(v)) {
    return `{${Object.entries(v)
      .filter(([k]) => k !== '__keywords')
      .map(([k, x]) => `${pyQuote(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return pyStr(v);
}

/** Python's str(): what `{{ value }}` prints. `undefined` (Jinja2's Undefined) prints nothing. */
export function pyStr(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || (v && typeof v === 'object' && isPlainObject(v))) return pyRepr(v);
  return String(v);
}

function compare(op: string): (a: unknown, b: unknown) => boolean {
  switch (op) {
    case '==':
      return (a, b) => a === b || (a instanceof SafeString || b instanceof SafeString ? String(a) === String(b) : false);
    case '!=':
      return (a, b) => !compare('==')(a, b);
    case '<':
      return (a, b) => (a as number) < (b as number);
    case '<=':
      return (a, b) => (a as number) <= (b as number);
    case '>':
      return (a, b) => (a as number) > (b as number);
    default:
      return (a, b) => (a as number) >= (b as number);
  }
}

function attrOf(item: unknown, attr: string): unknown {
  let v: unknown = item;
  for (const part of attr.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

let installed = false;

/** Objects used as dict keys in the render under way, by their string (see runtime.cmKey). */
const dictKeyObjects = new Map<string, object>();

/** Forgets the dict keys of earlier renders (called when a render starts). */
export function resetDictKeyObjects(): void {
  dictKeyObjects.clear();
}

/** A dict key as the template wrote it: the object for a key that was one. */
export function dictKeyObject(k: string): unknown {
  return dictKeyObjects.size > 0 ? (dictKeyObjects.get(k) ?? k) : k;
}

export function installJinjaSemantics(): void {
  if (installed) return;
  installed = true;
  const nj = nunjucks as unknown as {
    parser: { Parser: { prototype: Record<string, unknown> } };
    compiler: { Compiler: { prototype: Record<string, unknown> } };
    nodes: Record<string, NodeCtor>;
    lexer: Record<string, string>;
    runtime: Record<string, unknown>;
  };
  const { nodes, lexer, runtime } = nj;
  const P = nj.parser.Parser.prototype;
  const Splat = (nj.nodes.Node as unknown as { extend(name: string, props: object): NodeCtor }).extend('CmSplat', { fields: ['target', 'kind'] });
  const C = nj.compiler.Compiler.prototype;

  runtime.cmTruthy = pyTruthy;
  runtime.cmOr = (a: unknown, b: () => unknown) => (pyTruthy(a) ? a : b());
  runtime.cmAnd = (a: unknown, b: () => unknown) => (pyTruthy(a) ? b() : a);
  runtime.cmStr = pyStr;
  runtime.cmKey = (k: unknown) => {
    if (k instanceof SafeString) return String(k);
    // Python dicts keep any hashable object as a key (`{ref('a'): 'alias'}`); a JavaScript object
    // keeps its string. The object is remembered under that string for items() and keys().
    if (k && typeof k === 'object') {
      dictKeyObjects.set(String(k), k);
      return String(k);
    }
    return k;
  };
  const suppress = runtime.suppressValue as (val: unknown, autoescape: boolean) => unknown;
  runtime.suppressValue = (val: unknown, autoescape: boolean) => (val instanceof SafeString || typeof val === 'string' ? suppress(val, autoescape) : suppress(pyStr(val), autoescape));

  // Parser: trailing commas, tuples, expression keys. (installJinjaCompat wraps parseAggregate
  // afterwards for slices, calling this version.)
  P.parseAggregate = function parseAggregate(this: ParserLike) {
    const tok = this.nextToken();
    let node: NodeLike;
    let kind: 'group' | 'array' | 'dict';
    switch (tok.type) {
      case lexer.TOKEN_LEFT_PAREN:
        node = new (nodes.Group as NodeCtor)(tok.lineno, tok.colno);
        kind = 'group';
        break;
      case lexer.TOKEN_LEFT_BRACKET:
        node = new (nodes.Array as NodeCtor)(tok.lineno, tok.colno);
        kind = 'array';
        break;
      case lexer.TOKEN_LEFT_CURLY:
        node = new (nodes.Dict as NodeCtor)(tok.lineno, tok.colno);
        kind = 'dict';
        break;
      default:
        return null;
    }
    let trailingComma = false;
    const closes = [lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY];
    for (;;) {
      if (closes.includes(this.peekToken().type)) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA as string)) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        if (closes.includes(this.peekToken().type)) {
          this.nextToken();
          trailingComma = true;
          break;
        }
      }
      if (kind === 'dict') {
        const key = this.parseExpression();
        if (!this.skip(lexer.TOKEN_COLON as string)) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
        const value = this.parseExpression();
        node.addChild(new (nodes.Pair as NodeCtor)(key.lineno, key.colno, key, value));
      } else node.addChild(this.parseExpression());
    }
    if (kind === 'group' && (trailingComma || node.children.length > 1)) {
      // A tuple: Python's (a, b) or (a,); a list is the closest JavaScript value.
      const arr = new (nodes.Array as NodeCtor)(node.lineno, node.colno);
      for (const c of node.children) arr.addChild(c);
      return arr;
    }
    return node;
  };

  P.parseSignature = function parseSignature(this: ParserLike, tolerant: boolean, noParens: boolean) {
    let tok = this.peekToken();
    if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', tok.lineno, tok.colno);
    }
    if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
    const args = new (nodes.NodeList as NodeCtor)(tok.lineno, tok.colno);
    const kwargs = new (nodes.KeywordArgs as NodeCtor)(tok.lineno, tok.colno);
    let checkComma = false;
    for (;;) {
      tok = this.peekToken();
      if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
        this.nextToken();
        break;
      } else if (noParens && tok.type === lexer.TOKEN_BLOCK_END) break;
      if (checkComma) {
        if (!this.skip(lexer.TOKEN_COMMA as string)) this.fail('parseSignature: expected comma after expression', tok.lineno, tok.colno);
        // A trailing comma before the closing parenthesis.
        if (!noParens && this.peekToken().type === lexer.TOKEN_RIGHT_PAREN) {
          this.nextToken();
          break;
        }
      }
      const star = this.peekToken();
      if (star.type === lexer.TOKEN_OPERATOR && (star.value === '*' || star.value === '**')) {
        // f(*list) and f(**dict): Python's unpacking, as dbt_utils passes **kwargs along.
        this.nextToken();
        const target = this.parseExpression();
        const splat = new Splat(star.lineno, star.colno, target, star.value);
        if (star.value === '**') kwargs.addChild(splat);
        else args.addChild(splat);
        checkComma = true;
        continue;
      }
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR as string, '=')) kwargs.addChild(new (nodes.Pair as NodeCtor)(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
      checkComma = true;
    }
    if (kwargs.children.length) args.addChild(kwargs);
    return args;
  };

  C.compileCmSplat = function compileCmSplat(this: CompilerLike, node: NodeLike & { target: NodeLike; kind: string }, frame: unknown) {
    this._emit(node.kind === '**' ? '...runtime.cmDict(' : '...runtime.cmList(');
    this.compile(node.target, frame);
    this._emit(')');
  };
  runtime.cmList = (v: unknown) => (Array.isArray(v) ? v : v === null || v === undefined ? [] : typeof v === 'string' ? [...v] : [v]);
  runtime.cmDict = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== '__keywords')) : {});

  // Compiler: the position of the last call made, so that an error inside a macro can be placed in
  // the macro's file (nunjucks only keeps the calling template's line).
  C.compileFunCall = function compileFunCall(this: CompilerLike & { _getNodeName(n: unknown): string; _compileAggregate(n: unknown, f: unknown, a: string, b: string): void }, node: NodeLike & { name: NodeLike; args: NodeLike }, frame: unknown) {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.cmPos = [${node.lineno}, ${node.colno}], `);
    this._emit('runtime.callWrap(');
    this._compileExpression(node.name, frame);
    // JSON quoting: the name of `'a\nb'.format` holds a newline (nunjucks emitted it raw: invalid JS).
    this._emit(`, ${JSON.stringify(this._getNodeName(node.name))}, context, `);
    this._compileAggregate(node.args, frame, '[', '])');
    this._emit(')');
  };

  // Compiler: truthiness, concatenation, dict keys.
  C.compileIf = function compileIf(this: CompilerLike, node: NodeLike, frame: unknown, async: boolean) {
    this._emit('if(runtime.cmTruthy(');
    this._compileExpression(node.cond, frame);
    this._emitLine(')) {');
    this._withScopedSyntax(() => {
      this.compile(node.body, frame);
      if (async) this._emit('cb()');
    });
    if (node.else_) {
      this._emitLine('}\nelse {');
      this._withScopedSyntax(() => {
        this.compile(node.else_, frame);
        if (async) this._emit('cb()');
      });
    } else if (async) {
      this._emitLine('}\nelse {');
      this._emit('cb()');
    }
    this._emitLine('}');
  };
  C.compileInlineIf = function compileInlineIf(this: CompilerLike, node: NodeLike, frame: unknown) {
    this._emit('(runtime.cmTruthy(');
    this.compile(node.cond, frame);
    this._emit(')?');
    this.compile(node.body, frame);
    this._emit(':');
    if (node.else_ !== null && node.else_ !== undefined) this.compile(node.else_, frame);
    else this._emit('undefined');
    this._emit(')');
  };
  C.compileNot = function compileNot(this: CompilerLike, node: NodeLike, frame: unknown) {
    this._emit('!runtime.cmTruthy(');
    this.compile(node.target, frame);
    this._emit(')');
  };
  const lazyBinary = (fn: string) =>
    function (this: CompilerLike, node: NodeLike, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(', function(){return ');
      this.compile(node.right, frame);
      this._emit(';})');
    };
  C.compileOr = lazyBinary('cmOr');
  C.compileAnd = lazyBinary('cmAnd');
  C.compileConcat = function compileConcat(this: CompilerLike, node: NodeLike, frame: unknown) {
    this._emit('(runtime.cmStr(');
    this.compile(node.left, frame);
    this._emit(') + runtime.cmStr(');
    this.compile(node.right, frame);
    this._emit('))');
  };
  const origKeywordArgs = C.compileKeywordArgs as (this: CompilerLike, node: NodeLike, frame: unknown) => void;
  C.compileKeywordArgs = function compileKeywordArgs(this: CompilerLike, node: NodeLike, frame: unknown) {
    const saved = this.cmInKeywords;
    this.cmInKeywords = true;
    try {
      origKeywordArgs.call(this, node, frame);
    } finally {
      this.cmInKeywords = saved;
    }
  };
  C.compilePair = function compilePair(this: CompilerLike, node: NodeLike, frame: unknown) {
    const key = node.key as NodeLike;
    const literalKey = key instanceof (nodes.Literal as NodeCtor) && typeof key.value === 'string';
    if (this.cmInKeywords || literalKey) {
      // Keyword names are names; nested dicts in a keyword's value are dicts again.
      const saved = this.cmInKeywords;
      this._emit(JSON.stringify(String(key.value)));
      this._emit(': ');
      this.cmInKeywords = false;
      try {
        this._compileExpression(node.value as NodeLike, frame);
      } finally {
        this.cmInKeywords = saved;
      }
      return;
    }
    this._emit('[runtime.cmKey(');
    this._compileExpression(key, frame);
    this._emit(')]: ');
    this._compileExpression(node.value as NodeLike, frame);
  };

  // Macros: Jinja2's `varargs` (positional arguments beyond the signature) and `kwargs` (keyword
  // arguments it does not name) inside a macro body. nunjucks drops the extra positional arguments
  // and passes every keyword argument in one object: makeMacro keeps the extras beside that object,
  // and the macro body (its frame set up just before its output buffer) gets both variables.
  const makeMacro = runtime.makeMacro as (argNames: string[], kwargNames: string[], func: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown;
  const isKeywords = (o: unknown) => !!o && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, '__keywords');
  runtime.makeMacro = (argNames: string[], kwargNames: string[], func: (...a: unknown[]) => unknown) => {
    const inner = makeMacro(argNames, kwargNames, func);
    return function macro(this: unknown, ...macroArgs: unknown[]) {
      const last = macroArgs[macroArgs.length - 1];
      const positional = isKeywords(last) ? macroArgs.length - 1 : macroArgs.length;
      const declared = argNames.length + kwargNames.length;
      if (positional <= declared) return inner.apply(this, macroArgs);
      const extra = macroArgs.slice(declared, positional);
      const kw = isKeywords(last) ? { ...(last as object) } : { __keywords: true };
      Object.defineProperty(kw, '__cmVarargs', { value: extra, enumerable: false });
      return inner.apply(this, [...macroArgs.slice(0, declared), kw]);
    };
  };
  runtime.cmVarargs = (kw: unknown) => ((kw as { __cmVarargs?: unknown[] } | undefined)?.__cmVarargs ?? []);
  runtime.cmKwargs = (kw: unknown, named: string[]) =>
    Object.fromEntries(Object.entries((kw ?? {}) as Record<string, unknown>).filter(([k]) => k !== '__keywords' && k !== 'caller' && !named.includes(k)));
  type MacroCompiler = CompilerLike & { cmMacroNames?: string[]; _pushBuffer(): string; _emitLine(s: string): void };
  const compileMacro = C._compileMacro as (this: MacroCompiler, node: NodeLike & { args: { children: Array<NodeLike & { value?: string; children?: Array<{ key: { value: string } }> }> } }, frame: unknown) => string;
  C._compileMacro = function (this: MacroCompiler, node: Parameters<typeof compileMacro>[0], frame: unknown) {
    const names: string[] = [];
    for (const a of node.args.children) {
      if (typeof a.value === 'string') names.push(a.value);
      for (const pair of a.children ?? []) names.push(pair.key.value);
    }
    const saved = this.cmMacroNames;
    this.cmMacroNames = names;
    try {
      return compileMacro.call(this, node, frame);
    } finally {
      this.cmMacroNames = saved;
    }
  };
  const pushBuffer = C._pushBuffer as (this: MacroCompiler) => string;
  C._pushBuffer = function (this: MacroCompiler) {
    const names = this.cmMacroNames;
    if (names) {
      // The first buffer of a macro is its body's: its arguments are in the frame by now.
      this.cmMacroNames = undefined;
      this._emitLine(`frame.set("varargs", runtime.cmVarargs(kwargs));`);
      this._emitLine(`frame.set("kwargs", runtime.cmKwargs(kwargs, ${JSON.stringify(names)}));`);
    }
    return pushBuffer.call(this);
  };

  // Subscripts: Python's negative indexes on lists and strings (`cols[-1]`, `fromjson(x)[-1]`).
  const memberLookup = runtime.memberLookup as (obj: unknown, val: unknown) => unknown;
  runtime.memberLookup = (obj: unknown, val: unknown) => {
    if (typeof val === 'number' && val < 0 && Number.isInteger(val) && (Array.isArray(obj) || typeof obj === 'string')) return memberLookup(obj, obj.length + val);
    return memberLookup(obj, val);
  };
}

/** 0-based line and column of the last call compiled code made (see compileFunCall above). */
export function lastCallPosition(): [number, number] | undefined {
  return (nunjucks.runtime as unknown as { cmPos?: [number, number] }).cmPos;
}

export function setLastCallPosition(pos: [number, number] | undefined): void {
  (nunjucks.runtime as unknown as { cmPos?: [number, number] }).cmPos = pos;
}

/** Jinja2's comparison tests and select/reject filters, for one environment. */
export function addJinjaFiltersAndTests(env: nunjucks.Environment): void {
  const e = env as unknown as {
    addTest(name: string, fn: (...a: unknown[]) => boolean): void;
    getTest(name: string): ((...a: unknown[]) => boolean) | undefined;
  };
  for (const [names, op] of [
    [['==', 'eq', 'equalto', 'sameas'], '=='],
    [['!=', 'ne'], '!='],
    [['<', 'lt', 'lessthan'], '<'],
    [['<=', 'le'], '<='],
    [['>', 'gt', 'greaterthan'], '>'],
    [['>=', 'ge'], '>='],
  ] as Array<[string[], string]>) {
    const fn = compare(op);
    for (const n of names) e.addTest(n, (a, b) => fn(a, b));
  }
  e.addTest('truthy', (v) => pyTruthy(v));
  e.addTest('falsy', (v) => !pyTruthy(v));
  // dbt's Relation objects are mappings too (dbt_utils checks `relation is mapping`).
  e.addTest('mapping', (v) => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof SafeString));
  e.addTest('iterable', (v) => Array.isArray(v) || typeof v === 'string' || (!!v && typeof v === 'object' && isPlainObject(v as object)));
  e.addTest('string', (v) => typeof v === 'string' || v instanceof SafeString);
  e.addTest('number', (v) => typeof v === 'number');
  const test = (name: unknown): ((...a: unknown[]) => boolean) => {
    if (name === undefined) return (v) => pyTruthy(v);
    const t = e.getTest(String(name));
    if (!t) throw new Error(`no test named '${String(name)}'`);
    return t;
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.keys(v) : typeof v === 'string' ? [...v] : []);
  const selectLike = (keep: boolean) =>
    function (this: unknown, arr: unknown, name?: unknown, ...args: unknown[]) {
      const t = test(name);
      return list(arr).filter((x) => pyTruthy(t.call(this, x, ...args)) === keep);
    };
  const attrLike = (keep: boolean) =>
    function (this: unknown, arr: unknown, attr: unknown, name?: unknown, ...args: unknown[]) {
      const t = test(name);
      return list(arr).filter((x) => pyTruthy(t.call(this, attrOf(x, String(attr)), ...args)) === keep);
    };
  env.addFilter('select', selectLike(true));
  env.addFilter('reject', selectLike(false));
  env.addFilter('selectattr', attrLike(true));
  env.addFilter('rejectattr', attrLike(false));
  env.addFilter('string', (v: unknown) => pyStr(v));
  env.addFilter('list', (v: unknown) => list(v));
  env.addFilter('bool', (v: unknown) => pyTruthy(v));
  // Jinja2's join: each item as Python's str() (None, True, nested lists), `attribute=` per item.
  env.addFilter('join', (v: unknown, ...rest: unknown[]) => {
    const last = rest[rest.length - 1];
    const kw = last && typeof last === 'object' && Object.prototype.hasOwnProperty.call(last, '__keywords') ? (rest.pop() as Record<string, unknown>) : {};
    const sep = rest[0] ?? kw.d ?? '';
    const attribute = rest[1] ?? kw.attribute;
    const items = list(v).map((x) => (attribute === undefined || attribute === null ? x : attrOf(x, String(attribute))));
    return items.map((x) => pyStr(x === undefined ? '' : x)).join(sep === undefined || sep === null ? '' : pyStr(sep));
  });
}
