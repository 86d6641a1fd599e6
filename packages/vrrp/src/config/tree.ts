import { dirname, isAbsolute, join } from 'node:path';
import type { DiagnosticSink, SourceLocation } from './diagnostics.js';
import { tokenizeLine, type Token } from './lexer.js';
import { READ_LIMITS, type ReadLimits } from './limits.js';
import { Preprocessor } from './preprocess.js';
import { fileSystemSource, NotAConfigFileError, type ConfigSource } from './source.js';

export { fileSystemSource, type ConfigSource } from './source.js';

/** One line of configuration: a keyword, its arguments, and maybe a `{ ... }` block. */
export interface Statement {
  keyword: Token;
  args: Token[];
  block?: Statement[];
}

export interface ReadOptions {
  /** keepalived's `-i` / `--config-id`: selects `@ID` lines. */
  configId?: string;
  /** Tighter bounds, for tests. */
  limits?: Partial<ReadLimits>;
}

/**
 * Reads a configuration into statements as keepalived does: line by line through the preprocessor,
 * `include PATTERN` lines replaced in place by the files they name (so a block may span files and
 * definitions carry across them), then braces matched. Every problem is reported to `sink`; nothing
 * here throws for bad input, recurses on input structure, or runs past READ_LIMITS.
 */
export function readStatements(path: string, source: ConfigSource, sink: DiagnosticSink, options: ReadOptions = {}, text?: string): Statement[] {
  const reader = new ConfigReader(source, sink, { ...READ_LIMITS, ...options.limits }, options.configId);
  reader.readFile(path, 0, [], text, { file: path, line: 1, col: 1 });
  reader.finish();
  return parseTokens(reader.tokens, sink, reader.limits.maxBlockDepth);
}

/** `include`, and keepalived's variants includer/includem/includew/includeb/includea, then the pattern. */
const INCLUDE = /^include[rmwba]?[ \t\r\f\v]+(.*)$/s;

class ConfigReader {
  readonly tokens: Token[] = [];
  private files = 0;
  private bytes = 0;
  private filesLimitReported = false;
  /** Set when a limit ends the read: nothing more is read, in this file or any other. */
  private stopped = false;
  private readonly pre: Preprocessor;

  constructor(private readonly source: ConfigSource, private readonly sink: DiagnosticSink, readonly limits: ReadLimits, configId: string | undefined) {
    this.pre = new Preprocessor(configId, limits, sink);
  }

  finish(): void {
    this.pre.finish();
  }

  /** Reads one file into the token stream. `chain` is the include chain above it, for loop detection. */
  readFile(path: string, depth: number, chain: string[], text: string | undefined, from: SourceLocation): void {
    if (this.stopped) return;
    if (++this.files > this.limits.maxFiles) {
      if (!this.filesLimitReported) this.sink.error(from, `more than ${this.limits.maxFiles} files read for one configuration (includes fan out too far); ${path} and later files are not read`);
      this.filesLimitReported = true;
      return;
    }
    let content: string;
    try {
      content = text ?? this.source.readFile(path);
    } catch (error) {
      if (error instanceof NotAConfigFileError) this.sink.warning(from, `include: ${error.message}; skipped (as keepalived does)`);
      else this.sink.error(from, depth === 0 ? `cannot read configuration: ${(error as Error).message}` : `include ${path}: ${(error as Error).message}`);
      return;
    }
    this.bytes += content.length;
    if (content.length > this.limits.maxFileBytes || this.bytes > this.limits.maxTotalBytes) {
      this.sink.error(from, content.length > this.limits.maxFileBytes
        ? `${path} is ${content.length} bytes, more than the ${this.limits.maxFileBytes} a configuration file may have; not read`
        : `the configuration and its includes exceed ${this.limits.maxTotalBytes} bytes; ${path} is not read`);
      return;
    }
    if (content.startsWith('\ufeff')) {
      this.sink.warning({ file: path, line: 1, col: 1 }, 'byte order mark (U+FEFF) at the start of the file skipped; keepalived would read it as part of the first word');
      content = content.slice(1);
    }
    if (content.includes('\r') && !content.includes('\n') && content.indexOf('\r') < content.length - 1) {
      this.sink.warning({ file: path, line: 1, col: 1 }, 'the file has CR-only line endings (old Mac style): keepalived reads it as one single line, and so does vrrpd; convert it with `tr "\\r" "\\n"`');
    }
    const lines = content.split('\n');
    const nextChain = [...chain, path];
    for (let n = 0; n < lines.length && !this.stopped; n++) {
      const raw = lines[n].replace(/\r+$/, '');
      for (const logical of this.pre.feed(raw, path, n + 1)) {
        const include = INCLUDE.exec(logical.text);
        if (include) {
          const patternAt = { file: logical.file, line: logical.line, col: logical.col + logical.text.length - include[1].length };
          this.include(include[1].replace(/[ \t]+$/, ''), patternAt, depth, nextChain);
          continue;
        }
        const words = tokenizeLine(logical.text, logical, this.sink);
        if (this.tokens.length + words.length >= this.limits.maxTokens) {
          this.sink.error(logical, `the configuration has more than ${this.limits.maxTokens} words; the rest is not read`);
          this.stopped = true;
          return;
        }
        for (const word of words) this.tokens.push(word);
        this.tokens.push({ kind: 'newline', value: '\n', quoted: false, file: logical.file, line: logical.line, col: logical.col + logical.text.length });
      }
    }
  }

