/**
 * Python's `str.format` / `str.format_map` for templates: fields `{}`, `{0}`, `{name}`, with attribute
 * and index chains (`{0.attr}`, `{0[key]}`, `{x[0]}`), the `!s` / `!r` conversions and the format
 * spec mini-language (fill, align, sign, `#`, `0`, width, `,`/`_`, precision; types s d b o x X e E f F %),
 * read the way Python's string.Formatter reads them. Other spec types are refused rather than ignored.
 * `Markup.format` (a `|safe` string) escapes each value that is not markup itself: `escapeValue`.
 */
import { pyRepr, pyStr } from './python.js';
import { typeName } from './filters.js';
import { PyFloat } from './pytypes.js';

export interface FormatHooks {
  /** Jinja2's attribute/item lookup (a missing one gives an Undefined that fails when printed). */
  getAttr(obj: unknown, key: string | number): unknown;
  /** Python's getattr (not getitem): false when `key` is a dict key rather than an attribute. */
  hasAttribute(obj: unknown, key: string): boolean;
  /** For Markup.format: the text a substituted value contributes. */
  escapeValue?(value: unknown, text: string): string;
}

/** One replacement field's name: the argument, then `.attr` and `[index]` steps. */
type Step = { attr: string } | { item: string | number };

function parseFieldName(name: string): { arg: string; steps: Step[] } {
  const m = /^[^.[]*/.exec(name)!;
  const steps: Step[] = [];
  let rest = name.slice(m[0].length);
  while (rest) {
    const attr = /^\.([^.[]+)/.exec(rest);
    if (attr) {
      steps.push({ attr: attr[1] });
      rest = rest.slice(attr[0].length);
      continue;
    }
    const index = /^\[([^\]]+)\]/.exec(rest);
    if (!index) throw new Error(`str.format: the field {${name}} is not a valid field name`);
    steps.push({ item: /^\d+$/.test(index[1]) ? Number(index[1]) : index[1] });
    rest = rest.slice(index[0].length);
  }
  return { arg: m[0], steps };
}

export function pyFormat(template: string, positional: unknown[], named: Record<string, unknown>, hooks: FormatHooks): string {
  let auto = 0;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      out += c;
      i += 2;
      continue;
    }
    if (c === '}') throw new Error("str.format: Single '}' encountered in format string");
    if (c !== '{') {
      out += c;
      i++;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end < 0) throw new Error("str.format: Single '{' encountered in format string");
    const field = template.slice(i + 1, end);
    i = end + 1;
    const conv = /^(.*?)(?:!([rsa]))?(?::(.*))?$/s.exec(field)!;
    const { arg, steps } = parseFieldName(conv[1]);
    let value: unknown;
    if (arg === '') value = positional[auto++];
    else if (/^\d+$/.test(arg)) value = positional[Number(arg)];
    else if (Object.prototype.hasOwnProperty.call(named, arg)) value = named[arg];
    else throw new Error(`str.format: no value for the field {${field}} (KeyError: '${arg}')`);
    if (value === undefined) throw new Error(`str.format: Replacement index ${arg || auto - 1} out of range for positional args tuple`);
    for (const step of steps) {
      if ('attr' in step && !hooks.hasAttribute(value, step.attr)) throw new Error(`str.format: AttributeError: '${typeName(value)}' object has no attribute '${step.attr}'`);
      value = hooks.getAttr(value, 'attr' in step ? step.attr : step.item);
    }
    const spec = conv[3] ?? '';
    const converted = conv[2] === 'r' || conv[2] === 'a' ? pyRepr(value) : conv[2] === 's' ? pyStr(value) : undefined;
    const text = spec === '' ? (converted ?? pyStr(value)) : formatSpec(converted ?? value, spec, field);
    out += hooks.escapeValue ? hooks.escapeValue(value, text) : text;
  }
  return out;
}

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** Python's format(value, spec) for the common spec types; anything else is refused, naming the field. */
function formatSpec(value: unknown, spec: string, field: string): string {
  const m = SPEC.exec(spec);
  const refuse = (why: string): never => {
    throw new Error(`str.format: {${field}}: ${why}`);
  };
  if (!m) refuse(`the format spec '${spec}' is not supported by this engine`);
  const [, fillChar, alignChar, sign, alt, zero, widthText, group, precText, type] = m!;
  const width = widthText ? Number(widthText) : 0;
  const precision = precText !== undefined ? Number(precText) : undefined;
  const numeric = typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat;
  let body: string;
  let negative = false;
  if (type === undefined && !numeric) {
    if (sign || alt || group) refuse(`sign, '#' and grouping are not allowed in a string format spec`);
    const s = pyStr(value);
    body = precision !== undefined ? s.slice(0, precision) : s;
  } else if (type === 's') {
    if (numeric) refuse(`Unknown format code 's' for a number`);
    const s = pyStr(value);
    body = precision !== undefined ? s.slice(0, precision) : s;
  } else {
    if (!numeric) refuse(`Unknown format code '${type ?? ''}' for object of type 'str'`);
    const n = Number(value);
    negative = n < 0 || Object.is(n, -0);
    const a = Math.abs(n);
    const isInteger = Number.isInteger(n) && !(value instanceof PyFloat);
    const groupDigits = (digits: string): string => (group ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, group) : digits);
    const groupFixed = (t: string): string => {
      const [int, frac] = t.split('.');
      return groupDigits(int) + (frac !== undefined ? `.${frac}` : '');
    };
    switch (type) {
      case 'd':
        if (!isInteger) refuse(`Unknown format code 'd' for object of type 'float'`);
        body = groupDigits(String(a));
        break;
      case 'b':
      case 'o':
      case 'x':
      case 'X': {
        if (!isInteger) refuse(`Unknown format code '${type}' for object of type 'float'`);
        const radix = type === 'b' ? 2 : type === 'o' ? 8 : 16;
        body = a.toString(radix);
        if (type === 'X') body = body.toUpperCase();
        if (alt) body = `0${type === 'b' ? 'b' : type === 'o' ? 'o' : type}${body}`;
        break;
      }
      case 'e':
      case 'E': {
        const [mant, exp] = a.toExponential(precision ?? 6).split('e');
        const e = Number(exp);
        body = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
        if (type === 'E') body = body.toUpperCase();
        break;
      }
      case 'f':
      case 'F':
        body = groupFixed(a.toFixed(precision ?? 6));
        break;
      case '%':
        body = `${groupFixed((a * 100).toFixed(precision ?? 6))}%`;
        break;
      case undefined:
        if (precision !== undefined) refuse(`a precision without a type is not supported by this engine`);
        body = isInteger ? groupDigits(String(a)) : groupFixed(pyStr(a));
        break;
      default:
        refuse(`the format type '${type}' is not supported by this engine`);
    }
  }
  const signText = numeric || type !== undefined ? (negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '') : '';
  const fill = fillChar ?? (zero && !alignChar ? '0' : ' ');
  const align = alignChar ?? (zero ? '=' : numeric ? '>' : '<');
  const total = signText.length + body!.length;
  const pad = Math.max(0, width - total);
  switch (align) {
    case '<':
      return signText + body! + fill.repeat(pad);
    case '>':
      return fill.repeat(pad) + signText + body!;
    case '^':
      return fill.repeat(Math.floor(pad / 2)) + signText + body! + fill.repeat(pad - Math.floor(pad / 2));
    default:
      return signText + fill.repeat(pad) + body!;
  }
}
