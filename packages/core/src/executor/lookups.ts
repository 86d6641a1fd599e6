/**
 * Lookup plugins the executor provides, for `with_<name>:` loops and for `lookup()` / `query()` in
 * templates: each takes its (rendered) terms and keyword options and returns a list, as Ansible's
 * lookups do. They run on the controller. Paths are searched as Ansible searches them: the role's
 * files/ (or templates/) folder and the role, then the playbook folder's, then the playbook folder.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Vars } from '../model.js';
import { isPlainObject } from '../vars/secret.js';
import { PyRandom } from '../templating/pyrandom.js';

export interface LookupContext {
  /** The playbook's folder. */
  baseDir: string;
  /** The current role's folder, when the task comes from a role. */
  roleDir?: string;
  /**
   * Renders a template file with the task's variables plus `extra` (lookup('template')); with
   * `convertData` the text is read back as data as Ansible's template lookup does (its default).
   */
  renderTemplate?: (text: string, convertData: boolean, extra: Vars) => unknown;
  /**
   * The folder first_found looks in, from the task's action as Ansible picks it (TaskExecutor: the
   * first of template, var, file in the action's name, plus `s`): include_vars looks in vars/.
   */
  subdir?: SearchKind;
}

type SearchKind = 'files' | 'templates' | 'vars';

/** The folder a loop's lookups search for the task's action, by Ansible's rule. */
export function lookupSubdir(action: string): SearchKind {
  for (const sub of ['template', 'var', 'file'] as const) if (action.includes(sub)) return `${sub}s`;
  return 'files';
}

export type LookupPlugin = (terms: unknown[], options: Vars, ctx: LookupContext) => unknown[];

/** Candidate paths for a controller file, in Ansible's search order. */
function searchPath(name: string, kind: SearchKind, ctx: LookupContext): string[] {
  if (isAbsolute(name)) return [name];
  return [
    // Ansible's search path ends with the task's own folder: a role's tasks/ for its task files
    // (prepare_http_tests: include_tasks "{{ lookup('first_found', ...) }}" of a file beside main.yml).
    ...(ctx.roleDir ? [join(ctx.roleDir, kind, name), join(ctx.roleDir, name), join(ctx.roleDir, 'tasks', kind, name), join(ctx.roleDir, 'tasks', name)] : []),
    join(ctx.baseDir, kind, name),
    resolve(ctx.baseDir, name),
  ];
}

function findFile(name: string, kind: 'files' | 'templates', ctx: LookupContext): string | undefined {
  return searchPath(name, kind, ctx).find((p) => existsSync(p));
}

function flatTerms(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]));
}

function mustList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be a list, got ${JSON.stringify(value)}`);
  return value;
}

/** The template lookup's delimiter options at their defaults: other values are refused, not ignored. */
const TEMPLATE_LOOKUP_DEFAULTS: Record<string, string> = {
  variable_start_string: '{{',
  variable_end_string: '}}',
  comment_start_string: '{#',
  comment_end_string: '#}',
};

/**
 * lookup('template')'s options as Ansible 2.14 reads them: convert_data (default true) and template_vars
 * (extra variables for the template). jinja2_native only matters when Ansible's global jinja2_native
 * setting is on, which this engine does not offer: accepted, without effect, as in Ansible's default
 * configuration. Other delimiters than Jinja2's are refused.
 */
export function templateLookupOptions(options: Vars): { convertData: boolean; extra: Vars } {
  let convertData = true;
  let extra: Vars = {};
  for (const [name, value] of Object.entries(options)) {
    if (name === 'convert_data') {
      if (typeof value !== 'boolean') throw new Error(`lookup('template'): convert_data must be a boolean, got ${JSON.stringify(value)}`);
      convertData = value;
    } else if (name === 'template_vars') {
      if (!isPlainObject(value)) throw new Error(`lookup('template'): template_vars must be a dict, got ${JSON.stringify(value)}`);
      extra = value as Vars;
    } else if (name === 'jinja2_native') {
      if (typeof value !== 'boolean') throw new Error(`lookup('template'): jinja2_native must be a boolean, got ${JSON.stringify(value)}`);
    } else if (name in TEMPLATE_LOOKUP_DEFAULTS) {
      if (value !== TEMPLATE_LOOKUP_DEFAULTS[name]) throw new Error(`lookup('template'): ${name}=${JSON.stringify(value)} is not supported (only Jinja2's default delimiters)`);
    } else {
      throw new Error(`lookup('template'): unknown option ${name} (known: convert_data, template_vars, jinja2_native, ${Object.keys(TEMPLATE_LOOKUP_DEFAULTS).join(', ')})`);
    }
  }
  return { convertData, extra };
}

