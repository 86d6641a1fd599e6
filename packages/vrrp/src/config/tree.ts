import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { DiagnosticSink, SourceLocation } from './diagnostics.js';
import { tokenize, type Token } from './lexer.js';

/** One line of configuration: a keyword, its arguments, and maybe a `{ ... }` block. */
export interface Statement {
  keyword: Token;
  args: Token[];
  block?: Statement[];
}

/** How files are read, so tests can supply an in-memory file system. */
export interface ConfigSource {
  readFile(path: string): string;
  /** Absolute paths matching a glob pattern, sorted. */
  glob(pattern: string, cwd: string): string[];
}

/**
 * tinyglobby, loaded on the first `include` only: most configurations have none, and its load is
 * ~18 ms of the worker's start-up, which a failback waits for. Its CommonJS build allows a synchronous load.
 */
let globSync: typeof import('tinyglobby').globSync | undefined;
function loadGlob(): typeof import('tinyglobby').globSync {
  globSync ??= (createRequire(import.meta.url)('tinyglobby') as typeof import('tinyglobby')).globSync;
  return globSync;
}

export const fileSystemSource: ConfigSource = {
  readFile: (path) => readFileSync(path, 'utf8'),
  glob: (pattern, cwd) => loadGlob()(pattern, { cwd, absolute: true, onlyFiles: true }).sort(),
};

/** Nested includes deeper than this are taken to be a loop. */
const MAX_INCLUDE_DEPTH = 8;

/**
 * Reads a file into statements, expanding `include GLOB` in place (patterns relative to the including
 * file's directory). Syntax problems are reported to `sink`; parsing goes on where it can.
 */
export function readStatements(path: string, source: ConfigSource, sink: DiagnosticSink, depth = 0, text?: string): Statement[] {
  const content = text ?? source.readFile(path);
  const tokens = tokenize(content, path, (at, message) => sink.error(at, message));
  const parser = new StatementParser(tokens, sink, (statement) => expandInclude(statement, path, source, sink, depth));
  return parser.parseTop();
}

function expandInclude(statement: Statement, fromFile: string, source: ConfigSource, sink: DiagnosticSink, depth: number): Statement[] {
  const pattern = statement.args[0];
  if (!pattern) {
    sink.error(statement.keyword, 'include needs a file name or glob pattern');
    return [];
  }
  if (depth >= MAX_INCLUDE_DEPTH) {
    sink.error(statement.keyword, `include nesting deeper than ${MAX_INCLUDE_DEPTH} (an include loop?): ${pattern.value}`);
    return [];
  }
  const cwd = dirname(fromFile);
  const files = source.glob(pattern.value, cwd);
  if (files.length === 0) {
    sink.warning(pattern, `include ${pattern.value}: no file matches (looked in ${isAbsolute(pattern.value) ? dirname(pattern.value) : resolve(cwd, dirname(pattern.value))})`);
    return [];
  }
  const statements: Statement[] = [];
  for (const file of files) {
    try {
      statements.push(...readStatements(file, source, sink, depth + 1));
    } catch (error) {
      sink.error(pattern, `include ${file}: ${(error as Error).message}`);
    }
  }
  return statements;
}

class StatementParser {
  private index = 0;

  constructor(private readonly tokens: Token[], private readonly sink: DiagnosticSink, private readonly include: (s: Statement) => Statement[]) {}

  parseTop(): Statement[] {
    return this.parseBlock(undefined);
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  /** Statements until the `}` matching `opener` (or the end of the file at top level). */
  private parseBlock(opener: SourceLocation | undefined): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      const token = this.peek();
      if (!token) {
        if (opener) this.sink.error(opener, "block opened here is never closed (missing '}')");
        return statements;
      }
      if (token.kind === 'newline') { this.index++; continue; }
      if (token.kind === 'close') {
        this.index++;
        if (opener) return statements;
        this.sink.error(token, "unexpected '}' with no open block");
        continue;
      }
      if (token.kind === 'open') {
        // A brace on the line after its keyword: `vrrp_instance VI_1` NEWLINE `{`.
        this.index++;
        const previous = statements[statements.length - 1];
        const block = this.parseBlock(token);
        if (previous && !previous.block) previous.block = block;
        else this.sink.error(token, "'{' without a keyword before it");
        continue;
      }
      const statement: Statement = { keyword: token, args: [] };
      this.index++;
      for (let next = this.peek(); next && next.kind === 'word'; next = this.peek()) {
        statement.args.push(next);
        this.index++;
      }
      if (this.peek()?.kind === 'open') {
        const open = this.peek()!;
        this.index++;
        statement.block = this.parseBlock(open);
      }
      if (statement.keyword.value === 'include' && !statement.keyword.quoted) statements.push(...this.include(statement));
      else statements.push(statement);
    }
  }
}
