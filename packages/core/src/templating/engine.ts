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
import { nunjucks, type NjEnvironment, type RootRenderFunc } from './nunjucks-internals.js';
import { transformTemplate } from './transform.js';
import { jinjaSource } from './source.js';
import { filters, percentFormat, typeName } from './filters.js';
import { tests } from './tests.js';
import { getAttr, Namespace, newList, setAttr } from './python-methods.js';
import { splitArgs } from './args.js';
import { pyEquals, pyStr, pyTruthy } from './python.js';
import { TemplateError, UndefinedUseError } from './errors.js';
import { assertDefined, isUndefined, makeUndefined } from './undefined.js';
import { isPlainObject, SecretString } from '../vars/secret.js';
import { didYouMean } from '../validate/suggest.js';

/** Ansible's `omit`: a task argument whose value renders to this is dropped. */
export const OMIT = '__omit_place_holder__haweb__';

const LEXER_OPTS = { autoescape: false, throwOnUndefined: false, trimBlocks: true, lstripBlocks: false };

interface Compiled {
  root: RootRenderFunc;
  names: Set<string>;
  native: boolean;
}

/**
 * What compiled templates call on their context. nunjucks' own Context copies every variable on each
 * render (slow with hundreds of facts); this one reads them through the prototype chain instead.
 */
class RenderContext {
  constructor(
    readonly env: NjEnvironment,
    readonly ctx: Record<string, unknown>,
  ) {}
  lookup(name: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.env.globals, name) && !(name in this.ctx) ? this.env.globals[name] : this.ctx[name];
  }
  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  addExport(): void {}
  getExported(): Record<string, unknown> {
    return {};
  }
  getBlock(name: string): never {
    throw new Error(`unknown block "${name}": template inheritance is not supported`);
  }
}

interface NativeBox {
  value?: unknown;
  set: boolean;
}

function createEnvironment(): NjEnvironment {
  const env = new nunjucks.Environment(null, LEXER_OPTS);
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, fn);
  for (const [name, fn] of Object.entries(tests)) env.addTest(name, fn);
  env.addGlobal('__getattr', getAttr);
  env.addGlobal('__bool', pyTruthy);
  env.addGlobal('__finalize', finalize);
  env.addGlobal('__newlist', newList);
  env.addGlobal('__add', (a: unknown, b: unknown) => {
    const x = plain(assertDefined(a));
    const y = plain(assertDefined(b));
    if (Array.isArray(x) && Array.isArray(y)) return newList(...x, ...y);
    if (typeof x === 'number' && typeof y === 'number') return x + y;
    if (typeof x === 'string' && typeof y === 'string') return x + y;
    if (typeof x === 'boolean' || typeof y === 'boolean') return Number(x) + Number(y);
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
    if ((typeof x === 'number' || typeof x === 'boolean') && (typeof y === 'number' || typeof y === 'boolean')) return Number(x) * Number(y);
    throw new Error(`unsupported operand types for *: '${typeName(x)}' and '${typeName(y)}'`);
  });
  env.addGlobal('__concat', (a: unknown, b: unknown) => concatText(a) + concatText(b));
  env.addGlobal('__mod', (a: unknown, b: unknown) => {
    if (typeof a === 'string' || a instanceof SecretString) {
      const args = Array.isArray(b) ? b : [b];
      return percentFormat(String(a), args, isPlainObject(b) ? b : {});
    }
    const x = Number(assertDefined(a));
    const y = Number(assertDefined(b));
    return ((x % y) + y) % y; // Python: the result has the divisor's sign
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
    return new Namespace({ ...(isPlainObject(positional[0]) ? positional[0] : {}), ...kwargs });
  });
  env.addGlobal('__setattr', setAttr);
  env.addGlobal('query', function (this: { ctx?: Record<string, unknown> }, ...args: unknown[]) {
    const provided = lookupPlugins.get(String(args[0]));
    if (provided) return provided(args.slice(1), this?.ctx ?? {});
    const v = lookup.apply(this, args as [string, ...unknown[]]);
    return Array.isArray(v) ? v : [v];
  });
  return env;
}

const SafeString = (nunjucks.runtime as unknown as { SafeString: new (s: string) => object }).SafeString;

/** How a printed value looks: macro output (SafeString) as text, the rest as Jinja2 prints it. */
function finalize(value: unknown): string {
  return value instanceof SafeString ? String(value) : pyStr(value);
}

/** A native value handed back to the caller: macro output becomes a plain string. */
function nativeValue(value: unknown): unknown {
  return value instanceof SafeString ? String(value) : value;
}

const env = createEnvironment();
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 5000;

/**
 * Lookup plugins provided from outside the engine (the executor registers pipe, first_found, template,
 * ...): each returns a list; lookup() joins strings with commas as Ansible does, query() keeps the list.
 */
