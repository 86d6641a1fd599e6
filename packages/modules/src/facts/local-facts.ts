/**
 * Ansible's local facts (`ansible_local`): every `*.fact` file of the fact path (default
 * /etc/ansible/facts.d), run when its owner may execute it, read otherwise, then taken as JSON or, that
 * failing, as an INI file the way Python's configparser reads one (sections, `key = value` or `key:
 * value`, lower-cased keys, indented continuation lines, a DEFAULT section inherited by every section,
 * `%(name)s` interpolation). A file that is neither, or a script that fails, becomes a string naming
 * the problem and a warning, in Ansible's words (module_utils/facts/system/local.py, ansible-core 2.14).
 * The shell part prints each file's name, kind, exit code and output base64-encoded, so no content can
 * be mistaken for a delimiter; the rest is a pure parser.
 */
import { shellQuote } from '@haweb/core';

export const DEFAULT_FACT_PATH = '/etc/ansible/facts.d';

/** The setup script's section for local facts (after `@@local`). `timeout` bounds each fact script (gather_timeout). */
export function localFactsScript(factPath: string, timeoutSeconds: number): string {
  return [
    `fp=${shellQuote(factPath)}`,
    'if [ -d "$fp" ]; then for f in "$fp"/*.fact; do',
    '  [ -e "$f" ] || continue',
    '  n=$(printf %s "$f" | base64 -w0)',
    '  case "$(stat -c %A "$f" 2>/dev/null)" in',
    `    ???[xs]*) t=$(mktemp -d) && { timeout ${Math.max(1, Math.floor(timeoutSeconds))} "$f" >"$t/o" 2>"$t/e"; rc=$?; echo "fact $n x $rc $(base64 -w0 <"$t/o") $(base64 -w0 <"$t/e")"; rm -rf "$t"; } ;;`,
    '    ?*) echo "fact $n r 0 $(base64 -w0 <"$f") -" ;;',
    '    *) echo "fact $n s 1 - -" ;;',
    '  esac',
    'done; fi',
  ].join('\n');
}

export interface LocalFacts {
  facts: Record<string, unknown>;
  warnings: string[];
}

const b64 = (s: string | undefined): string => (s === undefined || s === '-' ? '' : Buffer.from(s, 'base64').toString('utf8'));

/** The `fact ...` lines of localFactsScript, in Python's sorted() order of the file names. */
export function parseLocalFacts(lines: readonly string[]): LocalFacts {
  const entries = lines
    .map((l) => l.split(' '))
    .filter((w) => w[0] === 'fact' && w.length >= 4)
    .map(([, name, kind, rc, out, err]) => ({ file: b64(name), kind, rc: Number(rc), out: b64(out), err: b64(err) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const facts: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const e of entries) {
    const base = e.file.slice(e.file.lastIndexOf('/') + 1).replace('.fact', '');
    if (e.kind === 's') {
      const msg = `Could not stat fact (${e.file})`;
      facts[base] = msg;
      warnings.push(msg);
      continue;
    }
    if (e.kind === 'x' && e.rc !== 0) {
      const msg = `Failure executing fact script (${e.file}), rc: ${e.rc}, err: ${e.err}`;
      facts[base] = msg;
      warnings.push(msg);
      continue;
    }
    // Ansible reads a plain file with get_file_content, which strips it.
    const text = e.kind === 'r' ? e.out.trim() : e.out;
    try {
      facts[base] = JSON.parse(text);
      continue;
    } catch {
      // not JSON: INI
    }
    try {
      facts[base] = readIni(text);
    } catch (err) {
      const msg =
        err instanceof IniInterpolationError
          ? `Failed to convert (${e.file}) to JSON: ${err.message}`
          : `error loading facts as JSON or ini - please check content: ${e.file}`;
      facts[base] = msg;
      warnings.push(msg);
    }
  }
  return { facts, warnings };
}

class IniError extends Error {}
class IniInterpolationError extends Error {}

/**
 * An INI text as Python's `configparser.ConfigParser()` reads it and Ansible then walks it
 * (`sections()`, `options(s)`, `get(s, o)`): strict (a duplicate section or option is an error),
 * comments on their own line (`#`, `;`), no value-less options, DEFAULT inherited, basic interpolation.
 */
export function readIni(text: string): Record<string, Record<string, string>> {
  const sections = new Map<string, Map<string, string[]>>();
  const defaults = new Map<string, string[]>();
  let current: Map<string, string[]> | undefined;
  let last: { values: string[]; indent: number } | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  for (const raw of lines) {
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
    if (stripped === '') {
      // An empty line inside a value is kept; trailing ones are dropped at the end.
      if (last) last.values.push('');
      continue;
    }
    if (last && indent > last.indent) {
      last.values.push(stripped);
      continue;
    }
    last = undefined;
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1];
      if (name === 'DEFAULT') current = defaults;
      else {
        if (sections.has(name)) throw new IniError(`section '${name}' already exists`);
        current = new Map();
        sections.set(name, current);
      }
      continue;
    }
    if (!current) throw new IniError('File contains no section headers.');
    const delim = /[=:]/.exec(stripped);
    if (!delim || delim.index === 0) throw new IniError(`a line without a value: ${stripped}`);
    const key = stripped.slice(0, delim.index).trim().toLowerCase();
    const value = stripped.slice(delim.index + 1).trim();
    if (current.has(key)) throw new IniError(`option '${key}' already exists`);
    const values = [value];
    current.set(key, values);
    last = { values, indent };
  }
  const joined = (m: Map<string, string[]>) =>
    new Map([...m].map(([k, v]) => {
      const vs = [...v];
      while (vs.length > 1 && vs[vs.length - 1] === '') vs.pop();
      return [k, vs.join('\n')] as const;
    }));
  const defs = joined(defaults);
  const out: Record<string, Record<string, string>> = {};
  for (const [name, options] of sections) {
    const own = joined(options);
    // cp.options(section): the section's own keys, then DEFAULT's it does not override.
    const all = new Map([...own, ...[...defs].filter(([k]) => !own.has(k))]);
    out[name] = {};
    for (const [k, v] of all) out[name][k] = interpolate(v, all, 1);
  }
  return out;
}

/** configparser's BasicInterpolation: `%%` is `%`, `%(name)s` another option of the section (depth-limited as Python's, 10). */
function interpolate(value: string, options: Map<string, string>, depth: number): string {
  if (depth > 10) throw new IniInterpolationError('Recursion limit exceeded in value substitution');
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = value[i + 1];
    if (next === '%') {
      out += '%';
      i++;
      continue;
    }
    const m = /^\(([^)]+)\)s/.exec(value.slice(i + 1));
    if (!m) throw new IniInterpolationError(`'%' must be followed by '%' or '(', found: '${value.slice(i)}'`);
    const name = m[1].toLowerCase();
    const ref = options.get(name);
    if (ref === undefined) throw new IniInterpolationError(`Bad value substitution: option '${name}' references '${name}'`);
    out += interpolate(ref, options, depth + 1);
    i += m[0].length;
  }
  return out;
}
