/**
 * The templating engine: nunjucks (a maintained Jinja2-compatible engine) configured to behave like
 * Jinja2 under Ansible:
 *  - autoescape off; trim_blocks on, lstrip_blocks off (Ansible's template module defaults);
 *  - undefined variables are errors that name the variable (our own StrictUndefined, see
 *    undefined.ts: nunjucks' throwOnUndefined only says "attempted to output null or undefined value"
 *    and also rejects None, which Ansible prints as '');
 *  - Python truthiness, comparison and printing (see transform.ts);
 *  - Ansible's filters and tests (filters.ts, tests.ts).
 * Templates are compiled once and cached by source text.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { newCompiler } from './macro-compiler.js';
import { nunjucks, type NjEnvironment, type RootRenderFunc } from './nunjucks-internals.js';
import { transformTemplate, TYPE_DEBUG_NAME } from './transform.js';
import { escapeBackslashes, jinjaSource } from './source.js';
import { filters, percentFormat, typeName } from './filters.js';
import { tests } from './tests.js';
import { getAttr, Namespace, newList, setAttr } from './python-methods.js';
import { splitArgs } from './args.js';
import { pyEquals, pyRepr, pyStr, pyTruthy } from './python.js';
import { arithmetic, isNumber, isTuple, newTuple, PyFloat, pyRange, unbox } from './pytypes.js';
import { literalEval } from './literal.js';
import { TemplateError, UndefinedUseError } from './errors.js';
import { assertDefined, isUndefined, makeUndefined } from './undefined.js';
import { isPlainObject, SecretString } from '../vars/secret.js';
import { UnsafeString } from '../vars/unsafe.js';
import { nativeClassOf } from './native-text.js';
import { didYouMean } from '../validate/suggest.js';

/** Ansible's `omit`: a task argument whose value renders to this is dropped. */
export const OMIT = '__omit_place_holder__haweb__';

const LEXER_OPTS = { autoescape: false, throwOnUndefined: false, trimBlocks: true, lstripBlocks: false };

interface Compiled {
  root: RootRenderFunc;
  /** The template's own `{% block %}`s (nunjucks compiles each to a `b_<name>` function). */
  blocks: Record<string, RootRenderFunc>;
  names: Set<string>;
  native: boolean;
  nativeText: string;
  singleName?: string;
  nativeTextInside: boolean;
}

/**
 * What compiled templates call on their context. nunjucks' own Context copies every variable on each
 * render (slow with hundreds of facts); this one reads them through the prototype chain instead.
 */
class RenderContext {
  private readonly exported: string[] = [];
  constructor(
    readonly env: NjEnvironment,
    readonly ctx: Record<string, unknown>,
    private readonly blocks: Record<string, RootRenderFunc> = {},
  ) {}
  lookup(name: string): unknown {
    if (name === 'self' && (!(name in this.ctx) || isUndefined(this.ctx[name]))) return this.selfReference();
    return Object.prototype.hasOwnProperty.call(this.env.globals, name) && !(name in this.ctx) ? this.env.globals[name] : this.ctx[name];
  }
  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  addExport(name: string): void {
    this.exported.push(name);
  }
  getExported(): Record<string, unknown> {
    return Object.fromEntries(this.exported.map((n) => [n, this.ctx[n]]));
  }
  /** A block of this template, rendered where it stands (no `{% extends %}` ran: inheritance is refused). */
  getBlock(name: string): RootRenderFunc {
    const block = this.blocks[name];
    if (!block) throw new Error(`unknown block "${name}": template inheritance is not supported`);
    return block;
  }
  /** Jinja2's `self`: `self.name()` renders the template's block `name` again. */
  private selfReference(): Record<string, () => string> {
    const ref: Record<string, () => string> = {};
    for (const [name, block] of Object.entries(this.blocks)) {
      ref[name] = () => {
        let text = '';
        let failure: unknown;
        const frame = new nunjucks.runtime.Frame();
        block(this.env, this, frame, nunjucks.runtime, (err, result) => {
          failure = err;
          text = result;
        });
        if (failure) throw failure;
        return new SafeString(text) as unknown as string;
      };
    }
    return ref;
  }
}

interface NativeBox {
  value?: unknown;
  set: boolean;
  /** Expressions printed at the template's own level (transform.ts noteRootOutputs), the last one and what its text tells. */
  printed?: number;
  last?: unknown;
  lastInfo?: string;
  /** `{% set name = ... %}` at the template's level: the text assigned and its NativeJinjaText class. */
  locals?: Map<string, { value: unknown; cls: string }>;
}

/** The class the text of a noted expression has: given by the template's text, or that of the variable it names. */
function noteClass(box: NativeBox, vars: object, info: string, value: unknown): string | undefined {
  if (!info.startsWith(TYPE_DEBUG_NAME)) return info || undefined;
  const name = info.slice(TYPE_DEBUG_NAME.length);
  const local = box.locals?.get(name);
  if (local) return local.value === value && local.cls ? local.cls : undefined;
  return nativeClassOf(vars, name, value);
}

