/**
 * How a built binary reports its configure arguments. nginx prints them joined by spaces, with values
 * that contain spaces wrapped in single quotes (`--with-cc-opt='-O2 -g'`); keepalived prints them
 * as given. Both are turned back into an argv so they compare with what the playbook declares.
 */
export function splitConfigureArgs(printed: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (const ch of printed.trim()) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

/**
 * Same configure arguments? Compared as the words they make, so `--with-cc-opt='-O2 -g'` (nginx's
 * quoting) and keepalived's unquoted `CFLAGS=-O2 -g` both match the declared `CFLAGS=-O2 -g`.
 */
export function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  const words = (args: readonly string[]): string => args.join(' ').trim().split(/\s+/).join(' ');
  return words(a) === words(b);
}

/** `--prefix=P` first, then the declared ones (a declared --prefix is refused: use the prefix arg). */
export function fullConfigureArgs(prefix: string, declared: readonly string[]): string[] {
  const clash = declared.find((arg) => arg === '--prefix' || arg.startsWith('--prefix='));
  if (clash) throw new Error(`configure_args must not contain ${clash}: use the prefix argument`);
  return [`--prefix=${prefix}`, ...declared];
}
