/**
 * Ansible's assemble_from_fragments, pure: the fragments in Python's sorted() order of their names,
 * those the regexp does not find and (with ignore_hidden) dot files left out; a newline after a fragment
 * that does not end with one; the delimiter (Python escapes decoded) between fragments, followed by a
 * newline (always: Ansible's test for a final newline compares an int with bytes).
 */

/** Python's sorted() on str: by code point. */
export function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** codecs.escape_decode for the escapes a delimiter holds (\n, \t, \\, \xNN, octal...). */
export function pythonUnescape(text: string): Buffer {
  const out: number[] = [];
  const bytes = Buffer.from(text, 'utf8');
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 92 || i + 1 >= bytes.length) {
      out.push(c);
      continue;
    }
    const n = String.fromCharCode(bytes[i + 1]);
    if (n in simple) {
      out.push(simple[n]);
      i++;
    } else if (n === '\n') i++;
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 2] ?? 0, bytes[i + 3] ?? 0))) {
      out.push(parseInt(String.fromCharCode(bytes[i + 2], bytes[i + 3]), 16));
      i += 3;
    } else if (/[0-7]/.test(n)) {
      let digits = '';
      let j = i + 1;
      while (j < bytes.length && digits.length < 3 && /[0-7]/.test(String.fromCharCode(bytes[j]))) digits += String.fromCharCode(bytes[j++]);
      out.push(parseInt(digits, 8) & 0xff);
      i = j - 1;
    } else out.push(c);
  }
  return Buffer.from(out);
}

export interface AssembleOptions {
  delimiter?: string;
  regexp?: RegExp;
  ignoreHidden?: boolean;
}

export function assembleFragments(files: readonly { name: string; content: Buffer }[], opts: AssembleOptions): Buffer {
  const parts: Buffer[] = [];
  const delimiter = opts.delimiter ? pythonUnescape(opts.delimiter) : undefined;
  let delimit = false;
  let addNewline = false;
  for (const f of [...files].sort((a, b) => byCodePoint(a.name, b.name))) {
    if (opts.regexp && !opts.regexp.test(f.name)) continue;
    if (opts.ignoreHidden && f.name.startsWith('.')) continue;
    if (addNewline) parts.push(Buffer.from('\n'));
    if (delimit && delimiter && delimiter.length) {
      // Ansible compares the delimiter's last byte (an int in Python 3) with b'\n': never equal, so a
      // newline always follows the delimiter.
      parts.push(delimiter, Buffer.from('\n'));
    }
    parts.push(f.content);
    delimit = true;
    addNewline = !(f.content.length > 0 && f.content[f.content.length - 1] === 10);
  }
  return Buffer.concat(parts);
}