function createEnvironment(): NjEnvironment {
  const env = new nunjucks.Environment(null, LEXER_OPTS);
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, fn);
  for (const [name, fn] of Object.entries(tests)) env.addTest(name, fn);
  env.addGlobal('__getattr', getAttr);
  // Python's range: a list, or a lazy PyRange when too long for one (`range(2 ** 31, 2 ** 32) | random`)
  env.addGlobal('range', pyRange);
  // Jinja2's attr(): Python's getattr, which never reads a dict's keys (only its methods)
  env.addFilter('attr', (value: unknown, name: unknown) => {
    const key = pyStr(name);
    if (isPlainObject(value) && !['items', 'keys', 'values', 'get', '__class__'].includes(key)) return makeUndefined(`'dict object' has no attribute '${key}'`);
    return getAttr(value, key);
  });
  // what `caller` is inside a macro that was not called from a {% call %} block: undefined,
  // whatever an outer scope calls `caller` (macro-compiler.ts)
  env.addGlobal('__extends', (name: unknown) => {
    throw new Error(`{% extends ${pyRepr(name)} %}: template inheritance is not supported`);
  });
  env.addGlobal('__no_caller', makeUndefined("'caller' is undefined"));
  env.addGlobal('__bool', pyTruthy);
  env.addGlobal('__finalize', finalize);
  env.addGlobal('__newlist', newList);
  env.addGlobal('__add', (a: unknown, b: unknown) => {
    const x = plain(assertDefined(a));
    const y = plain(assertDefined(b));
    if (Array.isArray(x) && Array.isArray(y)) return isTuple(x) && isTuple(y) ? newTuple(...x, ...y) : newList(...x, ...y);
    if (typeof x === 'string' && typeof y === 'string') return x + y;
    if (numeric(x) && numeric(y)) return arithmetic('+', x, y);
    throw new Error(`unsupported operand types for +: '${typeName(x)}' and '${typeName(y)}' (use ~ to join as text)`);
  });
  env.addGlobal('__mul', (a: unknown, b: unknown) => {
    const x = plain(assertDefined(a));
    const y = plain(assertDefined(b));
    const times = (n: unknown) => Math.max(0, Math.trunc(Number(n)));
    if (typeof x === 'string' && (typeof y === 'number' || typeof y === 'boolean')) return x.repeat(times(y));
    if (typeof y === 'string' && (typeof x === 'number' || typeof x === 'boolean')) return y.repeat(times(x));
    if (Array.isArray(x) && typeof y === 'number') return newList(...Array.from({ length: times(y) }, () => x).flat());
    if (Array.isArray(y) && typeof x === 'number') return newList(...Array.from({ length: times(x) }, () => y).flat());
    if (numeric(x) && numeric(y)) return arithmetic('*', x, y);
    throw new Error(`unsupported operand types for *: '${typeName(x)}' and '${typeName(y)}'`);
  });
  env.addGlobal('__concat', (a: unknown, b: unknown) => concatText(a) + concatText(b));
  env.addGlobal('__mod', (a: unknown, b: unknown) => {
    if (typeof a === 'string' || a instanceof SecretString) {
      const args = Array.isArray(b) ? b : [b];
      return percentFormat(String(a), args, isPlainObject(b) ? b : {});
    }
    return arithmeticOf('%', a, b);
  });
  env.addGlobal('__arith', arithmeticOf);
  env.addGlobal('__neg', (a: unknown) => arithmeticOf('-', 0, a));
  env.addGlobal('__pos', (a: unknown) => arithmeticOf('+', 0, a));
  env.addGlobal('__float', (text: string) => PyFloat.of(Number(text)));
  env.addGlobal('__tuple', newTuple);
  env.addGlobal('__include', function (this: RenderContext, name: unknown, frame: NjFrame, ignoreMissing: boolean) {
    let compiled: Compiled;
    try {
      if (!activeLoader) throw new Error(`template not found: ${pyStr(name)} (no template folder is known here)`);
      compiled = compile(jinjaNewlines(activeLoader(pyStr(assertDefined(name)))), true);
    } catch (e) {
      if (ignoreMissing) return '';
      throw e;
    }
    const inner = frame.push(true);
    inner.topLevel = true;
    let text = '';
    let failure: unknown;
    compiled.root(env, new RenderContext(env, this.ctx, compiled.blocks), inner, nunjucks.runtime, (err, result) => {
      failure = err;
      text = result;
    });
    if (failure) throw failure;
    return new SafeString(text);
  });
  env.addGlobal('__unpack', (value: unknown, n: number) => {
    const v = plain(assertDefined(value));
    const items = typeof v === 'string' ? [...v] : isPlainObject(v) ? Object.keys(v) : v;
    if (!Array.isArray(items)) throw new Error(`cannot unpack non-iterable ${typeName(v)} object`);
    if (items.length !== n) throw new Error(items.length > n ? `too many values to unpack (expected ${n})` : `not enough values to unpack (expected ${n}, got ${items.length})`);
    return items;
  });
  env.addGlobal('__in', inOperator);
  env.addGlobal('__compare', compare);
  env.addGlobal('__test', function (this: unknown, name: string, value: unknown, ...args: unknown[]) {
    return env.getTest(name).call(this, value, ...args) === true;
  });
  env.addGlobal('__capture', function (this: { ctx: { __native_box: NativeBox } }, value: unknown) {
    this.ctx.__native_box.value = value;
    this.ctx.__native_box.set = true;
    return '';
  });
  env.addGlobal('__note', function (this: { ctx: { __native_box?: NativeBox } }, value: unknown, info: string) {
    const box = this.ctx.__native_box;
    if (box) {
      box.printed = (box.printed ?? 0) + 1;
      box.last = value;
      box.lastInfo = info;
    }
    return value;
  });
  env.addGlobal('__note_set', function (this: { ctx: { __native_box?: NativeBox } }, name: string, value: unknown, info: string) {
    const box = this.ctx.__native_box;
    if (box) (box.locals ??= new Map()).set(name, { value, cls: (typeof value === 'string' && noteClass(box, this.ctx, info, value)) || '' });
    return value;
  });
  env.addGlobal('__loop_filter', loopFilter);
  env.addGlobal('__iter', (value: unknown) => (isPlainObject(value) ? Object.keys(value) : value));
  // Python's constants, as Jinja2 accepts them (`when: x is True`, `default(None)`).
  env.addGlobal('True', true);
  env.addGlobal('False', false);
  env.addGlobal('None', null);
  env.addGlobal('lookup', lookup);
  env.addGlobal('dict', dictGlobal);
  env.addGlobal('namespace', (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    // Ansible's context passes the namespace as `self`: a `self=` keyword fails there (TypeError)
    if ('self' in kwargs) throw new Error("namespace() got multiple values for argument 'self'");
    return new Namespace({ ...(isPlainObject(positional[0]) ? positional[0] : {}), ...kwargs });
  });
  env.addGlobal('__setattr', setAttr);
  env.addGlobal('query', function (this: { ctx?: Record<string, unknown> }, ...args: unknown[]) {
    const v = runLookup.apply(this, [true, ...args] as [boolean, string, ...unknown[]]);
    return Array.isArray(v) ? v : [v];
  });
  return env;
}

