import { dirname } from 'node:path';
import type { SourceLocation } from './diagnostics.js';
import { decomment } from './lexer.js';
import type { ReadLimits } from './limits.js';

/** A line after the preprocessor: what the lexer reads, and where it came from. */
export interface LogicalLine extends SourceLocation {
  text: string;
}

export interface PreprocessorReports {
  error(at: SourceLocation, message: string): void;
  warning(at: SourceLocation, message: string): void;
}

interface Definition {
  /** Lines of the value (one for an ordinary definition). */
  lines: string[];
  multiline: boolean;
}

/** A definition's name, as keepalived allows it. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * keepalived's configuration preprocessor (keepalived.conf(5), "CONDITIONAL CONFIGURATION" and
 * "PARAMETER SUBSTITUTION"), line by line and shared across includes:
 * - `@ID line` is read only when vrrpd runs with `-i ID`; `@^ID line` only when it does not.
 * - `$NAME=value` defines, `$NAME` / `${NAME}` substitutes (recursively, bounded); a value ending in `\`
 *   continues on the next lines (a multiline definition, used alone on a line).
 * - `~SEQ(var, [start,] [step,] end) text` and `~LST(var, v1, v2...)` / `~LST({a,b}, {1,2}, ...) text`
 *   repeat the rest of the line.
 * Every expansion counts against the read's limits, so no definition can make it run forever.
 */
export class Preprocessor {
  private readonly defs = new Map<string, Definition>();
  private collecting?: { name: string; def: Definition };
  private generated = 0;
  private generatedBytes = 0;
  private overflowReported = false;
  private currentFile = '';

  constructor(private readonly configId: string | undefined, private readonly limits: ReadLimits, private readonly reports: PreprocessorReports) {}

  /** Feeds one physical line; returns the logical lines it produces (none for comments and definitions). */
  feed(raw: string, file: string, line: number): LogicalLine[] {
    this.currentFile = file;
    const d = decomment(raw);
    const at = { file, line, col: d.offset + 1 };
    if (this.collecting) {
      const { def } = this.collecting;
      if (d.text === '') { this.collecting = undefined; return []; }
      if (d.continued) def.lines.push(d.text.slice(0, -1).replace(/[ \t]+$/, ''));
      else { def.lines.push(d.text); this.collecting = undefined; }
      return [];
    }
    if (d.text === '') return [];
    const out: LogicalLine[] = [];
    this.process(d.text, at, 0, out);
    return out;
  }

  /** A multiline definition still open at the end of the configuration is closed where it stands. */
  finish(): void {
    this.collecting = undefined;
  }

  private emit(out: LogicalLine[], text: string, at: SourceLocation): void {
    this.generatedBytes += text.length;
    if (++this.generated > this.limits.maxGeneratedLines || this.generatedBytes > this.limits.maxGeneratedBytes) {
      if (!this.overflowReported) this.reports.error(at, `the configuration expands to more than ${this.limits.maxGeneratedLines} lines or ${this.limits.maxGeneratedBytes} characters (~SEQ/~LST or definitions); the rest is not read`);
      this.overflowReported = true;
      return;
    }
    out.push({ ...at, text });
  }

  private process(text: string, at: SourceLocation, depth: number, out: LogicalLine[]): void {
    if (depth > 32) { this.reports.error(at, 'definitions nest more than 32 deep; line not read'); return; }
    let rounds = 0;
    for (;;) {
      if (text.startsWith('@')) {
        const reverse = text[1] === '^';
        const rest = text.slice(reverse ? 2 : 1);
        const blank = rest.search(/[ \t]/);
        if (blank < 0) return; // nothing after the id: keepalived drops the line
        const id = rest.slice(0, blank);
        const matches = this.configId !== undefined && id === this.configId;
        if (matches === reverse) return;
        const body = rest.slice(blank).replace(/^[ \t]+/, '');
        at = { ...at, col: at.col + (text.length - body.length) };
        text = body;
      }
      if (text.startsWith('$') && this.define(text, at)) return;
      if (text.startsWith('~SEQ') || text.startsWith('~LST')) {
        if (text[1] === 'S') this.sequence(text, at, depth, out);
        else this.list(text, at, depth, out);
        return;
      }
      if (text.startsWith('~') || this.defs.size === 0 || !text.includes('$')) break;
      const whole = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(text);
      const multi = whole && (text[1] === '{') === text.endsWith('}') ? this.lookup(whole[1]) : undefined;
      if (multi?.multiline) {
        for (const line of multi.lines) if (line !== '') this.process(decomment(line).text, at, depth + 1, out);
        return;
      }
      const replaced = this.substitute(text, at);
      if (replaced === undefined) return;
      if (replaced.count === 0) break;
      text = decomment(replaced.text).text;
      if (text === '') return;
      // A substitution that starts the line with @ makes it conditional: go round again (bounded).
      if (!text.startsWith('@') || ++rounds > 32) break;
    }
    this.emit(out, text, at);
  }

