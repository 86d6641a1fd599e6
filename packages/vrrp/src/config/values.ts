import type { DiagnosticSink } from './diagnostics.js';
import type { Statement } from './tree.js';
import type { Token } from './lexer.js';
import { isIpv4 } from '../protocol/address.js';

/** Reads typed values out of statements, reporting malformed ones as errors at their token. */
export class ValueReader {
  constructor(private readonly sink: DiagnosticSink) {}

  /** The single argument of `keyword VALUE`; extra words are a warning. */
  one(s: Statement): Token | undefined {
    const [first, ...rest] = s.args;
    if (!first) {
      this.sink.error(s.keyword, `${s.keyword.value} needs a value`);
      return undefined;
    }
    if (rest.length > 0) this.sink.warning(rest[0], `${s.keyword.value}: extra words ignored: ${rest.map((t) => t.value).join(' ')}`);
    return first;
  }

  /** `keyword` with no value (a flag such as nopreempt). */
  flag(s: Statement): true {
    if (s.args.length > 0) this.sink.warning(s.args[0], `${s.keyword.value} takes no value; ignored: ${s.args.map((t) => t.value).join(' ')}`);
    return true;
  }

  string(s: Statement): string | undefined {
    return this.one(s)?.value;
  }

  integer(s: Statement, min: number, max: number, token = this.one(s)): number | undefined {
    if (!token) return undefined;
    if (!/^[+-]?\d+$/.test(token.value)) {
      this.sink.error(token, `${s.keyword.value}: '${token.value}' is not an integer`);
      return undefined;
    }
    const value = Number(token.value);
    if (value < min || value > max) {
      this.sink.error(token, `${s.keyword.value}: ${value} is out of range ${min}..${max}`);
      return undefined;
    }
    return value;
  }

  /** A decimal number of seconds, returned in milliseconds. */
  seconds(s: Statement, minSeconds: number, maxSeconds: number, token = this.one(s)): number | undefined {
    if (!token) return undefined;
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(token.value)) {
      this.sink.error(token, `${s.keyword.value}: '${token.value}' is not a number of seconds`);
      return undefined;
    }
    const value = Number(token.value);
    if (value < minSeconds || value > maxSeconds) {
      this.sink.error(token, `${s.keyword.value}: ${token.value} s is out of range ${minSeconds}..${maxSeconds} s`);
      return undefined;
    }
    return Math.round(value * 1000);
  }

  ipv4(s: Statement, token = this.one(s)): string | undefined {
    if (!token) return undefined;
    if (!isIpv4(token.value)) {
      this.sink.error(token, `${s.keyword.value}: '${token.value}' is not an IPv4 address`);
      return undefined;
    }
    return token.value;
  }

  /** keepalived's boolean words, for keywords that take an optional on/off. */
  optionalBoolean(s: Statement): boolean | undefined {
    const token = s.args[0];
    if (!token) return true;
    const word = token.value.toLowerCase();
    if (['on', 'true', 'yes'].includes(word)) return true;
    if (['off', 'false', 'no'].includes(word)) return false;
    this.sink.error(token, `${s.keyword.value}: '${token.value}' is not on/off/true/false/yes/no`);
    return undefined;
  }

  /** A block is expected (virtual_ipaddress { ... }). */
  block(s: Statement): Statement[] {
    if (!s.block) {
      this.sink.error(s.keyword, `${s.keyword.value} needs a { ... } block`);
      return [];
    }
    return s.block;
  }

  /** The rest of the line as one command (quoted or not). */
  commandLine(s: Statement): string | undefined {
    if (s.args.length === 0) {
      this.sink.error(s.keyword, `${s.keyword.value} needs a script`);
      return undefined;
    }
    return s.args.map((t) => (t.quoted && s.args.length > 1 ? `"${t.value}"` : t.value)).join(' ');
  }
}