function numeric(v: unknown): boolean {
  return isNumber(v) || typeof v === 'boolean';
}

/** `a OP b` on numbers, with Python's int/float rules (see pytypes.ts); other operands are refused. */
function arithmeticOf(op: string, a: unknown, b: unknown): unknown {
  const x = plain(assertDefined(a));
  const y = plain(assertDefined(b));
  if (!numeric(x) || !numeric(y)) throw new Error(`unsupported operand type(s) for ${op}: '${typeName(x)}' and '${typeName(y)}'`);
  return arithmetic(op, x, y);
}

const SafeString = (nunjucks.runtime as unknown as { SafeString: new (s: string) => object }).SafeString;
type NjFrame = { push(isolate?: boolean): NjFrame; topLevel: boolean };

/** How a printed value looks: macro output (SafeString) as text, the rest as Jinja2 prints it. */
function finalize(value: unknown): string {
  return value instanceof SafeString ? String(value) : pyStr(value);
}

/** A native value handed back to the caller: macro output becomes a plain string. */
function nativeValue(value: unknown): unknown {
  return value instanceof SafeString ? String(value) : value;
}

const env = createEnvironment();

/** Reads a template named by `{% include %}` / `{% import %}` (the template module's search path). */
export type TemplateLoader = (name: string) => string;

/** The loader of the render under way (renders are synchronous, so one at a time, nested for includes). */
let activeLoader: TemplateLoader | undefined;

type Callback = (err: unknown, result?: unknown) => void;

/**
 * nunjucks asks the environment for included and imported templates; ours come from the render's loader,
 * compiled like any template (Jinja2 drops the included file's final newline, trim_blocks applies), and
 * run synchronously so a loop around `{% include %}` keeps its place.
 */
(env as unknown as { getTemplate: unknown }).getTemplate = (name: unknown, ...rest: unknown[]) => {
  const cb = rest.find((r) => typeof r === 'function') as Callback;
  const ignoreMissing = rest[2] === true;
  let compiled: Compiled;
  try {
    if (!activeLoader) throw new Error(`template not found: ${pyStr(name)} (no template folder is known here)`);
    compiled = compile(jinjaNewlines(activeLoader(pyStr(name))), true);
  } catch (e) {
    if (ignoreMissing) return cb(null, { render: (_c: unknown, _f: unknown, done: Callback) => done(null, '') });
    return cb(e);
  }
  const start = (vars: Record<string, unknown>, parent: NjFrame | undefined, context: RenderContext, done: Callback) => {
    const frame = parent ? parent.push(true) : (new nunjucks.runtime.Frame() as unknown as NjFrame);
    frame.topLevel = true;
    compiled.root(env, context, frame, nunjucks.runtime, done);
  };
  cb(null, {
    render(vars: Record<string, unknown>, parent: NjFrame | undefined, done: Callback) {
      start(vars, parent, new RenderContext(env, vars, compiled.blocks), done);
    },
    getExported(...args: unknown[]) {
      const done = args[args.length - 1] as Callback;
      const vars = (args.length > 1 ? args[0] : {}) as Record<string, unknown>;
      // `with context`: the importing template's names, its local ones (a macro's sets) too
      const parent = args.length > 2 ? (args[1] as NjFrame) : undefined;
      const names = Object.create(vars) as Record<string, unknown>;
      // the imported macros run in frames of their own: hand them the importer's local names as context
      const chain: Record<string, unknown>[] = [];
      for (let f = parent as unknown as { variables?: Record<string, unknown>; parent?: unknown } | undefined; f; f = f.parent as typeof f) {
        if (f.variables) chain.push(f.variables);
      }
      for (const layer of chain.reverse()) Object.assign(names, layer);
      const context = new RenderContext(env, names, compiled.blocks);
      start(vars, parent, context, (err) => (err ? done(err) : done(null, context.getExported())));
    },
  });
};

/** Jinja2's lexer: every line ending read as \n, and one final newline dropped (keep_trailing_newline off). */
function jinjaNewlines(source: string): string {
  return source.replace(/\r\n?/g, '\n').replace(/\n$/, '');
}
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 5000;

/**
 * Lookup plugins provided from outside the engine (the executor registers pipe, first_found, template,
 * ...): each returns a list; lookup() joins strings with commas as Ansible does, query() keeps the list.
 */
export const lookupPlugins = new Map<string, (terms: unknown[], vars: Record<string, unknown>) => unknown[]>();

/** Ansible's lookup('env', NAME), lookup('file', PATH) (relative paths from the playbook's folder), lookup('vars', NAME). */
function lookup(this: { ctx?: Record<string, unknown> } | undefined, plugin: string, ...terms: unknown[]): unknown {
  return runLookup.call(this, false, plugin, ...terms);
}

