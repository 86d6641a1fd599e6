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

/** `{% set a, b = value %}`: leading `-`, the names, the value, trailing `-`. */
const SET_UNPACK = /^(-?)\s*set\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*=([\s\S]+?)(-?)\s*$/;

const RAW_BLOCK = /^\{%[-+]?\s*(raw|verbatim)\s*[-+]?%\}/;

/** A scanned tag: the index where its closing delimiter starts (-1: unclosed), and its code with inner `}}` split. */
interface TagScan {
  end: number;
  code: string;
}

export function jinjaSource(source: string, trimBlocks = true): string {
  if (!source.includes('{{') && !source.includes('{%') && !source.includes('{#')) return source;
  const blocks = new BlockRewrites(!/\{%-?\s*extends\b/.test(source));
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
      // trim_blocks applies to comments too: the newline right after `#}` goes with it
      i = trimBlocks && close >= 0 && source[stop] === '\n' && source[close - 1] !== '+' ? stop + 1 : stop;
      continue;
    }
    const raw = RAW_BLOCK.exec(source.slice(open, open + 40));
    if (kind === '%' && raw) {
      // Jinja2: a raw block's start tag cannot keep its newline (its `+%}` is a syntax error)
      if (raw[0].endsWith('+%}')) throw new Error(`${raw[0]}: a ${raw[1]} block's start tag cannot end with +%} (Jinja2: unknown tag '${raw[1]}')`);
      // A raw block becomes one string expression, its whitespace control applied here: nunjucks'
      // own raw lexing knows neither `-` nor Jinja2's newline rules (the newline after {% raw %}
      // stays, the one after {% endraw %} goes with trim_blocks)
      const endRaw = new RegExp(`\\{%([-+]?)\\s*end${raw[1]}\\s*([-+]?)%\\}`, 'g');
      endRaw.lastIndex = open + raw[0].length;
      const m = endRaw.exec(source);
      if (!m) throw new Error(`unclosed ${raw[1]} block (missing {% end${raw[1]} %})`);
      let content = source.slice(open + raw[0].length, m.index);
      if (raw[0].startsWith('{%-')) out = out.replace(/\s+$/, '');
      if (/-%\}$/.test(raw[0])) content = content.replace(/^\s+/, '');
      if (m[1] === '-') content = content.replace(/\s+$/, '');
      let stop = m.index + m[0].length;
      if (m[2] === '-') stop += /^\s*/.exec(source.slice(stop))![0].length;
      else if (trimBlocks && m[2] !== '+' && source[stop] === '\n') stop++;
      if (content !== '') out += `{{ "${content.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}" }}`;
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
    let code = scan.code;
    // `{%+` only disables lstrip_blocks (off here anyway)
    if (kind === '%' && code.startsWith('+')) code = code.slice(1);
    if (kind === '%' && code.endsWith('+')) {
      // `+%}` keeps the newline trim_blocks would remove: print it, as nunjucks would trim it
      out += source.slice(open, open + 2) + rewriteCode(code.slice(0, -1)) + '%}';
      const after = scan.end + 2;
      if (source[after] === '\n') {
        out += '{{ "\\n" }}';
        i = after + 1;
      } else i = after;
      continue;
    }
    const block = kind === '%' ? blocks.rewrite(code) : undefined;
    if (block !== undefined) {
      out += block;
      i = scan.end + 2;
      if (blocks.skipNewline) {
        blocks.skipNewline = false;
        if (source[i] === '\n' && !code.endsWith('+')) i++;
      }
      continue;
    }
    const recursion = blocks.recursion();
    if (recursion && /\bloop\s*\(/.test(code)) code = code.replace(/\bloop(\s*)\(/g, `${recursion}$1(`);
    const unpack = kind === '%' ? SET_UNPACK.exec(code) : null;
    if (unpack) {
      // `{% set a, b = 1, 2 %}` unpacks in Jinja2; nunjucks would give both names the whole value
      const names = unpack[2].split(',').map((n) => n.trim());
      out += `{%${unpack[1]} set __unpacked = __unpack((${rewriteCode(unpack[3])}), ${names.length}) %}`;
      out += names.map((n, k) => `{% set ${n} = __unpacked[${k}] ${k === names.length - 1 ? `${unpack[4]}%}` : '%}'}`).join('');
      i = scan.end + 2;
      continue;
    }
    out += source.slice(open, open + 2) + rewriteCode(code);
    i = scan.end;
  }
  return out;
}

/**
 * Ansible's _escape_backslashes (module arguments, not template files): inside `{{ }}`, the backslashes
 * of string literals are doubled, so `regex_replace('(a)', '\\1')` written once in YAML means \1.
 */