/** lookup('template')'s renderer over an executor templater: data-aware when the templater can, else text. */
export function templateRenderer(templater: { render(t: string, v: Vars): string; templateLookup?(t: string, v: Vars, c: boolean): unknown }, vars: Vars): NonNullable<LookupContext['renderTemplate']> {
  return (text, convertData, extra) => {
    // the template's variables may come through a prototype chain (a render context): extend, never spread
    const all = Object.keys(extra).length ? Object.assign(Object.create(vars) as Vars, extra) : vars;
    return templater.templateLookup ? templater.templateLookup(text, all, convertData) : templater.render(text, all);
  };
}

/** `start=1 end=10 stride=2 format=web%02d`, or `count=3`, as with_sequence reads it. */
function sequence(term: string, options: Vars): string[] {
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) opts[k] = String(v);
  const rest = term.replace(/(\w+)=(\S+)/g, (_m, k: string, v: string) => {
    opts[k] = v;
    return '';
  }).trim();
  if (rest) {
    // The short form: [start-]end[/stride][:format]
    const m = /^(?:(-?\w+)-)?(-?\w+)(?:\/(-?\w+))?(?::(.+))?$/.exec(rest);
    if (!m) throw new Error(`can't parse sequence arguments: ${JSON.stringify(term)}`);
    if (m[1] !== undefined) opts.start = m[1];
    opts.end = m[2];
    if (m[3] !== undefined) opts.stride = m[3];
    if (m[4] !== undefined) opts.format = m[4];
  }
  const num = (k: string, fallback: number) => {
    if (opts[k] === undefined) return fallback;
    const n = Number.parseInt(opts[k], /^0x/i.test(opts[k]) ? 16 : /^0o?\d/.test(opts[k]) && opts[k].length > 1 ? 8 : 10);
    if (!Number.isFinite(n)) throw new Error(`can't parse ${k}=${opts[k]} as integer`);
    return n;
  };
  const start = num('start', 1);
  let stride = num('stride', 1);
  let end: number;
  if (opts.count !== undefined) {
    if (opts.end !== undefined) throw new Error(`can't specify both count and end in with_sequence`);
    const count = num('count', 0);
    if (count === 0) return [];
    end = start + count * stride - 1 * Math.sign(stride);
    if (stride === 0) stride = 1;
  } else if (opts.end !== undefined) end = num('end', 0);
  else throw new Error(`must specify count or end in with_sequence`);
  if (stride === 0) return [];
  if (stride > 0 && end < start) throw new Error('to count backwards make stride negative');
  if (stride < 0 && end > start) throw new Error('to count forward don\'t make stride negative');
  const format = opts.format ?? '%d';
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(printfInt(format, i));
  return out;
}

/** Python's `%` with one integer: %d, %i, %x, %X, %o, with 0-padding and width (`%02d`, `%5x`). */
function printfInt(format: string, n: number): string {
  return format.replace(/%(0?)(\d*)([dixXo%])/g, (_m, zero: string, width: string, conv: string) => {
    if (conv === '%') return '%';
    let s = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : String(n);
    const w = Number(width || 0);
    if (s.length < w) s = (zero ? '0' : ' ').repeat(w - s.length) + s;
    return s;
  });
}