function runLookup(this: { ctx?: Record<string, unknown> } | undefined, wantList: boolean, plugin: string, ...given: unknown[]): unknown {
  // Ansible templates the terms first (listify_lookup_plugin_terms): a term with {{ }} in it is rendered
  const vars = this?.ctx ?? {};
  const terms = given.map((t) => (typeof t === 'string' && isTemplate(t) ? renderString(t, vars) : t));
  // lookup('ansible.builtin.file', ...) is the same plugin as lookup('file', ...)
  plugin = String(plugin).replace(/^ansible\.builtin\./, '');
  const provided = lookupPlugins.get(plugin);
  if (provided) {
    // errors='ignore' or 'warn' (Ansible's lookup keyword): a failing lookup gives None (query(): []).
    const last = terms[terms.length - 1];
    const errors = isPlainObject(last) && (last as Record<string, unknown>).__keywords === true ? (last as Record<string, unknown>).errors : undefined;
    let list: unknown[];
    try {
      list = provided(terms, this?.ctx ?? {});
    } catch (err) {
      if (errors === 'ignore' || errors === 'warn') return wantList ? [] : null;
      throw err;
    }
    if (wantList) return list;
    return list.every((v) => typeof v === 'string') ? list.join(',') : list.length === 1 ? list[0] : list;
  }
  switch (plugin) {
    case 'env':
      return terms.length === 1 ? (process.env[String(terms[0])] ?? '') : terms.map((t) => process.env[String(t)] ?? '');
    case 'file': {
      const base = typeof this?.ctx?.playbook_dir === 'string' ? this.ctx.playbook_dir : process.cwd();
      const read = (t: unknown) => readFileSync(isAbsolute(String(t)) ? String(t) : resolvePath(base, String(t)), 'utf8').replace(/\n$/, '');
      return terms.length === 1 ? read(terms[0]) : terms.map(read);
    }
    case 'vars': {
      // A variable by (computed) name: lookup('vars', 'nginx_' ~ role)
      const ctx = this?.ctx ?? {};
      const read = (t: unknown) => {
        const v = ctx[String(t)];
        if (v === undefined || isUndefined(v)) throw new UndefinedUseError(`No variable found with this name: ${String(t)}`);
        return v;
      };
      return terms.length === 1 ? read(terms[0]) : terms.map(read);
    }
    case 'items':
    case 'list': {
      // items flattens its terms one level; list hands them over as they are
      const ran = plugin === 'items' ? terms.flatMap((t) => (Array.isArray(t) ? t : [t])) : terms.length === 1 && Array.isArray(terms[0]) ? terms[0] : terms;
      return wantList ? ran : ran.every((x) => typeof x === 'string') ? ran.join(',') : ran;
    }
    default:
      throw new Error(`lookup plugin '${plugin}' is not supported (supported: env, file, vars, items, list)`);
  }
}

/**
 * The items of `{% for names in value if cond %}` for which `cond` holds (see transform.ts): a dict gives
 * its keys to one loop variable and its (key, value) pairs to two, as the for loop itself would.
 */
function loopFilter(value: unknown, names: number, predicate: (...args: unknown[]) => unknown): unknown[] {
  const v = plain(assertDefined(value));
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') items = [...v];
  else if (isPlainObject(v)) items = names > 1 ? Object.entries(v) : Object.keys(v);
  else if (v instanceof Set || v instanceof Map) items = [...v];
  else throw new Error(`'${typeName(v)}' object is not iterable`);
  return items.filter((item) => String(names > 1 && Array.isArray(item) ? predicate(...item) : predicate(item)) === '1');
}

/** Python's dict(): from (key, value) pairs or a mapping, plus keyword arguments (`dict(keys | zip(values))`). */
function dictGlobal(...args: unknown[]): Record<string, unknown> {
  const { positional, kwargs } = splitArgs(args);
  const out: Record<string, unknown> = {};
  if (positional.length > 1) throw new Error(`dict expected at most 1 argument, got ${positional.length}`);
  const source = positional.length === 1 ? plain(assertDefined(positional[0])) : undefined;
  if (isPlainObject(source)) Object.assign(out, source);
  else if (Array.isArray(source)) {
    for (const [i, pair] of source.entries()) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`dictionary update sequence element #${i} is not a (key, value) pair`);
      out[pyStr(pair[0])] = pair[1];
    }
  } else if (source !== undefined) throw new Error(`'${typeName(source)}' object is not iterable`);
  return Object.assign(out, kwargs);
}

function inOperator(needle: unknown, haystack: unknown): boolean {
  assertDefined(needle);
  assertDefined(haystack);
  const n = needle instanceof SecretString ? needle.value : needle;
  const h = haystack instanceof SecretString ? haystack.value : haystack;
  if (typeof h === 'string') return h.includes(pyStr(n));
  if (Array.isArray(h)) return h.some((x) => pyEquals(x, n));
  if (h !== null && typeof h === 'object') return Object.prototype.hasOwnProperty.call(h, String(n));
  throw new Error(`argument of type '${h === null ? 'NoneType' : typeof h}' is not iterable`);
}

/** str() as Jinja2's ~ applies it: like printing, except that None is 'None'. */
function concatText(v: unknown): string {
  return assertDefined(v) === null ? 'None' : v instanceof SafeString ? String(v) : pyStr(v);
}

function plain(v: unknown): unknown {
  return v instanceof SecretString ? v.value : v;
}


function compare(first: unknown, ...rest: unknown[]): boolean {
  let left = assertDefined(first);
  for (let i = 0; i < rest.length; i += 2) {
    const op = rest[i] as string;
    const right = assertDefined(rest[i + 1]);
    const l = plain(left) as number;
    const r = plain(right) as number;
    let ok: boolean;
    switch (op) {
      case '==': ok = pyEquals(l, r); break;
      case '!=': ok = !pyEquals(l, r); break;
      case '<': ok = l < r; break;
      case '>': ok = l > r; break;
      case '<=': ok = l <= r; break;
      default: ok = l >= r;
    }
    if (!ok) return false;
    left = right;
  }
  return true;
}