export function escapeBackslashes(source: string): string {
  if (!source.includes('\\') || !source.includes('{{')) return source;
  let out = '';
  let i = 0;
  for (;;) {
    const open = source.indexOf('{{', i);
    if (open < 0) return out + source.slice(i);
    out += source.slice(i, open + 2);
    const scan = scanTag(source, open + 2, '}}');
    const end = scan.end < 0 ? source.length : scan.end;
    let j = open + 2;
    while (j < end) {
      const c = source[j];
      if (c === '"' || c === "'") {
        const stop = Math.min(stringEnd(source, j), end);
        out += source.slice(j, stop).replace(/\\/g, '\\\\');
        j = stop;
      } else {
        out += c;
        j++;
      }
    }
    i = end;
  }
}

/** Split at `sep` outside strings and brackets. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = stringEnd(text, i) - 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === sep) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim());
}

const TAG = /^(-?)\s*([A-Za-z_]\w*)\b([\s\S]*?)(-?)\s*$/;

/**
 * Jinja2 block tags nunjucks lacks or reads differently, rewritten to ones it has (a stack per tag
 * kind pairs each opening with its end tag):
 *  - `{% filter a|b %}` (a chain): nested filter blocks, a innermost;
 *  - `{% set x | f %}...{% endset %}`: the block set, then `{% set x = x | f %}`;
 *  - `{% with a = 1 %}...{% endwith %}`: a one-pass loop (its own scope, as with's) setting the names;
 *  - `{% block name %}` in a template that extends nothing: the block's content, in place;
 *  - `for … recursive`: a macro looping over its argument, `loop(x)` calling it again;
 *  - `{% autoescape %}`: a scope of its own (under Ansible it escapes nothing).
 */
class BlockRewrites {
  private readonly filters: number[] = [];
  /** Open for loops: the macro name of a recursive one and its iterable, else null. */
  private readonly loops: ({ macro: string; items: string } | null)[] = [];
  private recursiveCount = 0;
  private withCount = 0;
  /** Set after a recursive loop's end: the newline trim_blocks would remove after its end tag. */
  skipNewline = false;

  /** Inside a recursive loop's body (not in a nested plain loop): `loop(x)` recurses. */
  recursion(): string | undefined {
    const top = this.loops[this.loops.length - 1];
    return top ? top.macro : undefined;
  }
  private readonly sets: (string | null)[] = [];
  constructor(private readonly inlineBlocks: boolean) {}

  /** The replacement for the tag whose code (between `{%` and `%}`) is given, or undefined to keep it. */
  rewrite(code: string): string | undefined {
    const m = TAG.exec(code);
    if (!m) return undefined;
    const [, lead, keyword, rest, trail] = m;
    const tag = (body: string, first: boolean, last: boolean) => `{%${first ? lead : ''} ${body} ${last ? trail : ''}%}`;
    switch (keyword) {
      case 'for': {
        const r = /^([\s\S]*?\bin\b)([\s\S]*?)\s+recursive\s*$/.exec(rest);
        if (!r) {
          this.loops.push(null);
          return undefined;
        }
        // a recursive loop becomes a macro that loops over its argument; `loop(x)` calls it again
        const macro = `__recursive_loop_${++this.recursiveCount}`;
        this.loops.push({ macro, items: rewriteCode(r[2]) });
        return tag(`macro ${macro}(__recursive_items)`, true, false) + tag(`for${r[1]} __recursive_items`, false, true);
      }
      case 'endfor': {
        const loop = this.loops.pop();
        if (!loop) return undefined;
        this.skipNewline = true;
        return tag('endfor', true, false) + tag('endmacro', false, false) + `{{ ${loop.macro}(${loop.items}) }}`;
      }
      case 'filter': {
        const chain = splitTopLevel(rest, '|');
        this.filters.push(chain.length);
        if (chain.length === 1) return undefined;
        return chain
          .reverse()
          .map((f, k) => tag(`filter ${rewriteCode(f)}`, k === 0, k === chain.length - 1))
          .join('');
      }
      case 'endfilter': {
        const n = this.filters.pop() ?? 1;
        if (n === 1) return undefined;
        return Array.from({ length: n }, (_, k) => tag('endfilter', k === 0, k === n - 1)).join('');
      }
      case 'set': {
        if (rest.includes('=')) return undefined;
        const parts = splitTopLevel(rest, '|');
        if (parts.length === 1) {
          this.sets.push(null);
          return undefined;
        }
        this.sets.push(`${parts[0]} = ${parts.map((p, k) => (k === 0 ? p : rewriteCode(p))).join(' | ')}`);
        return tag(`set ${parts[0]}`, true, true);
      }
      case 'endset': {
        const filtered = this.sets.pop();
        if (!filtered) return undefined;
        return tag('endset', true, false) + tag(`set ${filtered}`, false, true);
      }
      case 'with': {
        const assignments = rest.trim() ? splitTopLevel(rest, ',') : [];
        // every value is computed in the outer scope first (`{% with b = 2, c = b %}`: c is the outer b)
        const id = ++this.withCount;
        const pairs = assignments.map((a, k) => {
          const eq = /^([A-Za-z_]\w*)\s*=([\s\S]+)$/.exec(a);
          if (!eq) throw new Error(`unsupported with statement: ${a}`);
          return { name: eq[1], temp: `__with_${id}_${k}`, value: rewriteCode(eq[2]) };
        });
        const values = pairs.map((p) => `{% set ${p.temp} = ${p.value} %}`).join('');
        const sets = pairs.map((p, k) => `{% set ${p.name} = ${p.temp} ${k === pairs.length - 1 ? trail : ''}%}`).join('');
        return (lead ? `{%${lead} if true %}{% endif %}` : '') + values + tag('for __with in [0]', false, pairs.length === 0) + sets;
      }
      case 'autoescape':
        // Under Ansible an autoescape block escapes nothing (Ansible's output is not Markup-aware) but
        // is a scope of its own: a one-pass loop, like with
        return tag('for __autoescape in [0]', true, true);
      case 'endautoescape':
        return tag('endfor', true, true);
      case 'endwith':
        return tag('endfor', true, true);
      case 'block':
        return this.inlineBlocks ? tag('if true', true, true) : undefined;
      case 'endblock':
        return this.inlineBlocks ? tag('endif', true, true) : undefined;
      default:
        return undefined;
    }
  }
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
const NUMERIC_ATTRIBUTES = /(?<=(?:^|[^\w])[A-Za-z_]\w*|[\])])\.(\d+)(?!\w)/g;
/** `is name` / `is not name`: where a test's argument may follow without parentheses. */
const TEST_HEAD = /\bis(\s+not)?\s+(?!not\b)([A-Za-z_][\w.]*)/g;
const KEYWORDS = new Set(['and', 'or', 'else', 'if', 'is', 'not', 'in', 'recursive']);