  private lookup(name: string): Definition | undefined {
    const def = this.defs.get(name);
    if (def) return def;
    switch (name) {
      case '_PWD': return { lines: [dirname(this.currentFile)], multiline: false };
      case '_INSTANCE': return { lines: [this.configId ?? ''], multiline: false };
      case '_HASH': return { lines: ['#'], multiline: false };
      case '_BANG': return { lines: ['!'], multiline: false };
      default: return undefined;
    }
  }

  /** `$NAME=value` (blanks allowed before `=`). Returns false when the line is not a definition. */
  private define(text: string, at: SourceLocation): boolean {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/s.exec(text);
    if (!m) return false;
    const [, name, value] = m;
    if (value.endsWith('\\')) {
      const first = value.slice(0, -1).replace(/[ \t]+$/, '');
      const def: Definition = { lines: first === '' ? [] : [first], multiline: true };
      this.defs.set(name, def);
      this.collecting = { name, def };
    } else this.defs.set(name, { lines: [value], multiline: false });
    if (name.startsWith('_') && ['_PWD', '_INSTANCE', '_RANDOM', '_HASH', '_BANG'].includes(name)) this.reports.warning(at, `$${name} redefines keepalived's built-in definition`);
    return true;
  }

  /**
   * Replaces every `$NAME` / `${NAME}` with a known single-line value, rescanning the replacement (as
   * keepalived does). `$NAME` must end at a blank, `,`, `)` or the end of the line. Undefined names stay as written.
   */
  private substitute(text: string, at: SourceLocation): { text: string; count: number } | undefined {
    let count = 0;
    let i = text.indexOf('$');
    while (i >= 0 && i < text.length - 1) {
      const braced = text[i + 1] === '{';
      const m = NAME.exec(text.slice(i + (braced ? 2 : 1)));
      let replacedLength = 0;
      let def: Definition | undefined;
      if (m) {
        const after = text[i + (braced ? 2 : 1) + m[0].length];
        if (braced ? after === '}' : after === undefined || ' \t,)'.includes(after)) {
          def = this.lookup(m[0]);
          if (def?.multiline) def = undefined; // a multiline definition expands only alone on a line
          replacedLength = 1 + m[0].length + (braced ? 2 : 0);
        }
      }
      if (!def) { i = text.indexOf('$', i + 1); continue; }
      const value = def.lines[0] ?? '';
      text = text.slice(0, i) + value + text.slice(i + replacedLength);
      if (text.length > this.limits.maxLineLength) {
        this.reports.error(at, `substituting definitions makes the line longer than ${this.limits.maxLineLength} characters; line not read`);
        return undefined;
      }
      if (++count > this.limits.maxSubstitutionsPerLine) {
        this.reports.error(at, `more than ${this.limits.maxSubstitutionsPerLine} substitutions in one line (a definition that refers to itself?); line not read`);
        return undefined;
      }
      if (value.replace(/^[ \t]+/, '').startsWith('~')) break;
      i = text.indexOf('$', i);
    }
    return { text, count };
  }