/** Lexer settings a template may change with Ansible's `#jinja2:` first line. */
interface LexerOverrides {
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

/** The template's active overrides while it and its includes compile (renders are synchronous). */
let activeOverrides: LexerOverrides | undefined;

/** `included`: a template rendered inside another (include, import) prints its value, never captures it. */
function compile(source: string, included = false): Compiled {
  const overrides = activeOverrides;
  const key = (included ? '\u0001' : '') + (overrides ? `${overrides.trimBlocks ? 1 : 0}${overrides.lstripBlocks ? 1 : 0}\u0000${source}` : source);
  const hit = cache.get(key);
  if (hit) return hit;
  const opts = overrides ? { ...env.opts, trimBlocks: overrides.trimBlocks, lstripBlocks: overrides.lstripBlocks } : env.opts;
  const ast = nunjucks.parser.parse(jinjaSource(source, overrides?.trimBlocks ?? true), env.extensionsList, opts);
  const { names, native, nativeText, singleName, nativeTextInside, filters: usedFilters, tests: usedTests } = transformTemplate(ast, !included);
  // nunjucks looks filters and tests up at render time; find unknown ones now, before any host.
  const known = env as unknown as { filters: Record<string, unknown>; tests: Record<string, unknown> };
  for (const f of usedFilters) if (!(f in known.filters)) throw new Error(`filter not found: ${f}`);
  for (const t of usedTests) {
    if (t === '?') throw new Error("expected a test name after 'is' (group a test's argument that uses filters: x is in (l | list))");
    if (!(t in known.tests)) throw new Error(`test not found: ${t}`);
  }
  const compiler = newCompiler();
  compiler.compile(nunjucks.transformer.transform(ast, env.asyncFilters, 'template'));
  // Jinja2 scopes a `{% set %}` inside a loop to the loop; nunjucks' loop frame writes through to the outer one.
  let code = compiler.getCode().replace(/frame = frame\.push\(\);/g, 'frame = frame.push(true);');
  code = code.replace(/runtime\.contextOrFrameLookup\(context, frame, "__current_frame__"\)/g, 'frame');
  // loop.previtem / nextitem / changed() need the loop's items: hand them to the loop object
  const arrays = new Map([...code.matchAll(/var (t_\d+) = (t_\d+)\.length;/g)].map((m) => [m[1], m[2]]));
  // each iteration gets fresh names, as in Jinja2: a `{% set %}` in one iteration is gone in the next
  code = code.replace(/for\(var (t_\d+)=0; \1 < (t_\d+)\.length; \1\+\+\) \{/g, (all) => `${all}frame.variables = {};`);
  code = code.replace(/frame\.set\("loop\.length", (t_\d+)\);/g, (all, len: string) => (arrays.has(len) ? `${all}frame.set("loop.__items", ${arrays.get(len)});` : all));
  const props = new Function(code)() as { root: RootRenderFunc } & Record<string, unknown>;
  for (const n of [...names]) if (Object.prototype.hasOwnProperty.call(env.globals, n) || n === '__current_frame__') names.delete(n);
  const blocks = Object.fromEntries(Object.entries(props).filter(([k]) => k.startsWith('b_')).map(([k, fn]) => [k.slice(2), fn as RootRenderFunc]));
  const compiled = { root: props.root, blocks, names, native, nativeText, singleName, nativeTextInside };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/** Does this string contain Jinja2 syntax at all? Plain strings are returned untouched, fast. */
export function isTemplate(value: string): boolean {
  return value.includes('{{') || value.includes('{%') || value.includes('{#');
}

function run(source: string, vars: Record<string, unknown>): { text: string; native: boolean; nativeText?: string; value?: unknown } {
  let compiled: Compiled;
  try {
    compiled = compile(source);
  } catch (e) {
    throw toTemplateError(source, e);
  }
  const box: NativeBox = { set: false };
  // The template's variables: the caller's, unchanged, seen through the prototype chain.
  const ctx = Object.create(vars) as Record<string, unknown>;
  if (!('omit' in vars)) ctx.omit = OMIT;
  ctx.__native_box = box;
  // A name the template reads but nobody defined: a named Undefined, so errors say "'x' is undefined".
  // Names only Object.prototype has (`constructor`, `toString`) are not variables either.
  for (const name of compiled.names) {
    if (!(name in ctx) || (name in Object.prototype && ctx[name] === (Object.prototype as Record<string, unknown>)[name])) {
      ctx[name] = makeUndefined(`'${name}' is undefined`);
    }
  }
  const frame = new nunjucks.runtime.Frame();
  frame.topLevel = true;
  let text = '';
  let failure: unknown;
  try {
    compiled.root(env, new RenderContext(env, ctx, compiled.blocks), frame, nunjucks.runtime, (err, result) => {
      failure = err;
      text = result;
    });
  } catch (e) {
    failure = e;
  }
  if (failure) throw toTemplateError(source, failure, true);
  if (!box.set) {
    // one value printed and nothing else: Jinja2 hands that value over as it is (NativeJinjaText stays text)
    if (box.printed === 1 && box.lastInfo && typeof box.last === 'string' && text === box.last) {
      const cls = noteClass(box, vars, box.lastInfo, box.last);
      if (cls) return { text, native: false, nativeText: cls };
    }
    return { text, native: false };
  }
  const value = nativeValue(box.value);
  // `{{ name }}` of a variable whose text Ansible made as NativeJinjaText keeps that class
  const inherited = compiled.singleName === undefined ? undefined : nativeClassOf(vars, compiled.singleName, value);
  return { text, native: true, nativeText: compiled.nativeText || inherited || '', value };
}

const CAUSE_PREFIX = /^(UndefinedError|FilterError|Error|TypeError|RangeError|SyntaxError|Template render error): /;

/** `rendering`: the error happened while rendering, where nunjucks counts lines from 0 (its parser counts from 1). */
function toTemplateError(source: string, e: unknown, rendering = false): TemplateError {
  if (e instanceof TemplateError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const located = /^\((?:unknown path|template)\)(?: \[Line (\d+), Column (\d+)\])?\s*([\s\S]*)$/.exec(raw);
  let reason = (located ? located[3] : raw).trim();
  const undefinedVariable = e instanceof UndefinedUseError || /UndefinedError: /.test(reason);
  while (CAUSE_PREFIX.test(reason)) reason = reason.replace(CAUSE_PREFIX, '');
  const filter = /^filter not found: (\S+)/.exec(reason);
  if (filter) reason = `no filter named '${filter[1]}'${didYouMean(filter[1], shortNames(filters))}`;
  const test = /^test not found: (\S+)/.exec(reason);
  if (test) reason = `no test named '${test[1]}'${didYouMean(test[1], shortNames(tests))}`;
  const found = located?.[1] ?? (e as { lineno?: number }).lineno;
  const line = found === undefined ? undefined : Number(found) + (rendering ? 1 : 0);
  if (line !== undefined && source.includes('\n')) reason += ` (template line ${line})`;
  return new TemplateError(source, reason, undefinedVariable);
}

/**
 * The template module: Ansible renders the file with trim_blocks on, line endings read as \n, and as many
 * final newlines as the file has (Jinja2 alone would drop one). `loader` finds included templates.
 */
export function renderTemplate(source: string, vars: Record<string, unknown>, loader?: TemplateLoader): string {
  // An `{% extends %}` that runs is refused where it runs (getTemplate, above), naming its line.
  const previous = activeLoader;
  activeLoader = loader;
  try {
    return renderText(source, vars, false).text;
  } finally {
    activeLoader = previous;
  }
}

/** Render a template string to text (task names, and the template module without includes). */
export function renderString(source: string, vars: Record<string, unknown>): string {
  if (!isTemplate(source)) return source;
  return renderText(source, vars, false).text;
}

/** Errors raised while converting a rendered value (an Undefined printed) become TemplateErrors too. */
function guard<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toTemplateError(source, e);
  }
}

/**
 * Ansible's `#jinja2:` first line (`#jinja2: trim_blocks: False, lstrip_blocks: True`): the line is
 * removed and its settings apply to this template. trim_blocks and lstrip_blocks are supported; any
 * other setting (other delimiters, line statements) is refused rather than ignored.
 */
function jinjaOverrides(source: string): { body: string; overrides?: LexerOverrides } {
  if (!source.startsWith('#jinja2:')) return { body: source };
  let lineStatementPrefix: string | undefined;
  const eol = source.indexOf('\n');
  const line = source.slice('#jinja2:'.length, eol < 0 ? source.length : eol);
  const overrides: LexerOverrides = { trimBlocks: true, lstripBlocks: false };
  for (const pair of line.split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 0) throw new TemplateError(source, `failed to parse jinja2 override '${pair.trim()}'. Did you use something different from colon as key-value separator?`);
    const key = pair.slice(0, colon).trim();
    const value = literalEval(pair.slice(colon + 1).trim());
    if ((key === 'trim_blocks' || key === 'lstrip_blocks') && typeof value === 'boolean') {
      overrides[key === 'trim_blocks' ? 'trimBlocks' : 'lstripBlocks'] = value;
    } else if (key === 'line_statement_prefix' && typeof value === 'string' && value !== '') {
      lineStatementPrefix = value;
    } else {
      throw new TemplateError(source, `the jinja2 override '${pair.trim()}' is not supported by this engine (template line 1)`);
    }
  }
  const body = eol < 0 ? '' : source.slice(eol + 1);
  return { body: lineStatementPrefix === undefined ? body : lineStatements(body, lineStatementPrefix), overrides };
}

/**
 * Jinja2's line statements (`line_statement_prefix`): a line whose first non-blank text is the prefix is
 * a statement, `{% ... %}`, and takes its whole line, line end included.
 */
export function lineStatements(body: string, prefix: string): string {
  const p = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return body.replace(new RegExp(`^[ \\t\\v]*${p}(.*?)[ \\t]*(?:\\r?\\n|$)`, 'gm'), (_all, statement: string) => `{%${statement} %}`);
}

/** Ansible's SINGLE_VAR: `{{ name }}` alone, whose number or bool value is handed over untouched. */
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/;

/**
 * A module argument or set_fact value, rendered as Ansible 2.14's Templar.template() does (jinja2_native
 * off): strings inside lists and dicts are rendered too, and a dict entry rendering to `omit` is dropped.
 * A string renders to text, with the backslashes of string literals inside `{{ }}` doubled, and then:
 *  - `{{ name }}` of a variable holding a number or bool (or None) gives that value itself;
 *  - text that starts with `[` or `{`, or is True/False, is read back as Python literal data (lists,
 *    dicts, booleans; JSON's true/false/null too); if that fails it stays text;
 *  - anything else stays text: `{{ 8080 + 1 }}` is the string "8081", `{{ 4096/1024 }}` is "4.0".
 */
export function render(value: unknown, vars: Record<string, unknown>): unknown {
  return unbox(renderData(value, vars));
}

/**
 * Ansible's template lookup (lookup('template', NAME, convert_data=...)): the file's text rendered by
 * Templar.template with backslashes left as written and trailing newlines kept; with convert_data (the
 * default) the result is read back as data by the same rules as a module argument (a dict's text gives
 * the dict), without it the text stays text.
 */
export function renderTemplateLookup(source: string, vars: Record<string, unknown>, convertData: boolean): unknown {
  if (!convertData) return renderText(source, vars, false).text;
  return unbox(renderTextValue(source, vars, false));
}

function renderTextValue(value: string, vars: Record<string, unknown>, escape: boolean): unknown {
  return renderTextMarked(value, vars, escape).value;
}

/**
 * A module argument or variable's value as render() makes it, and the NativeJinjaText class of its text
 * ('' when none; see native-text.ts): the executor keeps that class beside the variable it resolves.
 */
export function renderMarked(value: unknown, vars: Record<string, unknown>): { value: unknown; nativeClass: string } {
  if (typeof value !== 'string') return { value: render(value, vars), nativeClass: '' };
  const r = renderTextMarked(value, vars, true);
  return { value: unbox(r.value), nativeClass: r.nativeClass };
}

function renderTextMarked(value: string, vars: Record<string, unknown>, escape: boolean): { value: unknown; nativeClass: string } {
  if (!isTemplate(value)) return { value, nativeClass: '' };
  const single = SINGLE_VAR.exec(value);
  if (single && single[1] in vars && !(single[1] in Object.prototype)) {
    const v = vars[single[1]];
    if (typeof v === 'boolean' || typeof v === 'number' || v instanceof PyFloat) return { value: v, nativeClass: '' };
    if (v === null) return { value: null, nativeClass: '' };
  }
  const text = renderText(value, vars, escape);
  if (text.nativeText) return { value: text.text, nativeClass: text.nativeText };
  // A list or dict of plain data: literal_eval(repr(value)) would give it back unchanged; skip the round trip
  if (text.native && ((Array.isArray(text.value) && !isTuple(text.value)) || isPlainObject(text.value)) && plainData(value, text.value)) return { value: text.value, nativeClass: '' };
  // one expression only: text around it makes Python join the parts into a new str, always read back
  if (text.native && looksLikeData(text.text)) refuseUnsureConversion(value, vars);
  return { value: convertData(value, text.text), nativeClass: '' };
}

function looksLikeData(text: string): boolean {
  return text.startsWith('[') || text.startsWith('{') || text === 'True' || text === 'False';
}

/**
 * Text that looks like data, from a template reading a variable whose text Ansible made as NativeJinjaText
 * in a larger expression: Ansible reads it back as data or not depending on the Python object the
 * expression hands on (`x | default('')` keeps the class, `x ~ ''` makes a new str). Refused, not guessed.
 */
function refuseUnsureConversion(source: string, vars: Record<string, unknown>): void {
  let compiled: Compiled;
  try {
    compiled = compile(jinjaNewlines(jinjaOverrides(source).body));
  } catch {
    return;
  }
  if (compiled.nativeTextInside) {
    throw new TemplateError(source, `lookup('template', convert_data=False) inside a larger expression, giving text that looks like data: whether Ansible reads it back as data depends on the Python type the expression hands on, which the engine cannot tell; make the lookup the whole value`);
  }
  for (const name of compiled.names) {
    if (name === compiled.singleName || !(name in vars)) continue;
    const cls = nativeClassOf(vars, name, vars[name]);
    if (cls) throw new TemplateError(source, `the variable '${name}' holds text Ansible keeps as ${cls} (never read back as data); used inside a larger expression, whether Ansible reads this result back as data depends on the Python type the expression hands on, which the engine cannot tell: use '${name}' alone as the value, or convert it explicitly (| from_json, | string)`);
  }
}

function renderData(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') return renderTextValue(value, vars, true);
  if (Array.isArray(value)) return value.map((v) => renderData(v, vars)).filter((v) => v !== OMIT);
  if (value instanceof SecretString) return value.value;
  // Ansible's `!unsafe`: the text as written, never rendered
  if (value instanceof UnsafeString) return value.value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = renderData(v, vars);
      // Keys are rendered too (set_fact and include_vars template theirs; Templar alone would not)
      if (r !== OMIT) out[renderString(k, vars)] = r;
    }
    return out;
  }
  return value;
}

