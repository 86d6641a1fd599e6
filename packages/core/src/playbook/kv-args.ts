/**
 * Module arguments written as one string (`copy: src=a dest=b`, `command: make chdir=/src`) and
 * `-e key=value`, read by the rules ansible-core 2.14 applies (ansible/ansible, lib/ansible/parsing/
 * splitter.py split_args/parse_kv, quoting.py unquote, mod_args.py). The rules, restated:
 *
 * Splitting (`splitArgs`): the text is cut at newlines, then each line at single spaces (tabs are not
 * separators). Pieces are glued back together while a quote opened in an earlier piece is still open
 * or a `{{ }}`, `{% %}` or `{# #}` is unclosed; quotes and braces stay in the words. A quote character
 * preceded by a backslash neither opens nor closes. Runs of spaces inside a glued word are kept; a
 * newline inside a glued word is kept; a newline between words is kept at the end of the word before
 * it, unless the line ended with a lone `\` piece (a continuation). Unbalanced quotes or blocks at the
 * end are an error.
 *
 * Reading (`parseKv`): in each word, Python's escape sequences (`\n`, `\t`, `\\`, `\"`, `\x41`,
 * `\u00e9`, `\U0001F600`...) are decoded first. The key is what comes before the first `=` that is
 * not at the start of the word and not preceded by a backslash; the value (spaces stripped) loses one
 * pair of matching outer quotes. A word without such an `=` is free text (`_raw_params`, joined with
 * spaces). For command/shell/raw/script only the options those modules read inside their free form
 * (`creates`, `removes`, `chdir`, `executable`, `warn`, `stdin`, `stdin_add_newline`,
 * `strip_empty_ends`) become options: every other word, `=` or not, stays in the command as written.
 */

export class ArgsSyntaxError extends Error {
  override name = 'ArgsSyntaxError';
}

type Depths = { print: number; block: number; comment: number };

const BLOCK_MARKS: [keyof Depths, string, string][] = [
  ['print', '{{', '}}'],
  ['block', '{%', '%}'],
  ['comment', '{#', '#}'],
];

function occurrences(text: string, mark: string): number {
  return text.split(mark).length - 1;
}

/** The quote left open after `piece`, given the one open before it. */
function openQuoteAfter(piece: string, open: string | undefined): string | undefined {
  for (let i = 0; i < piece.length; i++) {
    const c = piece[i];
    if ((c === '"' || c === "'") && (i === 0 || piece[i - 1] !== '\\')) {
      if (open === undefined) open = c;
      else if (open === c) open = undefined;
    }
  }
  return open;
}

/** Split an argument string into words, keeping quotes and Jinja2 blocks whole (Ansible's split_args). */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  const extendLast = (more: string): void => {
    if (words.length === 0) throw new ArgsSyntaxError(`cannot split the arguments: nothing before ${JSON.stringify(more)}`);
    words[words.length - 1] += more;
  };
  let quote: string | undefined;
  const depth: Depths = { print: 0, block: 0, comment: 0 };
  const insideBlock = (): boolean => depth.print > 0 || depth.block > 0 || depth.comment > 0;
  const lines = text.split('\n');
  lines.forEach((line, lineIndex) => {
    const pieces = line.split(' ');
    let continued = false;
    pieces.forEach((piece, i) => {
      if (piece === '' && i > 0) {
        extendLast(' ');
        return;
      }
      if (piece === '\\' && quote === undefined) {
        continued = true;
        return;
      }
      const wasQuoted = quote !== undefined;
      quote = openQuoteAfter(piece, quote);
      const quoted = quote !== undefined;
      let placed = false;
      if (quoted && !wasQuoted && !insideBlock()) {
        words.push(piece);
        placed = true;
      } else if (insideBlock() || quoted || wasQuoted) {
        if (i === 0 && wasQuoted) extendLast(piece);
        else if (pieces.length > 1) extendLast((i > 0 ? ' ' : '') + piece);
        else extendLast('\n' + piece);
        placed = true;
      }
      for (const [kind, open, close] of BLOCK_MARKS) {
        const opened = occurrences(piece, open);
        const closed = occurrences(piece, close);
        if (opened === closed) continue;
        depth[kind] = Math.max(0, depth[kind] + opened - closed);
        if (!placed) {
          words.push(piece);
          placed = true;
        }
      }
      if (!placed && !insideBlock() && quote === undefined && piece !== '') words.push(piece);
    });
    if (lines.length > 1 && lineIndex < lines.length - 1 && !continued) extendLast('\n');
  });
  if (insideBlock() || quote !== undefined) {
    throw new ArgsSyntaxError(`unbalanced ${quote !== undefined ? `quote (${quote})` : 'Jinja2 block'} in the arguments: ${text}`);
  }
  return words;
}