  private include(pattern: string, at: SourceLocation, depth: number, chain: string[]): void {
    if (pattern === '') { this.sink.error(at, 'include needs a file name or glob pattern'); return; }
    if (depth + 1 > this.limits.maxIncludeDepth) {
      this.sink.error(at, `include ${pattern}: includes nest more than ${this.limits.maxIncludeDepth} deep (${chain.length} files in the chain); not read`);
      return;
    }
    const from = chain[chain.length - 1];
    const cwd = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) || '/' : '.';
    let matches: string[];
    try {
      matches = this.source.glob(pattern, cwd);
    } catch (error) {
      this.sink.error(at, `include ${pattern}: ${(error as Error).message}`);
      return;
    }
    if (matches.length === 0) {
      this.sink.warning(at, `include ${pattern}: no file matches (looked in ${isAbsolute(pattern) ? dirname(pattern) : join(cwd, dirname(pattern))})`);
      return;
    }
    if (matches.length > this.limits.maxMatchesPerInclude) {
      this.sink.error(at, `include ${pattern} matches ${matches.length} files, more than the ${this.limits.maxMatchesPerInclude} one include may read; not read`);
      return;
    }
    for (const file of matches) {
      if (file.endsWith('/')) { this.sink.warning(at, `include ${pattern}: '${file}' is a directory; skipped (as keepalived does)`); continue; }
      const loop = chain.indexOf(file);
      if (loop >= 0) {
        this.sink.error(at, `include ${pattern}: ${file} is already being read (include loop: ${[...chain.slice(loop), file].join(' -> ')}); not read again`);
        continue;
      }
      this.readFile(file, depth + 1, chain, undefined, at);
    }
  }
}

/**
 * Matches braces in the token stream without recursion, so nesting depth costs heap, not stack; past
 * `maxDepth` the inner blocks are reported once and skipped.
 */
export function parseTokens(tokens: readonly Token[], sink: DiagnosticSink, maxDepth: number = READ_LIMITS.maxBlockDepth): Statement[] {
  const root: Statement[] = [];
  const stack: Array<{ list: Statement[]; opener?: Token }> = [{ list: root }];
  let current: Statement | undefined;
  let skipping = 0;
  for (const token of tokens) {
    if (skipping > 0) {
      if (token.kind === 'open') skipping++;
      else if (token.kind === 'close') skipping--;
      continue;
    }
    const top = stack[stack.length - 1];
    switch (token.kind) {
      case 'newline':
        current = undefined;
        break;
      case 'word':
        if (current) current.args.push(token);
        else {
          current = { keyword: token, args: [] };
          top.list.push(current);
        }
        break;
      case 'open': {
        // A brace on the line after its keyword (`vrrp_instance VI_1` NEWLINE `{`) belongs to it.
        const previous = top.list[top.list.length - 1];
        const owner = current ?? (previous && !previous.block ? previous : undefined);
        current = undefined;
        if (stack.length > maxDepth) {
          sink.error(token, `blocks nest more than ${maxDepth} deep; this block is not read`);
          skipping = 1;
          break;
        }
        if (!owner || owner.block) sink.error(token, "'{' without a keyword before it");
        const block: Statement[] = [];
        if (owner && !owner.block) owner.block = block;
        stack.push({ list: block, opener: token });
        break;
      }
      case 'close':
        current = undefined;
        if (stack.length === 1) sink.error(token, "unexpected '}' with no open block");
        else stack.pop();
        break;
    }
  }
  for (let i = stack.length - 1; i > 0; i--) sink.error(stack[i].opener!, "block opened here is never closed (missing '}')");
  return root;
}
