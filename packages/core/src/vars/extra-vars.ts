/**
 * `-e` / `--extra-vars` as ansible-playbook takes them: `key=value` pairs (several per argument,
 * shell-style quoting), `@file.yml` (YAML or JSON), or an inline JSON/YAML mapping.
 */
import { resolve } from 'node:path';
import { ValidationError, type Vars } from '../model.js';
import { readYaml, rootOf, toJS, parseYaml, hasErrors } from '../playbook/yaml-source.js';
import { isPlainObject, secretStrings } from './secret.js';

/** Split `a=1 b='two words'` into words the way a POSIX shell would (quotes removed). */
export function splitKeyValueWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // A Jinja2 expression is one piece of a word, whatever spaces it holds: path={{ base }}/x
    if (!quote && c === '{' && (text[i + 1] === '{' || text[i + 1] === '%')) {
      const close = text[i + 1] === '{' ? '}}' : '%}';
      const end = text.indexOf(close, i + 2);
      if (end >= 0) {
        cur += text.slice(i, end + 2);
        has = true;
        i = end + 1;
        continue;
      }
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (has || cur) words.push(cur);
  return words;
}

export function parseExtraVars(args: readonly string[], baseDir = process.cwd()): Vars {
  const out: Vars = {};
  for (const raw of args) {
    const arg = raw.trim();
    if (arg === '') continue;
    if (arg.startsWith('@')) {
      const file = resolve(baseDir, arg.slice(1));
      const src = readYaml(file, undefined, 'extra vars file');
      if (hasErrors(src)) throw new ValidationError(src.diagnostics);
      const value = toJS(src, rootOf(src));
      if (value === null) continue;
      if (!isPlainObject(value)) throw new ValidationError([{ severity: 'error', message: `extra vars file ${file} must hold a mapping`, pos: { file, line: 1, col: 1 } }]);
      Object.assign(out, src.vaulted ? secretStrings(value) : value);
    } else if (arg.startsWith('{') || arg.startsWith('[')) {
      const src = parseYaml('<extra vars>', arg);
      if (hasErrors(src)) {
        throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: ${src.diagnostics[0].message}` }]);
      }
      const value = toJS(src, rootOf(src));
      if (!isPlainObject(value)) throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: expected a mapping` }]);
      Object.assign(out, value);
    } else {
      let words: string[];
      try {
        words = splitKeyValueWords(arg);
      } catch (e) {
        throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: ${(e as Error).message}` }]);
      }
      for (const w of words) {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: expected key=value, @file or a JSON/YAML mapping, got ${JSON.stringify(w)}` }]);
        out[w.slice(0, eq)] = w.slice(eq + 1);
      }
    }
  }
  return out;
}
