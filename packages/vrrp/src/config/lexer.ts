import type { SourceLocation } from './diagnostics.js';

export type TokenKind = 'word' | 'open' | 'close' | 'newline';

export interface Token extends SourceLocation {
  kind: TokenKind;
  /** The word without its quotes. */
  value: string;
  quoted: boolean;
}

/** What the lexer reports; the reader turns these into diagnostics. */
export interface LexerReports {
  error(at: SourceLocation, message: string): void;
  warning(at: SourceLocation, message: string): void;
}

/** keepalived's word separators (WHITE_SPACE): ASCII only. Every other byte belongs to a word. */
const ASCII_SPACE = new Set([' ', '\t', '\r', '\f', '\v', '\n']);

/**
 * Characters that look like a blank but are not one to keepalived, so they end up inside a word. They
 * come from copy-paste (U+00A0) and editors (U+FEFF); naming them is the only way a reader can see them.
 */
const LOOKALIKE_SPACE = /[\u0085\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]/g;

/** The Unicode name of a look-alike space, for the warning. */
function describeChar(c: string): string {
  const names: Record<string, string> = {
    '\u00a0': 'NO-BREAK SPACE', '\u2028': 'LINE SEPARATOR', '\u2029': 'PARAGRAPH SEPARATOR', '\u3000': 'IDEOGRAPHIC SPACE',
    '\ufeff': 'ZERO WIDTH NO-BREAK SPACE (byte order mark)', '\u200b': 'ZERO WIDTH SPACE', '\u0085': 'NEXT LINE', '\u202f': 'NARROW NO-BREAK SPACE',
  };
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return names[c] ? `${code} (${names[c]})` : code;
}

/** One line after keepalived's decomment(): comment and leading/trailing blanks removed. */
export interface DecommentedLine {
  text: string;
  /** Columns removed from the front, so positions in `text` map back to the file. */
  offset: number;
  /** The line ended in `\` (continues a multiline definition). */
  continued: boolean;
  /** A `"` was left open. */
  unterminatedQuote: boolean;
}

/**
 * keepalived's decomment(): `!` and `#` outside double quotes start a comment, `\!` and `\#` are the
 * characters themselves, a `\` at the very end marks a continued line; blanks around are dropped.
 */
export function decomment(raw: string): DecommentedLine {
  const lead = raw.length - raw.replace(/^[ \t]+/, '').length;
  let text = '';
  let quote = false;
  let continued = false;
  for (let i = lead; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') { quote = !quote; text += c; continue; }
    if (c === '\\') {
      if (i + 1 >= raw.length) { continued = true; break; }
      const next = raw[i + 1];
      if (!quote && (next === '#' || next === '!')) text += next;
      else text += c + next;
      i++;
      continue;
    }
    if (!quote && (c === '!' || c === '#')) break;
    text += c;
  }
  text = text.replace(/[ \t]+$/, '');
  // keepalived keeps the final `\` (after the trimmed blanks): a definition reads it as "more lines follow".
  if (continued) text += '\\';
  return { text, offset: lead, continued, unterminatedQuote: quote };
}

/**
 * Splits one decommented line into words and braces. Words end at ASCII whitespace, `{`, `}` or `"`;
 * `"..."` is one word. A look-alike space inside a word is kept (keepalived keeps it) and warned about
 * with its column, since it turns a keyword into an unknown one or a value into a bad one.
 */
export function tokenizeLine(text: string, at: SourceLocation, reports: LexerReports): Token[] {
  const tokens: Token[] = [];
  const { file, line } = at;
  const colOf = (i: number) => at.col + i;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (ASCII_SPACE.has(c)) { i++; continue; }
    if (c === '{' || c === '}') {
      tokens.push({ kind: c === '{' ? 'open' : 'close', value: c, quoted: false, file, line, col: colOf(i) });
      i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) {
        reports.error({ file, line, col: colOf(i) }, `unterminated quoted string: ${text.slice(i)}`);
        i = text.length;
        continue;
      }
      const value = text.slice(i + 1, close);
      tokens.push({ kind: 'word', value, quoted: true, file, line, col: colOf(start) });
      warnLookalikes(value, start + 1, at, reports);
      i = close + 1;
      continue;
    }
    while (i < text.length && !ASCII_SPACE.has(text[i]) && text[i] !== '{' && text[i] !== '}' && text[i] !== '"') i++;
    const value = text.slice(start, i);
    tokens.push({ kind: 'word', value, quoted: false, file, line, col: colOf(start) });
    warnLookalikes(value, start, at, reports);
  }
  return tokens;
}

function warnLookalikes(value: string, startIndex: number, at: SourceLocation, reports: LexerReports): void {
  for (const m of value.matchAll(LOOKALIKE_SPACE)) {
    reports.warning({ file: at.file, line: at.line, col: at.col + startIndex + m.index! },
      `'${value}' contains ${describeChar(m[0])}, which keepalived reads as part of the word, not as a blank`);
  }
}
