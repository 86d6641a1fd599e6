/**
 * YAML as Ansible's to_yaml / to_nice_yaml print it (PyYAML's yaml.dump with AnsibleDumper): keys
 * sorted, sequences inside a mapping not indented ("indentless"), a sequence item's mapping starting on
 * the dash line, `indent` columns per level, strings quoted with single quotes when PyYAML would quote
 * them. flow: to_yaml's default_flow_style=None prints innermost collections inline (`a: [1, 2]`).
 * What this emitter cannot reproduce exactly (strings PyYAML folds at 80 columns or prints in double
 * quotes, non-string keys) is refused with an error rather than printed differently.
 */
import { isPlainObject, SecretString } from '../vars/secret.js';
import { floatRepr, PyFloat } from './pytypes.js';
import { assertDefined } from './undefined.js';

export interface DumpOptions {
  indent: number;
  /** to_yaml: leaf collections inline; to_nice_yaml: block style everywhere. */
  flowLeaves: boolean;
}

const WIDTH = 80;

export function pyYamlDump(value: unknown, opts: DumpOptions): string {
  const v = normalise(value);
  if (isScalarLike(v) || (opts.flowLeaves && isLeafCollection(v))) {
    return `${isScalarLike(v) ? scalar(v, 0, opts.indent) : flowChecked(v, 0, opts.indent)}\n`;
  }
  return block(v, 0, opts).join('\n') + '\n';
}

function normalise(v: unknown): unknown {
  assertDefined(v);
  if (v instanceof SecretString) return v.value;
  return v;
}

function isScalarLike(v: unknown): boolean {
  return v === null || typeof v !== 'object' || v instanceof PyFloat;
}

function isCollection(v: unknown): v is unknown[] | Record<string, unknown> {
  return Array.isArray(v) || isPlainObject(v);
}

function isLeafCollection(v: unknown): boolean {
  const items = Array.isArray(v) ? v : isPlainObject(v) ? Object.values(v) : undefined;
  return items !== undefined && items.every((x) => !isCollection(normalise(x)));
}

function sortedEntries(d: Record<string, unknown>): [string, unknown][] {
  return Object.keys(d)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => [k, normalise(d[k])]);
}

/** Block lines of a collection at column `col`. */
function block(v: unknown, col: number, opts: DumpOptions): string[] {
  const pad = ' '.repeat(col);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}[]`];
    const lines: string[] = [];
    for (const raw of v) {
      const item = normalise(raw);
      if (isCollection(item) && !(opts.flowLeaves && isLeafCollection(item)) && !isEmpty(item)) {
        // the item's first line goes on the dash line, indented to the next level
        const inner = block(item, col + opts.indent, opts);
        const first = inner[0].slice(col + opts.indent);
        lines.push(`${pad}-${' '.repeat(opts.indent - 1)}${first}`, ...inner.slice(1));
      } else {
        lines.push(`${pad}- ${inlineValue(item, col + 2, col + opts.indent)}`);
      }
    }
    return lines;
  }
  const d = v as Record<string, unknown>;
  const entries = sortedEntries(d);
  if (entries.length === 0) return [`${pad}{}`];
  const lines: string[] = [];
  for (const [k, item] of entries) {
    const key = simpleKey(k);
    if (isCollection(item) && !(opts.flowLeaves && isLeafCollection(item)) && !isEmpty(item)) {
      lines.push(`${pad}${key}:`);
      // PyYAML does not indent a sequence under a mapping key
      lines.push(...block(item, Array.isArray(item) ? col : col + opts.indent, opts));
    } else {
      lines.push(`${pad}${key}: ${inlineValue(item, col + key.length + 2, col + opts.indent)}`);
    }
  }
  return lines;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0;
}

/** A value written after `key: ` or `- ` at column `col`; continuation lines are indented to `indent`. */
function inlineValue(v: unknown, col: number, indent: number): string {
  if (isCollection(v)) return isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : flowChecked(v, col, indent);
  return scalar(v, col, indent);
}

/** A flow collection (to_yaml's leaves) from column `col`, wrapped as PyYAML wraps it past 80 columns. */
function flowChecked(v: unknown, col: number, indent = col): string {
  const open = Array.isArray(v) ? '[' : '{';
  const items = Array.isArray(v) ? v.map((x) => flowItem(normalise(x))) : sortedEntries(v as Record<string, unknown>).map(([k, x]) => `${simpleKey(k)}: ${flowItem(x)}`);
  let out = open;
  let column = col + 1;
  items.forEach((item, i) => {
    if (i > 0) {
      out += ',';
      column += 1;
    }
    // before an item, past the width: a new line at the collection's indent (write_indent)
    if (column > WIDTH) {
      out += '\n' + ' '.repeat(indent);
      column = indent;
    } else if (i > 0) {
      out += ' ';
      column += 1;
    }
    if (item.includes(' ') && column + item.length > WIDTH) throw new Error(`to_yaml: the item ${item.slice(0, 40)} would be folded inside an inline collection; this engine does not reproduce that`);
    out += item;
    column += item.length;
  });
  return `${out}${Array.isArray(v) ? ']' : '}'}`;
}

/** A mapping key: never folded. */
function simpleKey(k: string): string {
  if (k.includes('\n') || k.length > 128) throw new Error(`to_yaml: the key ${JSON.stringify(k.slice(0, 40))} would be printed as a complex key, which this engine does not reproduce`);
  return scalar(k, 0, 0, false);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => flowItem(normalise(x))).join(', ')}]`;
  return `{${sortedEntries(v as Record<string, unknown>).map(([k, x]) => `${simpleKey(k)}: ${flowItem(x)}`).join(', ')}}`;
}

