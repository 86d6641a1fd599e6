/**
 * Jinja2 syntax nunjucks' lexer and parser lack, fixed in the template text before nunjucks reads it.
 * Only the code inside `{{ }}` and `{% %}` tags is touched; text, comments and `{% raw %}` blocks are
 * copied as they are. Rewrites:
 *  - braces: Jinja2's lexer balances `{` `}` inside a tag, so `{{ {'a': {'b': 1}} }}` ends at the last
 *    `}}`; nunjucks' ends a tag at the first `}}` it meets outside a string. A dict literal's closing
 *    brace followed by another `}` gets a space after it (`}}` becomes `} }`), which nunjucks reads as
 *    two closing braces, and the tag's own `}}` is left alone;
 *  - the test form `x is in list` / `x is not in list` (nunjucks parses the call form `in(list)`).
 */

const RAW_BLOCK = /^\{%-?\s*(raw|verbatim)\s*-?%\}/;

/** Where a tag's code ends: the index of its closing delimiter (or of a `-` before it), or -1. */
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

function rewriteCode(code: string): string {
  if (!code.includes(' in')) return code;
  return code.replace(/\bis(\s+not)?\s+in\s+([A-Za-z_][\w.]*)/g, (_m, not: string | undefined, operand: string) => `is${not ?? ''} in(${operand})`);
}