/** Ansible's ansible_eval_concat on the rendered text: data-looking text read back as Python literals. */
function convertData(source: string, text: string): unknown {
  if (!(text.startsWith('[') || text.startsWith('{') || text === 'True' || text === 'False')) return text;
  let v: unknown;
  try {
    v = literalEval(text);
  } catch (e) {
    throw toTemplateError(source, e);
  }
  if (v === undefined) return text;
  // A whole float inside data (Python's [1.0]) would reach a module as the integer 1: refuse instead
  if (holdsSmallWholeFloat(v)) throw new TemplateError(source, `the value ${text.length > 60 ? `${text.slice(0, 60)}...` : text} holds a whole float (like 1.0) inside a list or dict, which cannot be handed to a module as Python keeps it; convert it with | int or | string`);
  // Floats beyond 2**53 (1.234567890E+34 in uri's json) stay floats on the way to a module: plain numbers.
  return unbox(v);
}

/** A whole float below 2**53 (1.0) inside data: a module would read it as an integer. */
function holdsSmallWholeFloat(v: unknown): boolean {
  if (v instanceof PyFloat) return Math.abs(v.valueOf()) < 2 ** 53;
  if (Array.isArray(v)) return v.some(holdsSmallWholeFloat);
  if (isPlainObject(v)) return Object.values(v).some(holdsSmallWholeFloat);
  return false;
}

