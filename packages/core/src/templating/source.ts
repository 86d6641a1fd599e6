/**
 * Jinja2 syntax nunjucks' lexer and parser lack, fixed in the template text before nunjucks reads it.
 * Only the code inside `{{ }}` and `{% %}` tags is touched; text, comments and `{% raw %}` blocks are
 * copied as they are. Rewrites:
 *  - braces: Jinja2's lexer balances `{` `}` inside a tag, so `{{ {'a': {'b': 1}} }}` ends at the last
 *    `}}`; nunjucks' ends a tag at the first `}}` it meets outside a string. A dict literal's closing
 *    brace followed by another `}` gets a space after it (`}}` becomes `} }`), which nunjucks reads as
 *    two closing braces, and the tag's own `}}` is left alone;
 *  - the test form `x is in list` / `x is not in list` (nunjucks parses the call form `in(list)`);
 *  - a test's single argument without parentheses: `x is divisibleby 3`, `x is sameas false`;
 *  - numeric attributes: `groups.lb.0` is `groups.lb[0]`.
 */

const RAW_BLOCK = /^\{%-?\s*(raw|verbatim)\s*-?%\}/;

/** A scanned tag: the index where its closing delimiter starts (-1: unclosed), and its code with inner `}}` split. */
interface TagScan {
  end: number;
  code: string;
}

export function jinjaSource(source: string): string {
  if (!source.includes('{{') && !source.includes('{%')) return source;
  let out = '';
  let i = 0;
  while (i < source.length) {
    const open = nextOpening(source, i);
    if (open < 0) {
      out += source.slice(i);
      break;
    }
    out += source.slice(i, open);
    const kind = source[open + 1];
    if (kind === '#') {
      const close = source.indexOf('#}', open + 2);
      const stop = close < 0 ? source.length : close + 2;
      out += source.slice(open, stop);
      i = stop;
      continue;
    }
    const raw = RAW_BLOCK.exec(source.slice(open, open + 40));
    if (kind === '%' && raw) {
      const endRaw = new RegExp(`\\{%-?\\s*end${raw[1]}\\s*-?%\\}`, 'g');
      endRaw.lastIndex = open + raw[0].length;
      const m = endRaw.exec(source);
      const stop = m ? m.index + m[0].length : source.length;
      out += source.slice(open, stop);
      i = stop;
      continue;
    }
    const closer = kind === '{' ? '}}' : '%}';
    const scan = scanTag(source, open + 2, closer);
    if (scan.end < 0) {
      // An unclosed tag: leave the rest for nunjucks to report.
      out += source.slice(open);
      break;
    }
    out += source.slice(open, open + 2) + rewriteCode(scan.code);
    i = scan.end;
  }
  return out;
}

function nextOpening(source: string, from: number): number {
  for (let i = source.indexOf('{', from); i >= 0 && i < source.length - 1; i = source.indexOf('{', i + 1)) {
    const c = source[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
  }
  return -1;
}

/**
 * Read a tag's code from `start` (just after `{{` or `{%`) to its closer at brace depth 0, skipping
 * string literals. Returns the code with inner `}}` split, and the index where the closer starts.
 */
function scanTag(source: string, start: number, closer: string): TagScan {
  let code = '';
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === "'") {
      const stop = stringEnd(source, i);
      code += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (depth === 0 && source.startsWith(closer, i)) return { end: i, code };
    if (c === '{') depth++;
    if (c === '}' && depth > 0) {
      depth--;
      code += c;
      i++;
      // `}}` here closes two dicts (or a dict and the tag): keep nunjucks from reading a tag end.
      if (source[i] === '}') code += ' ';
      continue;
    }
    code += c;
    i++;
  }
  return { end: -1, code };
}

/** Index just past the string literal that starts at `at` (backslash escapes honoured). */
function stringEnd(source: string, at: number): number {
  const quote = source[at];
  let i = at + 1;
  while (i < source.length && source[i] !== quote) i += source[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, source.length);
}

