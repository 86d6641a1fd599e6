/**
 * Tasks whose module or arguments are known only when they run, as Ansible resolves them then: a
 * templated module name (`action: "{{ ansible_facts.pkg_mgr }}"`, `local_action: "{{ m }} a=b"`) and
 * arguments given by one template standing for a mapping (`add_host: "{{ host_data }}"`,
 * `args: "{{ opts }}"`, Ansible's variable params). Per host and loop item the name and the template
 * are rendered, then the module is looked up and the arguments checked with the validator static
 * validation uses; a problem fails the task on that host, naming where it was written. Nothing here
 * knows a particular module.
 */
import type { ModuleDefinition, ModuleRegistry } from '../contract/module.js';
import type { ModuleDefaultsEntry, SourcePos, Task, Vars } from '../model.js';
import { setTaskPositions, taskPositions } from '../playbook/positions.js';
import { isTemplate } from '../templating/engine.js';
import { argsFromString, argsTemplateOf, validateArgs } from '../validate/args.js';
import { didYouMean } from '../validate/suggest.js';
import { knownElsewhere } from '../validate/validate.js';
import { isPlainObject } from '../vars/secret.js';
import { moduleDefaultsFor } from './module-defaults.js';

/** Why a task's module or arguments, once rendered, cannot run; `pos` is where they were written. */
export class TaskResolutionError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
  ) {
    super(message);
  }
}

/** Does the task need resolving when it runs (its module name or its arguments are a template)? */
export function isDynamicTask(task: Task, module: ModuleDefinition | undefined): boolean {
  if (isTemplate(task.module) || task.deferredArgs !== undefined) return true;
  return module !== undefined && argsTemplateOf(task, module) !== undefined;
}

export interface ResolveDeps {
  registry: ModuleRegistry;
  /** Renders a value with the host's (and item's) variables, keeping the type of a whole expression. */
  render: (value: unknown) => unknown;
  moduleDefaults?: readonly ModuleDefaultsEntry[];
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

function allNames(registry: ModuleRegistry): string[] {
  const r = registry as ModuleRegistry & { allNames?: () => string[] };
  return r.allNames ? r.allNames() : registry.names();
}

/**
 * The task as it runs on one host (and item): its module name rendered and looked up, its arguments
 * one mapping (the template's mapping under the arguments written out, as Ansible merges them), checked.
 */
export function resolveTask(task: Task, module: ModuleDefinition | undefined, deps: ResolveDeps): { task: Task; module: ModuleDefinition } {
  const pos = taskPositions(task);
  const fail = (message: string, at: SourcePos): never => {
    throw new TaskResolutionError(message, at);
  };
  let name = task.module;
  let def = module;
  if (isTemplate(task.module)) {
    let rendered: unknown;
    try {
      rendered = deps.render(task.module);
    } catch (err) {
      fail(`error in the module name '${task.module}': ${(err as Error).message}`, pos.module);
    }
    if (typeof rendered !== 'string' || !/^\S+$/.test(rendered.trim())) {
      fail(`the module name '${task.module}' gave ${describe(rendered)}, not the name of a module`, pos.module);
    }
    name = (rendered as string).trim();
    def = deps.registry.get(name);
    if (!def) {
      const why = knownElsewhere(name) ? 'a module of Ansible or of a well-known collection, not provided by this provisioner' : `no module of that name${didYouMean(name, allNames(deps.registry))}`;
      fail(`couldn't resolve module/action '${name}' (from '${task.module}'): ${why}`, pos.module);
    }
  }
  if (!def) return fail(`module '${name}' is not provided by this provisioner`, pos.module);
  const written = typeof task.args === 'string' ? argsFromString(task.args, def, name) : { args: task.args };
  if (written.error || !written.args) return fail(`module '${name}' ${written.error ?? 'has bad arguments'}`, pos.args);
  // Under the arguments written out: `args:` (a mapping, or a template giving one), then the template
  // among the module's words; the nearer wins, as Ansible's variable params are updated by the task's.
  let args: Vars = isPlainObject(task.deferredArgs) ? { ...task.deferredArgs } : {};
  const templates: [string, SourcePos][] = [];
  if (typeof task.deferredArgs === 'string') templates.push([task.deferredArgs, pos.keywords.args ?? pos.args]);
  if ('variableParams' in written && written.variableParams !== undefined) templates.push([written.variableParams, pos.args]);
  for (const [template, at] of templates) {
    let rendered: unknown;
    try {
      rendered = deps.render(template);
    } catch (err) {
      fail(`error in the arguments '${template}' of '${name}': ${(err as Error).message}`, at);
    }
    if (!isPlainObject(rendered)) fail(`the arguments '${template}' of '${name}' must give a mapping, got ${describe(rendered)}`, at);
    args = { ...args, ...(rendered as Vars) };
  }
  const resolved: Task = { ...task, module: name, args: { ...args, ...written.args } };
  delete resolved.deferredArgs;
  setTaskPositions(resolved, pos);
  const defaults = moduleDefaultsFor(deps.moduleDefaults, def.name, (key) => deps.registry.get(key)?.name);
  const problems = validateArgs(resolved, def, defaults?.value).filter((d) => d.severity === 'error');
  if (problems.length > 0) fail(problems.map((d) => d.message).join('; '), problems[0].pos ?? pos.args);
  return { task: resolved, module: def };
}

/** `file:line:col`, as the static diagnostics name a place. */
export function placeText(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}