/**
 * Render to text as Templar.do_template does: Jinja2 drops one final newline, Ansible adds back as many
 * as the source had. `escape`: module arguments get their string literals' backslashes doubled.
 */
/**
 * Is this value data that Python's repr() and literal_eval() would carry unchanged (text, numbers,
 * booleans, None, lists, tuples, dicts)? A whole float inside is refused, as in convertData.
 */
function plainData(source: string, v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof SecretString) return true;
  if (typeof v === 'number') return Number.isSafeInteger(v) || !Number.isInteger(v);
  if (v instanceof PyFloat) throw new TemplateError(source, `the value holds a whole float (like 1.0) inside a list or dict, which cannot be handed to a module as Python keeps it; convert it with | int or | string`);
  if (Array.isArray(v)) return v.every((x) => plainData(source, x));
  if (isPlainObject(v)) return Object.values(v).every((x) => plainData(source, x));
  return false;
}

function renderText(source: string, vars: Record<string, unknown>, escape: boolean): { text: string; nativeText: string; native: boolean; value?: unknown } {
  // Ansible counts the source's final \n characters (a final \r\n counts, a lone \r does not)
  const wanted = /\n*$/.exec(source)![0].length;
  const { body, overrides } = jinjaOverrides(source);
  const code = jinjaNewlines(escape ? escapeBackslashes(body) : body);
  const previous = activeOverrides;
  activeOverrides = overrides;
  let r: ReturnType<typeof run>;
  try {
    r = run(code, vars);
  } finally {
    activeOverrides = previous;
  }
  const out = r.native ? guard(source, () => (r.value === null ? '' : pyStr(r.value))) : r.text;
  const have = /\n*$/.exec(out)![0].length;
  return { text: have < wanted ? out + '\n'.repeat(wanted - have) : out, nativeText: r.nativeText ?? '', native: r.native, value: r.value };
}