/** Glue words back with single spaces, except after a word that ends a line (Ansible's join_args). */
export function joinArgs(words: readonly string[]): string {
  let out = '';
  for (const w of words) out += out === '' || out.endsWith('\n') ? w : ' ' + w;
  return out;
}

const SINGLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** Python's escape sequences inside a word, decoded as Ansible does before reading key=value. */
export function decodeEscapes(word: string): string {
  return word.replace(/\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\N\{[^}]+\}|\\[\\'"abfnrtv]/g, (seq) => {
    const kind = seq[1];
    if (kind === 'U' || kind === 'u' || kind === 'x') {
      const code = parseInt(seq.slice(2), 16);
      if (code > 0x10ffff) throw new ArgsSyntaxError(`escape ${seq} is beyond the last Unicode character`);
      return String.fromCodePoint(code);
    }
    if (kind === 'N') throw new ArgsSyntaxError(`escape ${seq} (a Unicode character by name) is not supported: write the character itself`);
    return SINGLE_ESCAPES[kind];
  });
}

/** Python's str.strip(): Unicode whitespace as Python counts it (which includes \x1c-\x1f and \x85). */
const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.includes(s[a])) a++;
  while (b > a && PY_SPACE.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** One pair of matching outer quotes removed, unless the closing one is escaped (Ansible's unquote). */
export function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

/** The options command/shell/raw/script read from inside their free-form text. */
export const FREE_FORM_OPTIONS: readonly string[] = [
  'creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends',
];

/** Position of the `=` that ends the key: not the first character, not escaped. -1 if none. */
function keyEnd(word: string): number {
  for (let i = word.indexOf('=', 1); i >= 0; i = word.indexOf('=', i + 1)) {
    if (word[i - 1] !== '\\') return i;
  }
  return -1;
}

/**
 * `key=value` words to a mapping; other words joined under `_raw_params` (Ansible's parse_kv). With
 * `freeForm` (command/shell/raw/script), only FREE_FORM_OPTIONS are read as options.
 */
export function parseKv(text: string, freeForm = false): Record<string, string> {
  const options: Record<string, string> = {};
  const raw: string[] = [];
  for (const word of splitArgs(text)) {
    const decoded = decodeEscapes(word);
    if (!decoded.includes('=')) {
      raw.push(word);
      continue;
    }
    const eq = keyEnd(decoded);
    if (eq < 0) {
      // Only escaped (or leading) `=`: free text, with `\=` read as `=`.
      raw.push(decoded.split('\\=').join('='));
      continue;
    }
    const key = decoded.slice(0, eq);
    if (freeForm && !FREE_FORM_OPTIONS.includes(key)) raw.push(word);
    else options[pyStrip(key)] = unquote(pyStrip(decoded.slice(eq + 1)));
  }
  if (raw.length > 0) options._raw_params = joinArgs(raw);
  return options;
}

/** Modules whose free text Ansible reads only for FREE_FORM_OPTIONS (its MODULE_REQUIRE_ARGS). */
const FREE_FORM_MODULES = new Set(['command', 'shell', 'raw', 'script']);

/** Modules Ansible lets keep free text besides those (its RAW_PARAM_MODULES). */
const RAW_PARAM_MODULES = new Set([
  ...FREE_FORM_MODULES, 'include', 'include_vars', 'include_tasks', 'include_role', 'import_tasks', 'import_role',
  'add_host', 'group_by', 'set_fact', 'meta',
]);

/** `ansible.builtin.copy` and `ansible.legacy.copy` are `copy`. */
export function shortModuleName(module: string): string {
  return module.replace(/^ansible\.(?:builtin|legacy)\./, '');
}

export function isFreeFormModule(module: string): boolean {
  return FREE_FORM_MODULES.has(shortModuleName(module));
}

export function acceptsRawParams(module: string): boolean {
  return RAW_PARAM_MODULES.has(shortModuleName(module));
}