/** fnmatch-style glob on one folder level (`*.conf`, `web?.txt`, `[ab]*`). */
function globOne(pattern: string): string[] {
  const dir = dirname(pattern);
  if (!existsSync(dir)) return [];
  const re = new RegExp(
    '^' +
      basename(pattern)
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && re.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

/** Python's string constants, the names password's chars= accepts. */
const CHAR_SETS: Record<string, string> = {
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * lookup('password', 'PATH key=value ...'): the password stored in PATH on the controller, or a new
 * random one written there (mode 0600) when the file does not exist; /dev/null is never written, so
 * each lookup gives a new one. length= (20), chars= (names of Python's string constants or literal
 * characters, comma-separated, `,,` for a comma; Ansible's default letters, digits and `.,:-_`), seed=
 * (Python's Random(seed), for the same password as Ansible's). encrypt= is refused.
 */
function passwordLookup(term: string, options: Vars, ctx: LookupContext): string {
  const words = term.trim().split(/\s+/);
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) opts[k] = String(v);
  for (const w of words.slice(1)) {
    const m = /^(\w+)=(.*)$/.exec(w);
    if (!m) throw new Error(`Unrecognized value after key=value parameters given to password lookup: ${w}`);
    opts[m[1]] = m[2];
  }
  const unknown = Object.keys(opts).filter((k) => !['length', 'chars', 'seed', 'encrypt'].includes(k));
  if (unknown.length) throw new Error(`Unrecognized parameter(s) given to password lookup: ${unknown.join(', ')}`);
  if (opts.encrypt && opts.encrypt !== 'None') throw new Error("password lookup: encrypt= is not supported by this provisioner (hash the password with the password_hash filter)");
  const file = words[0] === '/dev/null' || isAbsolute(words[0]) ? words[0] : resolve(ctx.baseDir, words[0]);
  if (file !== '/dev/null' && existsSync(file)) {
    // The stored line, without the salt= Ansible adds when it encrypts
    return readFileSync(file, 'utf8').split('\n')[0].replace(/ salt=.*$/, '');
  }
  const length = opts.length === undefined ? 20 : Number.parseInt(opts.length, 10);
  if (!Number.isInteger(length) || length < 0) throw new Error(`password lookup: length must be an integer, got ${opts.length}`);
  const names = opts.chars === undefined ? ['ascii_letters', 'digits', '.,:-_'] : opts.chars.replace(/,,/g, '\0').split(',').map((c) => c.replace(/\0/g, ','));
  const chars = names.map((n) => CHAR_SETS[n] ?? n).join('');
  if (!chars) throw new Error('password lookup: chars= gives no characters');
  // An integer seed given as a keyword stays an integer (Python seeds int and str differently)
  const seed = typeof options.seed === 'number' && opts.seed === String(options.seed) ? options.seed : opts.seed;
  const rng = seed === undefined ? undefined : new PyRandom(seed);
  let password = '';
  for (let i = 0; i < length; i++) password += chars[rng ? rng.below(chars.length) : randomInt(chars.length)];
  if (file !== '/dev/null') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  return password;
}

export const LOOKUPS: Record<string, LookupPlugin> = {
  items: (terms) => flatTerms(terms),
  list: (terms) => terms,
  env: (terms) => terms.map((t) => process.env[String(t)] ?? ''),
  file: (terms, options, ctx) =>
    terms.map((t) => {
      const path = findFile(String(t), 'files', ctx);
      if (!path) throw new Error(`could not locate file in lookup: ${String(t)}`);
      const text = readFileSync(path, 'utf8');
      return options.rstrip === false ? text : text.replace(/\s+$/, '');
    }),
  template: (terms, options, ctx) => {
    const { convertData, extra } = templateLookupOptions(options);
    return terms.map((t) => {
      const path = findFile(String(t), 'templates', ctx);
      if (!path) throw new Error(`the template file ${String(t)} could not be found for the lookup`);
      if (!ctx.renderTemplate) throw new Error(`lookup('template') needs a templater`);
      return ctx.renderTemplate(readFileSync(path, 'utf8'), convertData, extra);
    });
  },
  pipe: (terms) =>
    terms.map((t) => {
      try {
        return execFileSync('/bin/sh', ['-c', String(t)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
      } catch (err) {
        const code = (err as { status?: number }).status;
        throw new Error(`lookup_plugin.pipe(${String(t)}) returned ${code ?? 'an error'}`);
      }
    }),
  lines: (terms) =>
    terms.flatMap((t) => {
      try {
        return execFileSync('/bin/sh', ['-c', String(t)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
      } catch (err) {
        throw new Error(`lookup_plugin.lines(${String(t)}) returned ${(err as { status?: number }).status ?? 'an error'}`);
      }
    }),
  dict: (terms) =>
    terms.flatMap((t) => {
      if (!isPlainObject(t)) throw new Error(`with_dict expects a dict, got ${JSON.stringify(t)}`);
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  together: (terms) => {
    const lists = terms.map((t) => mustList(t, 'with_together arguments'));
    if (lists.length === 0) throw new Error('with_together requires at least one element in each list');
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_v, i) => lists.map((l) => (i < l.length ? l[i] : null)));
  },
  nested: (terms) => {
    const lists = terms.map((t) => mustList(t, 'with_nested arguments'));
    if (lists.length === 0) throw new Error('with_nested requires at least one element in the nested list');
    return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
  },
  sequence: (terms, options) => terms.flatMap((t) => sequence(String(t), options)),
  fileglob: (terms, _options, ctx) =>
    terms.flatMap((t) => {
      const pattern = String(t);
      const dirs = isAbsolute(pattern) ? [dirname(pattern)] : searchPath(dirname(pattern), 'files', ctx);
      for (const dir of dirs) {
        const found = globOne(join(dir, basename(pattern)));
        if (found.length > 0) return found;
      }
      return [];
    }),
  subelements: (terms, options) => {
    const [list, key, flags] = terms;
    const skipMissing = Boolean((isPlainObject(flags) ? flags.skip_missing : undefined) ?? options.skip_missing);
    const elements = isPlainObject(list) ? Object.values(list) : mustList(list, 'the first argument of subelements');
    if (typeof key !== 'string') throw new Error(`the second argument of subelements must be a key name, got ${JSON.stringify(key)}`);
    const out: unknown[] = [];
    for (const element of elements) {
      if (!isPlainObject(element)) throw new Error(`subelements: ${JSON.stringify(element)} is not a dict`);
      if (element.skipped === true) continue;
      let value: unknown = element;
      let missing = false;
      for (const part of key.split('.')) {
        if (isPlainObject(value) && part in value) value = value[part];
        else missing = true;
      }
      if (missing) {
        if (skipMissing) continue;
        throw new Error(`could not find '${key}' key in iterated item '${JSON.stringify(element)}'`);
      }
      for (const sub of mustList(value, `the key ${key}`)) out.push([element, sub]);
    }
    return out;
  },
  first_found: (terms, options, ctx) => {
    const names: string[] = [];
    const paths: string[] = [];
    let skip = Boolean(options.skip);
    const add = (t: unknown): void => {
      if (typeof t === 'string') names.push(...t.split(/[,;:]/).map((s) => s.trim()).filter(Boolean));
      else if (Array.isArray(t)) t.forEach(add);
      else if (isPlainObject(t)) {
        const files = t.files ?? [];
        (Array.isArray(files) ? files : [files]).forEach((f) => names.push(...String(f).split(/[,;:]/).map((s) => s.trim()).filter(Boolean)));
        const p = t.paths ?? [];
        (Array.isArray(p) ? p : [p]).forEach((x) => paths.push(...String(x).split(/[,:;]/).map((s) => s.trim()).filter(Boolean)));
        if (t.skip) skip = true;
      }
    };
    terms.forEach(add);
    if (Array.isArray(options.files)) options.files.forEach(add);
    for (const name of names) {
      // A relative path is looked up on the search path (the role's folder first), as Ansible's find_file_in_search_path does
      const candidates = paths.length
        ? paths.flatMap((p) => (isAbsolute(name) ? [name] : isAbsolute(p) ? [resolve(p, name)] : searchPath(join(p, name), ctx.subdir ?? 'files', ctx)))
        : searchPath(name, ctx.subdir ?? 'files', ctx);
      const found = candidates.find((c) => existsSync(c));
      if (found) return [found];
    }
    if (skip) return [];
    throw new Error(`No file was found when using first_found. Looked for: ${names.join(', ')}`);
  },
  password: (terms, options, ctx) => terms.map((t) => passwordLookup(String(t), options, ctx)),
};

/** The names with_<name> accepts: the lookups above. */
export const LOOP_LOOKUPS = Object.keys(LOOKUPS);

/** A lookup's list as `lookup()` returns it (Ansible: text joined with commas; one value alone). */
export function lookupValue(list: unknown[]): unknown {
  if (list.every((v) => typeof v === 'string')) return list.join(',');
  return list.length === 1 ? list[0] : list;
}