/** Rewrites on a tag's code; string literals are set aside first so text inside them is never changed. */
function rewriteCode(code: string): string {
  if (!/\bis\s/.test(code) && !/[\w\])]\.\d/.test(code) && !/\d[.eExXoObB_]/.test(code) && !/,\s*[)\]}]|\(\s*\)|['"]\s+['"]/.test(code)) return code;
  const strings: string[] = [];
  let hidden = code.replace(STRING_LITERAL, (lit) => `\u0000${strings.push(lit) - 1}\u0000`);
  // `groups.lb.0`, `r.stdout_lines.1`: Jinja2 reads a numeric attribute as an index (nunjucks refuses it).
  // Every one of them (a long `when` has many: debops.users has 10 `item.0.x` in one), each pass of the
  // global rewrite turning the next link of a chain (`x.0.1` -> `x[0].1` -> `x[0][1]`); bounded by the
  // number of dots.
  const rewrites = hidden.split('.').length;
  for (let i = 0; i < rewrites; i++) {
    const next = hidden.replace(NUMERIC_ATTRIBUTES, '[$1]');
    if (next === hidden) break;
    hidden = next;
  }
  hidden = numberLiterals(hidden);
  // `(x,)` is a one-item tuple in Jinja2 and `()` the empty one; nunjucks parses neither
  hidden = hidden.replace(/(^|[^\w\])\s])(\s*)\(([^()]+?),\s*\)/g, '$1$2__tuple($3)');
  hidden = hidden.replace(/(^|[^\w\])\s])(\s*)\(\s*\)/g, '$1$2__tuple()');
  // a trailing comma in a list or dict literal
  hidden = hidden.replace(/,(\s*[\]}])/g, '$1');
  // adjacent string literals join, as in Python
  hidden = hidden.replace(/\u0000(\d+)\u0000(?:\s+\u0000(\d+)\u0000)+/g, (m) => `(${[...m.matchAll(/\u0000(\d+)\u0000/g)].map((x) => `\u0000${x[1]}\u0000`).join(' ~ ')})`);
  return testArguments(hidden).replace(HIDDEN_STRING, (_m, i: string) => strings[Number(i)]);
}

/**
 * Number literals nunjucks reads differently: a float literal (`1.0`, `1e3`) becomes `__float("1.0")`
 * so it stays a float (prints 1.0); hex, octal and binary integers (`0x1F`) and `1_000` become decimal.
 */
function numberLiterals(code: string): string {
  return code
    .replace(/(?<![\w.\]\)])(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)(?![\w.])/g, (m) => String(Number(m.replace(/_/g, ''))))
    .replace(/(?<![\w.\]\)\u0000])(\d[\d_]*\.\d[\d_]*(?:[eE][-+]?\d+)?|\d[\d_]*[eE][-+]?\d+)(?![\w.])/g, (m) => `__float("${m.replace(/_/g, '')}")`)
    .replace(/(?<![\w.\]\)\u0000])\d+(?:_\d+)+(?![\w.])/g, (m) => m.replace(/_/g, ''));
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