function assertNoUndefined(source: string, value: unknown): void {
  if (isUndefined(value)) guard(source, () => assertDefined(value));
}

/**
 * Evaluate a bare expression (`when`, `changed_when`, `failed_when`, assert's `that`) to its value.
 * `{{ }}` around it is accepted too (Ansible warns but allows it).
 */
export function evaluate(expression: string, vars: Record<string, unknown>): unknown {
  const bare = stripDelimiters(expression.trim());
  const r = run(`{{ (${bare}) }}`, vars);
  assertNoUndefined(expression, r.value);
  return unbox(r.value);
}

function stripDelimiters(expr: string): string {
  const m = /^\{\{([\s\S]*)\}\}$/.exec(expr);
  return m && !m[1].includes('{{') ? m[1].trim() : expr;
}

/** Ansible 2.14's DEFINED_REGEX: the `x is defined` / `x is not undefined` tests written in a condition. */
const DEFINED_TESTS = /(hostvars\[.+\]|[\w_]+)\s+(not\s+is|is|is\s+not)\s+(defined|undefined)/;

/** Jinja2's is_template, as Ansible's warning uses it: an opening delimiter with its closer after it. */
function hasDelimiters(text: string): boolean {
  return /\{\{[\s\S]*\}\}|\{%[\s\S]*%\}/.test(text);
}

export interface ConditionalResult {
  holds: boolean;
  /** Ansible's warnings, word for word (`{{ }}` inside a condition). */
  warnings: string[];
}

/**
 * Conditions the way Ansible 2.14 evaluates `when:`, `changed_when:`, `failed_when:` and assert's `that`
 * (playbook/conditional.py), all of which must hold:
 *  - null or '' holds; a boolean is itself; other non-strings by Python truthiness;
 *  - a string is first templated as a module argument would be (so `{{ flag }}` with flag "false" gives
 *    the text "false", then read as an expression: false; with a warning); a non-string or empty result
 *    counts by truthiness;
 *  - the text is then evaluated as an expression, `{% if TEXT %}`: a bare variable holding "false" is a
 *    non-empty string, so it holds;
 *  - an undefined variable fails the condition, unless the condition tests that very name with
 *    `is defined` / `is undefined` (then the test's answer is used).
 */
export function evaluateConditional(conditions: unknown, vars: Record<string, unknown>): ConditionalResult {
  const warnings: string[] = [];
  const list = Array.isArray(conditions) ? conditions : [conditions];
  for (const condition of list) {
    if (!conditionHolds(condition, vars, warnings)) return { holds: false, warnings };
  }
  return { holds: true, warnings };
}

function conditionHolds(condition: unknown, vars: Record<string, unknown>, warnings: string[]): boolean {
  if (condition === null || condition === undefined || condition === '') return true;
  if (typeof condition === 'boolean') return condition;
  if (typeof condition !== 'string') return guard(String(condition), () => pyTruthy(render(condition, vars)));
  if (hasDelimiters(condition)) {
    warnings.push(`conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${condition}`);
  }
  try {
    const first = render(condition, vars);
    if (typeof first !== 'string' || first === '') return guard(condition, () => pyTruthy(first));
    const r = run(`{% if ${first} %}True{% else %}False{% endif %}`, vars);
    return r.text === 'True';
  } catch (e) {
    const error = e instanceof TemplateError ? e : toTemplateError(condition, e);
    const missing = /'(hostvars\[.+\]|[\w_]+)' is undefined/.exec(error.reason)?.[1];
    if (error.undefinedVariable && missing !== undefined) {
      let rest = condition;
      for (let m = DEFINED_TESTS.exec(rest); m; rest = rest.slice(m.index + m[0].length), m = DEFINED_TESTS.exec(rest)) {
        if (m[1].replace(/'/g, '"') === missing.replace(/'/g, '"')) return m[2].includes('not') !== (m[3] === 'defined') ? false : true;
      }
    }
    throw new TemplateError(condition, `error while evaluating conditional (${condition}): ${error.reason}`, error.undefinedVariable);
  }
}

/** One condition as a boolean (the executor's `when:`); see evaluateConditional for Ansible's rules. */
export function evaluateCondition(expression: string | boolean, vars: Record<string, unknown>, onWarning?: (message: string) => void): boolean {
  const r = evaluateConditional(expression, vars);
  if (onWarning) r.warnings.forEach(onWarning);
  return r.holds;
}

/** All conditions (the list form of `when`) must hold. An empty list is true. */
export function evaluateConditions(expressions: readonly (string | boolean)[], vars: Record<string, unknown>): boolean {
  return evaluateConditional(expressions, vars).holds;
}

/** Names without the `ansible.builtin.` aliases (the same filters), sorted. */
function shortNames(table: Record<string, unknown>): string[] {
  return Object.keys(table).filter((n) => !n.startsWith('ansible.builtin.')).sort();
}

/** Names of every filter and test, for documentation and suggestions. */
export function templateCapabilities(): { filters: string[]; tests: string[] } {
  return { filters: shortNames(filters), tests: shortNames(tests) };
}

/** Syntax-check a template without rendering it (used by validation). Returns the error reason or undefined. */
export function templateSyntaxError(source: string): string | undefined {
  if (!isTemplate(source)) return undefined;
  try {
    compile(source);
    return undefined;
  } catch (e) {
    return toTemplateError(source, e).reason;
  }
}
