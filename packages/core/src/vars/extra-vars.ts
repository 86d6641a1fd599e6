/**
 * `-e` / `--extra-vars` as ansible-playbook takes them: `@file.yml` (YAML or JSON), an inline JSON/YAML
 * mapping (starting with `{` or `[`), or `key=value` words read by Ansible's parse_kv rules
 * (playbook/kv-args.ts: quotes inside a value are kept, one pair of outer quotes goes, escapes decoded).
 * Unlike Ansible, a word without `=` is an error (Ansible stores it in a variable named `_raw_params`).
 */
import { resolve } from 'node:path';
import { ValidationError, type Vars } from '../model.js';
import { readYaml, rootOf, toJS, parseYaml, hasErrors } from '../playbook/yaml-source.js';
import { isPlainObject, secretStrings } from './secret.js';
import { parseKv } from '../playbook/kv-args.js';

export function parseExtraVars(args: readonly string[], baseDir = process.cwd()): Vars {
  const out: Vars = {};
  for (const arg of args) {
    if (arg === '') continue;
    if (arg.startsWith('@')) {
      const file = resolve(baseDir, arg.slice(1));
      const src = readYaml(file, undefined, 'extra vars file');
      if (hasErrors(src)) throw new ValidationError(src.diagnostics);
      const value = toJS(src, rootOf(src));
      if (value === null) continue;
      if (!isPlainObject(value)) throw new ValidationError([{ severity: 'error', message: `extra vars file ${file} must hold a mapping`, pos: { file, line: 1, col: 1 } }]);
      Object.assign(out, src.vaulted ? secretStrings(value) : value);
    } else if (arg.startsWith('/') || arg.startsWith('.')) {
      throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: a file of extra vars is written @${arg}` }]);
    } else if (arg.startsWith('{') || arg.startsWith('[')) {
      const src = parseYaml('<extra vars>', arg);
      if (hasErrors(src)) {
        throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: ${src.diagnostics[0].message}` }]);
      }
      const value = toJS(src, rootOf(src));
      if (!isPlainObject(value)) throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: expected a mapping` }]);
      Object.assign(out, value);
    } else {
      let pairs: Record<string, string>;
      try {
        pairs = parseKv(arg);
      } catch (e) {
        throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: ${(e as Error).message}` }]);
      }
      const { _raw_params: raw, ...vars } = pairs;
      if (raw !== undefined) {
        throw new ValidationError([{ severity: 'error', message: `-e ${JSON.stringify(arg)}: expected key=value, @file or a JSON/YAML mapping, got ${JSON.stringify(raw)}` }]);
      }
      Object.assign(out, vars);
    }
  }
  return out;
}