function flowItem(v: unknown): string {
  if (isCollection(v)) return flow(v);
  const s = scalar(v, 0, 0, false);
  // inside a flow collection PyYAML also quotes text with flow indicators
  if (typeof v === 'string' && /[,[\]{}]/.test(v) && !/^'/.test(s)) return singleQuoted(v);
  return s;
}

const RESOLVES_TO_OTHER_TYPE = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO]?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?|=|<<)$/;

/**
 * A scalar as PyYAML writes it starting at column `col`: plain when allowed, else single-quoted; long
 * text with single spaces is folded past 80 columns onto lines indented to `indent` (write_plain and
 * write_single_quoted). `split` false: never folded (keys, flow items).
 */
function scalar(v: unknown, col: number, indent: number, split = true): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof PyFloat) return floatRepr(v.valueOf());
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v !== 'string') throw new Error(`to_yaml: cannot print a value of type ${typeof v} as Ansible does`);
  if (v === '') return "''";
  // non-printable characters, or a space next to a line break: PyYAML uses double quotes (not reproduced)
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\r\t]/.test(v) || / \n|\n /.test(v)) {
    throw new Error(`to_yaml: the string ${JSON.stringify(v.slice(0, 40))} would be printed by PyYAML in double quotes, which this engine does not reproduce`);
  }
  if (!v.includes('\n') && plainAllowed(v)) return split ? fold(v, col, indent, false) : v;
  return split ? fold(v, col, indent, true) : singleQuoted(v);
}

/** PyYAML's write_plain / write_single_quoted with split on, at best_width 80. */
function fold(text: string, col: number, indent: number, quoted: boolean): string {
  let out = quoted ? "'" : '';
  let column = col + (quoted ? 1 : 0);
  const newline = () => {
    out += '\n' + ' '.repeat(indent);
    column = indent;
  };
  let spaces = false;
  let breaks = false;
  let start = 0;
  for (let end = 0; end <= text.length; end++) {
    const ch = end < text.length ? text[end] : undefined;
    if (spaces) {
      if (ch !== ' ') {
        if (start + 1 === end && column > WIDTH && (!quoted || (start !== 0 && end !== text.length))) newline();
        else {
          out += text.slice(start, end);
          column += end - start;
        }
        start = end;
      }
    } else if (breaks) {
      if (ch === undefined || ch !== '\n') {
        if (text[start] === '\n') out += '\n';
        for (let k = start; k < end; k++) out += '\n';
        out += ' '.repeat(indent);
        column = indent;
        start = end;
      }
    } else if (ch === undefined || ch === ' ' || ch === '\n' || (quoted && ch === "'")) {
      if (start < end) {
        out += text.slice(start, end);
        column += end - start;
        start = end;
      }
    }
    if (quoted && ch === "'") {
      out += "''";
      column += 2;
      start = end + 1;
    }
    if (ch !== undefined) {
      spaces = ch === ' ';
      breaks = ch === '\n';
    }
  }
  return quoted ? `${out}'` : out;
}

function singleQuoted(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** PyYAML's analyze_scalar, for the cases that matter: may this string be printed without quotes? */
function plainAllowed(v: string): boolean {
  if (RESOLVES_TO_OTHER_TYPE.test(v)) return false;
  if (/^\s|\s$/.test(v)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(v) && !(/^[-?:]/.test(v) && v.length > 1 && !/^[-?:]\s/.test(v))) return false;
  if (/: |:$| #/.test(v)) return false;
  if (/[,[\]{}]/.test(v) && false) return false;
  return true;
}
