/**
 * The parts of nunjucks we use beyond its typed public API: its parser, AST nodes, compiler and
 * transformer. We compile templates ourselves so we can rewrite the AST (see transform.ts) without
 * patching nunjucks globally.
 */
import { createRequire } from 'node:module';
import { newTuple } from './pytypes.js';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  [field: string]: any;
}

export interface Nunjucks {
  Environment: new (loaders: unknown, opts: Record<string, unknown>) => NjEnvironment;
  Template: new (src: unknown, env: NjEnvironment, path?: string, eager?: boolean) => { render(ctx: object): string };
  parser: { parse(src: string, extensions: unknown[], opts: Record<string, unknown>): NjNode };
  transformer: { transform(ast: NjNode, asyncFilters: unknown[], name?: string): NjNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: NjNode): void; getCode(): string } };
  nodes: Record<string, new (lineno: number, colno: number, ...fields: any[]) => NjNode>;
  runtime: { Frame: new () => { topLevel: boolean } } & Record<string, unknown>;
}

/** A compiled template's entry point, as nunjucks' compiler emits it. */
export type RootRenderFunc = (env: NjEnvironment, context: unknown, frame: unknown, runtime: unknown, cb: (err: unknown, result: string) => void) => void;

export interface NjEnvironment {
  opts: Record<string, unknown>;
  globals: Record<string, unknown>;
  extensionsList: unknown[];
  asyncFilters: unknown[];
  addFilter(name: string, fn: (...args: any[]) => unknown): void;
  addTest(name: string, fn: (...args: any[]) => unknown): void;
  addGlobal(name: string, value: unknown): void;
  getFilter(name: string): (...args: any[]) => unknown;
  getTest(name: string): (...args: any[]) => unknown;
}

const base = require('nunjucks');
// Jinja2's slices (`items[1:]`, `name[:3]`): nunjucks' own compatibility layer teaches its parser them.
// It patches nunjucks for the whole process; harmless, as it only adds Jinja2 syntax.
base.installJinjaCompat();

// Jinja2 refuses a macro call with more arguments than the macro declares, or an unknown keyword
// (a macro that reads varargs/kwargs takes them: makeVarargsMacro below); nunjucks dropped them.
type MacroFunc = (...a: unknown[]) => unknown;
/** A macro call's arguments: the positional ones, and the keyword object nunjucks appends (if any). */
function macroCallArgs(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const hasKeywords = last !== null && typeof last === 'object' && last.__keywords === true;
  return { positional: hasKeywords ? args.slice(0, -1) : args, keywords: hasKeywords ? last! : {} };
}
const makeMacro = base.runtime.makeMacro as (argNames: string[], kwargNames: string[], func: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown;
base.runtime.makeMacro = (argNames: string[], kwargNames: string[], func: MacroFunc) => {
  const macro = makeMacro(argNames, kwargNames, func);
  const declared = argNames.length + kwargNames.length;
  return function checkedMacro(this: unknown, ...args: unknown[]) {
    const { positional, keywords } = macroCallArgs(args);
    if (positional.length > declared) throw new Error(`macro takes not more than ${declared} argument(s)`);
    for (const k of Object.keys(keywords)) {
      if (k !== '__keywords' && k !== 'caller' && !argNames.includes(k) && !kwargNames.includes(k)) throw new Error(`macro takes no keyword argument '${k}'`);
    }
    return macro.apply(this, args);
  };
};

// A macro whose body reads `varargs` or `kwargs` (macro-compiler.ts) takes extra positional arguments
// (a tuple, `varargs`) and unknown keywords (a dict, `kwargs`), as in Jinja2. The body reads them from
// the top of this stack as it starts; calls are synchronous.
const macroExtras: { varargs: unknown[]; kwargs: Record<string, unknown> }[] = [];
base.runtime.currentMacroExtras = () => macroExtras[macroExtras.length - 1];
base.runtime.makeVarargsMacro = (argNames: string[], kwargNames: string[], func: MacroFunc) => {
  const macro = makeMacro(argNames, kwargNames, func);
  const declared = argNames.length + kwargNames.length;
  return function varargsMacro(this: unknown, ...args: unknown[]) {
    const { positional, keywords } = macroCallArgs(args);
    const kept: Record<string, unknown> = { __keywords: true };
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(keywords)) {
      if (k === '__keywords') continue;
      if (k === 'caller' || argNames.includes(k) || kwargNames.includes(k)) kept[k] = v;
      else kwargs[k] = v;
    }
    macroExtras.push({ varargs: newTuple(...positional.slice(declared)), kwargs });
    try {
      return macro.apply(this, [...positional.slice(0, declared), kept]);
    } finally {
      macroExtras.pop();
    }
  };
};

// Jinja2 chains inline ifs (`'a' if x else 'b' if y else 'c'`): the else branch is itself an inline if.
// nunjucks parses only an `or` expression there and refuses the chain; parse it the Jinja2 way.
const Parser = base.parser.Parser as { prototype: Record<string, unknown> } | undefined;
if (Parser) {
  Parser.prototype.parseInlineIf = function parseInlineIf(this: Record<string, (...a: unknown[]) => any>) {
    let node = this.parseOr();
    if (this.skipSymbol('if')) {
      const cond = this.parseOr();
      const body = node;
      node = new base.nodes.InlineIf(node.lineno, node.colno);
      node.body = body;
      node.cond = cond;
      node.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null;
    }
    return node;
  };
}
/**
 * A string literal's escapes as Jinja2 reads them (Python's unicode-escape): \\n \\t \\r \\\\ \\' \\" \\a \\b
 * \\f \\v, octal \\ooo, \\xhh, \\uXXXX, \\UXXXXXXXX; any other backslash stays, with its character
 * (`"a\\pb"` is a, backslash, p, b). nunjucks' lexer would drop that backslash.
 */
export function pythonStringEscapes(raw: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
  return raw.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([\s\S]))/g, (all, oct, hex, u4, u8, ch) => {
    if (oct !== undefined) return String.fromCodePoint(parseInt(oct, 8));
    const code = hex ?? u4 ?? u8;
    if (code !== undefined) return String.fromCodePoint(parseInt(code, 16));
    return ch in simple ? simple[ch] : all;
  });
}
const Tokenizer = Object.getPrototypeOf(base.lexer.lex('', {})) as Record<string, unknown>;
if (typeof Tokenizer._parseString === 'function') {
  Tokenizer._parseString = function parseString(this: { forward(): void; back(): void; current(): string; isFinished(): boolean }, delimiter: string): string {
    this.forward();
    let raw = '';
    while (!this.isFinished() && this.current() !== delimiter) {
      if (this.current() === '\\') {
        raw += '\\';
        this.forward();
        if (this.isFinished()) break;
      }
      raw += this.current();
      this.forward();
    }
    this.forward();
    return pythonStringEscapes(raw);
  };
}

export const nunjucks: Nunjucks = {
  Environment: base.Environment,
  Template: base.Template,
  parser: base.parser,
  transformer: require('nunjucks/src/transformer'),
  compiler: base.compiler,
  nodes: base.nodes,
  runtime: base.runtime,
};
