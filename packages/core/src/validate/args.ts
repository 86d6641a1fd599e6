/**
 * Module arguments against the module's zod schema, before any host is touched. Arguments that hold a
 * template can only be checked for their keys (their value is known per host at run time): issues on a
 * templated value, or schema-wide refinements while some value is templated, are left to run time.
 */
import type { z } from 'zod';
import type { ModuleDefinition } from '../contract/module.js';
import type { Diagnostic, Task, Vars } from '../model.js';
import { taskPositions } from '../playbook/positions.js';
import { isTemplate } from '../templating/engine.js';
import { splitKeyValueWords } from '../vars/extra-vars.js';
import { isPlainObject, revealSecrets } from '../vars/secret.js';
import { didYouMean } from './suggest.js';

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: string;
  errors?: ZodIssueLike[][];
}

interface ZodDefLike {
  type: string;
  shape?: Record<string, z.ZodType>;
  in?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
}

function defOf(schema: unknown): ZodDefLike | undefined {
  return (schema as { _zod?: { def?: ZodDefLike } })?._zod?.def;
}

/** Every argument name the schema knows (through pipes, unions, optional wrappers). */
export function schemaKeys(schema: unknown): string[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case 'object':
      return Object.keys(def.shape ?? {});
    case 'pipe':
      return schemaKeys(def.in);
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return schemaKeys(def.innerType);
    case 'union':
      return [...new Set((def.options ?? []).flatMap(schemaKeys))];
    case 'intersection':
      return [...new Set([...schemaKeys(def.left), ...schemaKeys(def.right)])];
    default:
      return [];
  }
}

export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isPlainObject(value)) return Object.entries(value).some(([k, v]) => isTemplate(k) || containsTemplate(v));
  return false;
}

/** Is the value at `path` (or any value on the way to it) a template? */
function templatedAt(args: unknown, path: PropertyKey[]): boolean {
  let cur: unknown = args;
  for (const key of path) {
    if (typeof cur === 'string' && isTemplate(cur)) return true;
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return containsTemplate(cur);
}

/**
 * A module's arguments written as one string, read the way Ansible users expect:
 *  - only `key=value` words, all of them arguments the module knows -> a mapping
 *    (`debug: msg="hi there"`, `service: name=nginx state=started`);
 *  - otherwise, for a free-form module, the text is the free-form value, except `key=value` words
 *    naming its other arguments (`command: make install chdir=/src creates=/usr/bin/x`);
 *  - otherwise key=value words are required.
 * `{{ }}` expressions stay whole inside a word.
 */
export function argsFromString(text: string, def: Pick<ModuleDefinition, 'args' | 'freeFormKey'>): { args?: Vars; error?: string } {
  const known = new Set(schemaKeys(def.args));
  let words: string[] | undefined;
  try {
    words = splitKeyValueWords(text);
  } catch {
    words = undefined;
  }
  const pairs = words?.map((w) => {
    const eq = w.indexOf('=');
    return eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.slice(0, eq)) ? [w.slice(0, eq), w.slice(eq + 1)] as const : undefined;
  });
  const allPairs = pairs !== undefined && pairs.length > 0 && pairs.every((p) => p !== undefined);
  if (allPairs && (!def.freeFormKey || pairs.every((p) => known.has(p![0])))) {
    return { args: Object.fromEntries(pairs.map((p) => p!)) };
  }
  if (def.freeFormKey) {
    const extracted: Vars = {};
    const special = [...known].filter((k) => k !== def.freeFormKey);
    let rest = text;
    if (special.length) {
      const re = new RegExp(`(^|\\s)(${special.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})=("(?:[^"\\\\]|\\\\.)*"|'[^']*'|\\S+)`, 'g');
      rest = text.replace(re, (_m, lead: string, key: string, value: string) => {
        extracted[key] = /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
        return lead;
      });
    }
    return { args: { [def.freeFormKey]: rest.trim(), ...extracted } };
  }
  if (words === undefined) return { error: `cannot split the arguments: unbalanced quotes` };
  const bad = words.find((w, i) => pairs![i] === undefined);
  return { error: `takes key=value arguments or a mapping, not free text ('${bad}')` };
}

/** The arguments as the module will receive them (strings read by argsFromString). */
export function argsObject(task: Task, def: ModuleDefinition): { args?: Vars; error?: string } {
  if (typeof task.args !== 'string') return { args: task.args };
  const r = argsFromString(task.args, def);
  return r.error ? { error: `module '${task.module}' ${r.error}` } : r;
}

function plainMessage(message: string): string {
  return message.replace(/^Invalid (?:input|option|value|type|key|element)?: /, '');
}

export function validateArgs(task: Task, def: ModuleDefinition): Diagnostic[] {
  const pos = taskPositions(task);
  const out: Diagnostic[] = [];
  const name = task.module;
  const err = (message: string, at = pos.module) => out.push({ severity: 'error', message, pos: at, task: task.name });
  const { args, error } = argsObject(task, def);
  if (error || !args) {
    err(error ?? `module '${name}': bad arguments`, pos.args);
    return out;
  }
  const templated = containsTemplate(args);
  const known = schemaKeys(def.args);
  const parsed = (def.args as z.ZodType).safeParse(revealSecrets(args));
  if (parsed.success) return out;
  const report = (issues: ZodIssueLike[]): void => {
    for (const issue of issues) {
      const path = issue.path;
      const argName = path.length ? String(path[0]) : undefined;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys ?? []) {
          const at = path.length === 0 ? (pos.argKeys[key] ?? pos.args) : (pos.argValues[String(path[0])] ?? pos.args);
          const where = path.length ? ` in '${path.join('.')}'` : '';
          err(`unknown argument '${key}'${where} for module '${name}'${path.length === 0 ? didYouMean(key, known) : ''}`, at);
        }
        continue;
      }
      if (issue.code === 'invalid_union' && issue.errors?.length) {
        // Report the branch that came closest (fewest issues).
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
        report(best.map((i) => ({ ...i, path: [...path, ...i.path] })));
        continue;
      }
      if (templatedAt(args, path)) continue;
      if (path.length === 0) {
        if (!templated) err(`module '${name}': ${plainMessage(issue.message)}`, pos.args);
        continue;
      }
      const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message) && args[argName!] === undefined;
      if (missing && path.length === 1) {
        err(`missing required argument '${argName}' for module '${name}'`);
        continue;
      }
      const at = pos.argValues[argName!] ?? pos.args;
      err(`module '${name}', argument '${path.join('.')}': ${plainMessage(issue.message)}`, at);
    }
  };
  report(parsed.error.issues as unknown as ZodIssueLike[]);
  // "unknown argument 'dset', did you mean 'dest'?" already says it: drop "missing required argument 'dest'".
  const suggested = new Set(out.map((d) => /did you mean '([^']+)'\?$/.exec(d.message)?.[1]).filter(Boolean));
  return out.filter((d) => {
    const missing = /^missing required argument '([^']+)'/.exec(d.message);
    return !(missing && suggested.has(missing[1]));
  });
}
