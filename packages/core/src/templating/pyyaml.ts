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
    return `${isScalarLike(v) ? scalar(v, 0) : flow(v)}\n`;
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
        lines.push(`${pad}- ${inlineValue(item, col + 2, opts)}`);
      }
    }
    return lines;
  }
  const d = v as Record<string, unknown>;
  const entries = sortedEntries(d);
  if (entries.length === 0) return [`${pad}{}`];
  const lines: string[] = [];
  for (const [k, item] of entries) {
    const key = scalar(k, col);
    if (isCollection(item) && !(opts.flowLeaves && isLeafCollection(item)) && !isEmpty(item)) {
      lines.push(`${pad}${key}:`);
      // PyYAML does not indent a sequence under a mapping key
      lines.push(...block(item, Array.isArray(item) ? col : col + opts.indent, opts));
    } else {
      lines.push(`${pad}${key}: ${inlineValue(item, col + key.length + 2, opts)}`);
    }
  }
  return lines;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0;
}

function inlineValue(v: unknown, col: number, opts: DumpOptions): string {
  if (isCollection(v)) return isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : flow(v);
  void opts;
  return scalar(v, col);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => flowItem(normalise(x))).join(', ')}]`;
  return `{${sortedEntries(v as Record<string, unknown>).map(([k, x]) => `${scalar(k, 0)}: ${flowItem(x)}`).join(', ')}}`;
}

function flowItem(v: unknown): string {
  if (isCollection(v)) return flow(v);
  const s = scalar(v, 0);
  // inside a flow collection PyYAML also quotes text with flow indicators
  if (typeof v === 'string' && /[,[\]{}]/.test(v) && !/^'/.test(s)) return singleQuoted(v);
  return s;
}

const RESOLVES_TO_OTHER_TYPE = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO]?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?|=|<<)$/;

function scalar(v: unknown, col: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof PyFloat) return floatRepr(v.valueOf());
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v !== 'string') throw new Error(`to_yaml: cannot print a value of type ${typeof v} as Ansible does`);
  if (v === '') return "''";
  if (/[\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]/.test(v) || /[^\x00-\x7e]/.test(v) && /[\u0080-\u00a0]/.test(v)) {
    throw new Error(`to_yaml: the string ${JSON.stringify(v)} would be printed by PyYAML in a style this engine does not reproduce`);
  }
  const plain = plainAllowed(v);
  const text = plain ? v : singleQuoted(v);
  if (col + text.length > WIDTH && v.includes(' ')) {
    throw new Error(`to_yaml: the string ${JSON.stringify(v.slice(0, 40))}... is longer than PyYAML's 80 columns and would be folded; this engine does not fold`);
  }
  return text;
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