const STRING_LITERAL = /"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'/g;
const HIDDEN_STRING = /\u0000(\d+)\u0000/g;
/** `.N` after a name (not a number: `1.5` stays a float), `]` or `)`. */
const NUMERIC_ATTRIBUTE = /(?<=(?:^|[^\w])[A-Za-z_]\w*|[\])])\.(\d+)(?!\w)/;
/** `is name` / `is not name`: where a test's argument may follow without parentheses. */
const TEST_HEAD = /\bis(\s+not)?\s+(?!not\b)([A-Za-z_][\w.]*)/g;
const KEYWORDS = new Set(['and', 'or', 'else', 'if', 'is', 'not', 'in', 'recursive']);

/** Rewrites on a tag's code; string literals are set aside first so text inside them is never changed. */
function rewriteCode(code: string): string {
  if (!/\bis\s/.test(code) && !/[\w\])]\.\d/.test(code)) return code;
  const strings: string[] = [];
  let hidden = code.replace(STRING_LITERAL, (lit) => `\u0000${strings.push(lit) - 1}\u0000`);
  // `groups.lb.0`, `r.stdout_lines.1`: Jinja2 reads a numeric attribute as an index (nunjucks refuses it).
  for (let i = 0; i < 8 && NUMERIC_ATTRIBUTE.test(hidden); i++) hidden = hidden.replace(NUMERIC_ATTRIBUTE, '[$1]');
  return testArguments(hidden).replace(HIDDEN_STRING, (_m, i: string) => strings[Number(i)]);
}

/**
 * A test's single argument written without parentheses, as Jinja2 allows (`x is in groups['lb']`,
 * `x is divisibleby 3`, `v is version '1.2'`, `l is subset [1, 2]`), becomes the call form nunjucks
 * parses: `x is in(groups['lb'])`. The argument is what Jinja2 reads there: one primary expression (a
 * name, number, string, list or dict literal) with its `.attr`, `[key]` and `(args)` suffixes.
 */
function testArguments(code: string): string {
  let out = '';
  let from = 0;
  for (const m of code.matchAll(TEST_HEAD)) {
    if (m.index < from) continue;
    const afterName = m.index + m[0].length;
    const gap = /^\s*/.exec(code.slice(afterName))![0];
    const start = afterName + gap.length;
    // `is name(...)` is already a call; without a gap only a list or dict literal can follow
    if (code[start] === '(' || (gap === '' && code[start] !== '[' && code[start] !== '{')) continue;
    const end = argumentEnd(code, start);
    if (end < 0) continue;
    out += code.slice(from, m.index) + `is${m[1] ?? ''} ${m[2]}(${code.slice(start, end)})`;
    from = end;
  }
  return out + code.slice(from);
}

/** Where the primary expression starting at `at` ends (exclusive), or -1 when none starts there. */
function argumentEnd(code: string, at: number): number {
  const rest = code.slice(at);
  let end: number;
  if (code[at] === '[' || code[at] === '{') {
    const close = matchingBracket(code, at);
    if (close < 0) return -1;
    end = close + 1;
  } else {
    const number = /^-?\d+(?:\.\d+)?(?![\w.])/.exec(rest);
    if (number) return at + number[0].length;
    const token = /^(?:\u0000\d+\u0000|[A-Za-z_]\w*)/.exec(rest);
    if (!token || KEYWORDS.has(token[0])) return -1;
    end = at + token[0].length;
  }
  // suffixes, written without spaces: .name, [key], (args)
  for (;;) {
    const attr = /^\.[A-Za-z_]\w*/.exec(code.slice(end));
    if (attr) end += attr[0].length;
    else if (code[end] === '[' || code[end] === '(') {
      const close = matchingBracket(code, end);
      if (close < 0) return -1;
      end = close + 1;
    } else return end;
  }
}

function matchingBracket(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '[' || code[i] === '{' || code[i] === '(') depth++;
    else if (code[i] === ']' || code[i] === '}' || code[i] === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