export const lookupPlugins = new Map<string, (terms: unknown[], vars: Record<string, unknown>) => unknown[]>();

/** Ansible's lookup('env', NAME), lookup('file', PATH) (relative paths from the playbook's folder), lookup('vars', NAME). */
function lookup(this: { ctx?: Record<string, unknown> } | undefined, plugin: string, ...terms: unknown[]): unknown {
  const provided = lookupPlugins.get(plugin);
  if (provided) {
    const list = provided(terms, this?.ctx ?? {});
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
    default:
      throw new Error(`lookup plugin '${plugin}' is not supported (supported: env, file, vars)`);
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

function compile(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  const ast = nunjucks.parser.parse(jinjaSource(source), env.extensionsList, env.opts);
  const { names, native, filters: usedFilters, tests: usedTests } = transformTemplate(ast, true);
  // nunjucks looks filters and tests up at render time; find unknown ones now, before any host.
  const known = env as unknown as { filters: Record<string, unknown>; tests: Record<string, unknown> };
  for (const f of usedFilters) if (!(f in known.filters)) throw new Error(`filter not found: ${f}`);
  for (const t of usedTests) {
    if (t === '?') throw new Error("expected a test name after 'is' (group a test's argument that uses filters: x is in (l | list))");
    if (!(t in known.tests)) throw new Error(`test not found: ${t}`);
  }
  const compiler = new nunjucks.compiler.Compiler('template', false);
  compiler.compile(nunjucks.transformer.transform(ast, env.asyncFilters, 'template'));
  const props = new Function(compiler.getCode())() as { root: RootRenderFunc };
  for (const n of [...names]) if (Object.prototype.hasOwnProperty.call(env.globals, n)) names.delete(n);
  const compiled = { root: props.root, names, native };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Does this string contain Jinja2 syntax at all? Plain strings are returned untouched, fast. */
export function isTemplate(value: string): boolean {
  return value.includes('{{') || value.includes('{%') || value.includes('{#');
}

function run(source: string, vars: Record<string, unknown>): { text: string; native: boolean; value?: unknown } {
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
    compiled.root(env, new RenderContext(env, ctx), frame, nunjucks.runtime, (err, result) => {
      failure = err;
      text = result;
    });
  } catch (e) {
    failure = e;
  }
  if (failure) throw toTemplateError(source, failure, true);
  return box.set ? { text, native: true, value: nativeValue(box.value) } : { text, native: false };
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

/** Render a template string to text (the template module, and mixed strings like "port {{ p }}"). */
export function renderString(source: string, vars: Record<string, unknown>): string {
  if (!isTemplate(source)) return source;
  const r = run(source, vars);
  return r.native ? guard(source, () => pyStr(r.value)) : r.text;
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
 * Render a value recursively (strings inside objects and arrays). A string that is exactly one
 * `{{ expression }}` yields the expression's native value (list, dict, number, bool), as Ansible does;
 * a dict entry whose value renders to `omit` is dropped.
 */
export function render(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value;
    const r = run(value, vars);
    if (!r.native) return r.text;
    assertNoUndefined(value, r.value);
    return r.value instanceof SecretString ? r.value.value : r.value;
  }
  if (Array.isArray(value)) return value.map((v) => render(v, vars)).filter((v) => v !== OMIT);
  if (value instanceof SecretString) return value.value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = render(v, vars);
      if (r !== OMIT) out[renderString(k, vars)] = r;
    }
    return out;
  }
  return value;
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
  return r.value;
}

function stripDelimiters(expr: string): string {
  const m = /^\{\{([\s\S]*)\}\}$/.exec(expr);
  return m && !m[1].includes('{{') ? m[1].trim() : expr;
}

/**
 * A condition the way Ansible evaluates `when:`: Python truthiness of the result, and a string result
 * (from `when: var` where var holds "false", "no", "0", "" ...) read as a boolean word.
 */
export function evaluateCondition(expression: string | boolean, vars: Record<string, unknown>): boolean {
  if (typeof expression === 'boolean') return expression;
  const value = evaluate(expression, vars);
  if (typeof value === 'string' || value instanceof SecretString) {
    const s = String(value).trim().toLowerCase();
    if (['false', 'no', 'off', 'n', 'f', '0', '', 'none', 'null'].includes(s)) return false;
    if (['true', 'yes', 'on', 'y', 't', '1'].includes(s)) return true;
    return s.length > 0;
  }
  return guard(expression, () => pyTruthy(value));
}

/** All conditions (the list form of `when`) must hold. An empty list is true. */
export function evaluateConditions(expressions: readonly (string | boolean)[], vars: Record<string, unknown>): boolean {
  return expressions.every((e) => evaluateCondition(e, vars));
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