  /** `~SEQ(var, end)`, `~SEQ(var, start, end)`, `~SEQ(var, start, step, end)`; `~SEQx` prints hex. */
  private sequence(text: string, at: SourceLocation, depth: number, out: LogicalLine[]): void {
    const m = /^~SEQ(x?)[ \t]*\([ \t]*([^ \t,)]+)[ \t]*,([^)]*)\)[ \t]*(.*)$/s.exec(text);
    if (!m) { this.reports.error(at, `invalid ~SEQ specification '${text}'`); return; }
    const [, hex, variable, rawParams, rest] = m;
    const params = (this.substitute(rawParams, at)?.text ?? rawParams).split(',').map((p) => parseCInteger(p.trim()));
    if (params.length > 3 || params.some((p) => p === undefined)) { this.reports.error(at, `invalid ~SEQ specification '${text}'`); return; }
    const n = params as number[];
    let start: number; let step: number; let end: number;
    if (n.length === 1) { end = n[0]; step = end < 1 ? -1 : 1; start = end < 0 ? -1 : 1; }
    else if (n.length === 2) { [start, end] = n; step = start <= end ? 1 : -1; }
    else {
      [start, step, end] = n;
      if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) { this.reports.error(at, `invalid ~SEQ values '${text}'`); return; }
    }
    if (hex && (start < 0 || end < 0)) { this.reports.error(at, `~SEQx is only valid for positive numbers '${text}'`); return; }
    const count = Math.floor((end - start) / step) + 1;
    if (count > this.limits.maxGeneratedLines - this.generated) {
      this.reports.error(at, `~SEQ would produce ${count} lines, more than the ${this.limits.maxGeneratedLines - this.generated} left of the ${this.limits.maxGeneratedLines} lines a configuration may generate; not expanded`);
      return;
    }
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      this.defs.set(variable, { lines: [hex ? v.toString(16) : String(v)], multiline: false });
      this.process(rest, at, depth + 1, out);
    }
  }

  /** `~LST(var, v1, v2, ...)` or `~LST({a, b}, {1, 2}, {3, 4}) text`. */
  private list(text: string, at: SourceLocation, depth: number, out: LogicalLine[]): void {
    const parsed = parseList(text);
    if (typeof parsed === 'string') { this.reports.error(at, `invalid ~LST specification '${text}': ${parsed}`); return; }
    const { names, sets, rest } = parsed;
    if (sets.length > this.limits.maxGeneratedLines - this.generated) { this.reports.error(at, `~LST would produce more lines than a configuration may generate; not expanded`); return; }
    for (const set of sets) {
      names.forEach((name, k) => this.defs.set(name, { lines: [set[k] ?? ''], multiline: false }));
      this.process(rest, at, depth + 1, out);
    }
  }
}

/** strtol(s, NULL, 0): decimal, 0x hex or 0 octal, with a sign; the whole string must be the number. */
export function parseCInteger(s: string): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(s);
  if (!m) return undefined;
  const body = m[2].toLowerCase();
  const value = body.startsWith('0x') ? parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
  const signed = m[1] === '-' ? -value : value;
  return Number.isSafeInteger(signed) ? signed : undefined;
}

function parseList(text: string): { names: string[]; sets: string[][]; rest: string } | string {
  let i = 4;
  const blanks = () => { while (text[i] === ' ' || text[i] === '\t') i++; };
  blanks();
  if (text[i++] !== '(') return "expected '('";
  blanks();
  const readGroup = (stops: string): string[] | string => {
    const items: string[] = [];
    const braced = text[i] === '{';
    if (braced) { i++; blanks(); }
    for (;;) {
      const start = i;
      while (i < text.length && !` \t,})${stops}`.includes(text[i])) i++;
      items.push(text.slice(start, i));
      blanks();
      if (braced && text[i] === '}') { i++; blanks(); return items; }
      if (!braced) return items;
      if (text[i] !== ',') return "expected ',' or '}'";
      i++;
      blanks();
    }
  };
  const names = readGroup('');
  if (typeof names === 'string') return names;
  if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) return 'variable names must be letters, digits and _';
  if (text[i++] !== ',') return "expected ',' after the variable names";
  blanks();
  const sets: string[][] = [];
  for (;;) {
    const set = readGroup('');
    if (typeof set === 'string') return set;
    if (set.length > names.length) return 'a value set has more values than there are variables';
    sets.push(set);
    if (text[i] === ')') { i++; break; }
    if (text[i] !== ',') return "expected ',' or ')'";
    i++;
    blanks();
    if (i >= text.length) return "expected ')'";
  }
  blanks();
  return { names, sets, rest: text.slice(i) };
}
