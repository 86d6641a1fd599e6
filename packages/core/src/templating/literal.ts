/**
 * Python's ast.literal_eval, as Ansible 2.14 applies it to a rendered module argument whose text looks
 * like data (starts with `[` or `{`, or is True/False), with JSON's true/false/null read as Python's.
 * Returns `undefined` where literal_eval raises (the text then stays a string, as in Ansible).
 */
import { newTuple, PyFloat } from './pytypes.js';

class NotLiteral extends Error {}

export function literalEval(text: string): unknown {
  const p = new LiteralParser(text);
  try {
    p.space();
    const v = p.value();
    p.space();
    if (p.i !== text.length) return undefined;
    return v;
  } catch (e) {
    if (e instanceof NotLiteral) return undefined;
    throw e;
  }
}

const NAMES: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };

class LiteralParser {
  i = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw new NotLiteral();
  }

  space(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.i++;
      else if (c === '\\' && this.s[this.i + 1] === '\n') this.i += 2;
      else break;
    }
  }

  value(): unknown {
    this.space();
    const c = this.s[this.i];
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.sequence(')');
    if (c === '{') return this.mapping();
    if (c === '-' || c === '+') {
      this.i++;
      this.space();
      const n = this.number();
      return c === '-' ? negate(n) : n;
    }
    if (c !== undefined && /[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (word) {
      if (/^[rRuU]$/.test(word[0]) && (this.s[this.i + 1] === "'" || this.s[this.i + 1] === '"')) return this.strings();
      if (!(word[0] in NAMES)) this.fail();
      this.i += word[0].length;
      return NAMES[word[0]];
    }
    if (c === "'" || c === '"') return this.strings();
    return this.fail();
  }

  sequence(close: string): unknown {
    this.i++;
    const items: unknown[] = [];
    let trailingComma = false;
    for (;;) {
      this.space();
      if (this.s[this.i] === close) break;
      items.push(this.value());
      this.space();
      trailingComma = false;
      if (this.s[this.i] === ',') {
        this.i++;
        trailingComma = true;
        continue;
      }
      if (this.s[this.i] !== close) this.fail();
    }
    this.i++;
    if (close === ']') return items;
    // `(x)` is x itself; `(x,)` and `(x, y)` are tuples
    if (items.length === 1 && !trailingComma) return items[0];
    return newTuple(...items);
  }

  mapping(): unknown {
    this.i++;
    const out: Record<string, unknown> = {};
    let isSet = false;
    let first = true;
    const setItems: unknown[] = [];
    for (;;) {
      this.space();
      if (this.s[this.i] === '}') break;
      const key = this.value();
      this.space();
      if (first && this.s[this.i] !== ':') isSet = true;
      first = false;
      if (isSet) {
        setItems.push(key);
      } else {
        if (this.s[this.i] !== ':') this.fail();
        this.i++;
        // Non-string keys would change type in a JavaScript object: not representable, refuse.
        if (typeof key !== 'string') throw new Error(`a mapping key of type ${typeof key} (${String(key)}) cannot be kept as Python keeps it`);
        out[key] = this.value();
      }
      this.space();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] !== '}') this.fail();
    }
    this.i++;
    if (isSet) throw new Error('a set literal cannot be kept as Python keeps it');
    return out;
  }

  number(): number | PyFloat {
    const rest = this.s.slice(this.i);
    const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?\.?)/.exec(rest);
    if (!m || m[0] === '' || m[0] === '.') this.fail();
    if (/^[jJ]/.test(rest.slice(m[0].length))) throw new Error('complex numbers are not supported');
    this.i += m[0].length;
    const t = m[0].replace(/_/g, '');
    if (/^0[xXoObB]/.test(t)) return bigCheck(Number(t));
    if (/[.eE]/.test(t)) return PyFloat.of(Number(t));
    if (/^0\d/.test(t)) this.fail(); // Python 3 refuses 0644
    return bigCheck(Number(t));
  }

  strings(): string {
    let out = '';
    let any = false;
    for (;;) {
      this.space();
      const prefix = /^[rRuU]?(?=['"])/.exec(this.s.slice(this.i));
      if (!prefix) break;
      this.i += prefix[0].length;
      out += this.string(/[rR]/.test(prefix[0]));
      any = true;
    }
    if (!any) this.fail();
    return out;
  }

  string(raw: boolean): string {
    const q = this.s.startsWith("'''", this.i) ? "'''" : this.s.startsWith('"""', this.i) ? '"""' : this.s[this.i];
    this.i += q.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail();
      if (this.s.startsWith(q, this.i)) {
        this.i += q.length;
        return out;
      }
      const c = this.s[this.i];
      if (c === '\n' && q.length === 1) this.fail();
      if (c === '\\') {
        const n = this.s[this.i + 1];
        if (raw) {
          out += c + (n ?? '');
          this.i += 2;
          continue;
        }
        this.i += 2;
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
        if (n in simple) out += simple[n];
        else if (n === 'x' || n === 'u' || n === 'U') {
          const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
          const hex = this.s.slice(this.i, this.i + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail();
          out += String.fromCodePoint(parseInt(hex, 16));
          this.i += len;
        } else if (/[0-7]/.test(n)) {
          const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.i - 1))![0];
          out += String.fromCodePoint(parseInt(oct, 8));
          this.i += oct.length - 1;
        } else out += `\\${n}`;
        continue;
      }
      out += c;
      this.i++;
    }
  }
}

function negate(n: number | PyFloat): number | PyFloat {
  return n instanceof PyFloat ? PyFloat.of(-n.valueOf()) : -n;
}

function bigCheck(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`the integer ${n} is beyond 2**53 and cannot be kept exactly`);
  return n;
}
