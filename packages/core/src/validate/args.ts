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
import { acceptsRawParams, isFreeFormModule, parseKv, splitArgs } from '../playbook/kv-args.js';
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
  out?: z.ZodType;
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
    case 'pipe': {
      // A preprocessing step (argument aliases) sits before the object: read the keys after it.
      const before = schemaKeys(def.in);
      return before.length ? before : schemaKeys(def.out);
    }
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

/** A module of Ansible's own (it answers to `ansible.builtin.<name>`), not one of this project's. */
function isAnsibleModule(def: Pick<ModuleDefinition, 'aliases'>): boolean {
  return (def.aliases ?? []).some((a) => a.startsWith('ansible.builtin.'));
}

/**
 * A module's arguments written as one string, read as Ansible reads them (playbook/kv-args.ts):
 *  - command/shell: the text is the command, except the options those modules read inside it
 *    (`creates=`, `removes=`, `chdir=`, `executable=`, `stdin=`...), which are never part of it;
 *  - every other module: each `key=value` word is an argument (checked against the module's spec
 *    like any other); free text is an error, as in Ansible ("extra params"), except for the modules
 *    Ansible lets take it (meta, set_fact, include_*...) and this project's own free-form modules,
 *    which receive it under their free-form key;
 *  - free text that is a template (`"{{ host_data }}"`) stands for a mapping of arguments, known when
 *    the task runs (`variableParams`, Ansible's _variable_params).
 * `{{ }}`, `{% %}` and quotes stay whole inside a word.
 */
export function argsFromString(
  text: string,
  def: Pick<ModuleDefinition, 'args' | 'freeFormKey' | 'aliases'> & { name?: string },
  module = def.name ?? '',
): { args?: Vars; error?: string; variableParams?: string } {
  let parsed: Record<string, string>;
  try {
    parsed = parseKv(text, isFreeFormModule(module));
  } catch (e) {
    return { error: `cannot read the arguments: ${(e as Error).message}` };
  }
  const { _raw_params: raw, ...options } = parsed;
  if (raw === undefined || raw === '') return { args: options };
  const takesText = isFreeFormModule(module) || acceptsRawParams(module) || !isAnsibleModule(def);
  if (def.freeFormKey && takesText) return { args: { [def.freeFormKey]: raw, ...options } };
  // A template standing for the arguments (`add_host: "{{ host_data }}"`): Ansible's variable params,
  // a mapping known when the task runs, under the key=value words written beside it.
  if (isTemplate(raw)) return { args: options, variableParams: raw };
  const word = splitArgs(raw)[0] ?? raw;
  return { error: `takes key=value arguments or a mapping, not free text ('${word.trim()}')` };
}

/**
 * The string arguments after a templated module name (`action: "{{ m }} a=1"`): Ansible parses them
 * without knowing the module, so every `key=value` word is an argument and free text is refused unless
 * it is a template (a mapping of arguments, its variable params).
 */
export function wordsOfTemplatedName(text: string): { args?: Vars; error?: string; variableParams?: string } {
  let parsed: Record<string, string>;
  try {
    parsed = parseKv(text, false);
  } catch (e) {
    return { error: `cannot read the arguments: ${(e as Error).message}` };
  }
  const { _raw_params: raw, ...args } = parsed;
  if (raw === undefined || raw === '') return { args };
  if (isTemplate(raw)) return { args, variableParams: raw };
  return { error: `has free text in its arguments ('${(splitArgs(raw)[0] ?? raw).trim()}'): after a templated module name Ansible takes key=value arguments only (free text needs the module named, as in 'command: ...')` };
}

/** The arguments as the module will receive them (strings read by argsFromString). */
export function argsObject(task: Task, def: ModuleDefinition): { args?: Vars; error?: string; variableParams?: string } {
  if (typeof task.args !== 'string') return { args: task.args };
  const r = argsFromString(task.args, def, task.module);
  return r.error ? { error: `module '${task.module}' ${r.error}` } : r;
}

/** Arguments given by a template (the words' or the `args:` keyword's): known only when the task runs. */
export function argsTemplateOf(task: Task, def: ModuleDefinition): string | undefined {
  if (typeof task.deferredArgs === 'string') return task.deferredArgs;
  return argsObject(task, def).variableParams;
}

/** The arguments as a mapping before templating, so each value is rendered on its own (as Ansible does). */
export function argsBeforeRendering(task: Task, def: ModuleDefinition): Vars {
  const { args, error } = argsObject(task, def);
  if (error || !args) throw new Error(error ?? `module '${task.module}': bad arguments`);
  return args;
}

function plainMessage(message: string): string {
  return message.replace(/^Invalid (?:input|option|value|type|key|element)?: /, '');
}

/**
 * `defaults`: the task's module_defaults for this module (a mapping under the task's arguments, or a
 * template known only at run time, which leaves missing arguments to be checked then).
 */
export function validateArgs(task: Task, def: ModuleDefinition, defaults?: Vars | string): Diagnostic[] {
  const pos = taskPositions(task);
  const out: Diagnostic[] = [];
  const name = task.module;
  const err = (message: string, at = pos.module) => out.push({ severity: 'error', message, pos: at, task: task.name });
  const { args: own, error } = argsObject(task, def);
  if (error || !own) {
    err(error ?? `module '${name}': bad arguments`, pos.args);
    return out;
  }
  const args = isPlainObject(defaults) ? { ...defaults, ...own } : own;
  const templated = containsTemplate(args) || typeof defaults === 'string';
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
      // The issue names the option, the task may have used an alias of it (slurp `path:` for `src`):
      // the value cannot be located, so a templated task is left to be checked once rendered.
      const absent = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
      if (path.length && !(String(path[0]) in args) && templated && !absent) continue;
      if (path.length === 0) {
        if (!templated) err(`module '${name}': ${plainMessage(issue.message)}`, pos.args);
        continue;
      }
      const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message) && args[argName!] === undefined;
      // A templated module_defaults value may give it: known only at run time.
      if (missing && typeof defaults === 'string') continue;
      if (missing && path.length === 1) {
        err(`missing required argument '${argName}' for module '${name}'`);
        continue;
      }
      // Given by an alias (`dest: "{{ conf }}"` for `path`), the value is checked under the option's
      // name: a templated alias value is known only at run time, like any templated value.
      if (!Object.hasOwn(args, argName!) && Object.keys(args).some((k) => !known.includes(k) && containsTemplate(args[k]))) continue;
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
