import type { SourceLocation } from './diagnostics.js';

export type TokenKind = 'word' | 'open' | 'close' | 'newline';

export interface Token extends SourceLocation {
  kind: TokenKind;
  /** The word without its quotes. */
  value: string;
  quoted: boolean;
}

/**
 * Splits keepalived.conf text into words, braces and line ends. `!` and `#` start a comment anywhere
 * outside double quotes; `{` and `}` are tokens of their own even when glued to a word.
 * An unterminated quote is reported through `onError` and ends at the end of the line.
 */
export function tokenize(text: string, file: string, onError: (at: SourceLocation, message: string) => void): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const advance = (): string => {
    const c = text[i++];
    if (c === '\n') { line++; col = 1; } else col++;
    return c;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      tokens.push({ kind: 'newline', value: '\n', quoted: false, file, line, col });
      advance();
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      advance();
    } else if (c === '!' || c === '#') {
      while (i < text.length && text[i] !== '\n') advance();
    } else if (c === '{' || c === '}') {
      tokens.push({ kind: c === '{' ? 'open' : 'close', value: c, quoted: false, file, line, col });
      advance();
    } else if (c === '"') {
      const start = { file, line, col };
      advance();
      let value = '';
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') value += advance();
      if (text[i] === '"') advance();
      else onError(start, 'unterminated quoted string');
      tokens.push({ kind: 'word', value, quoted: true, ...start });
    } else {
      const start = { file, line, col };
      let value = '';
      while (i < text.length && !/[\s{}!#"]/.test(text[i])) value += advance();
      tokens.push({ kind: 'word', value, quoted: false, ...start });
    }
  }
  tokens.push({ kind: 'newline', value: '\n', quoted: false, file, line, col });
  return tokens;
}
