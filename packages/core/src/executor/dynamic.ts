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
import { argsFromString, argsTemplateOf, validateArgs, wordsOfTemplatedName } from '../validate/args.js';
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
 * A templated module name rendered for a host, as Ansible's strategy renders it: once per host, with
 * the host's variables but not a loop's item, before `when` is evaluated.
 */
export function renderModuleName(task: Task, render: (value: unknown) => unknown): string {
  const pos = taskPositions(task);
  let rendered: unknown;
  try {
    rendered = render(task.module);
  } catch (err) {
    throw new TaskResolutionError(`error in the module name '${task.module}' (rendered once per host, before 'when' and without the loop's item, as Ansible renders it): ${(err as Error).message}`, pos.module);
  }
  if (typeof rendered !== 'string' || !/^\S+$/.test(rendered.trim())) {
    throw new TaskResolutionError(`the module name '${task.module}' gave ${describe(rendered)}, not the name of a module`, pos.module);
  }
  return rendered.trim();
}

/**
 * The task as it runs on one host (and item): its module name rendered and looked up, its arguments
 * one mapping (the template's mapping under the arguments written out, as Ansible merges them), checked.
 */
export function resolveTask(task: Task, module: ModuleDefinition | undefined, deps: ResolveDeps, renderedName?: string): { task: Task; module: ModuleDefinition } {
  const pos = taskPositions(task);
  const fail = (message: string, at: SourcePos): never => {
    throw new TaskResolutionError(message, at);
  };
  let name = task.module;
  let def = module;
  if (isTemplate(task.module)) {
    name = renderedName ?? renderModuleName(task, deps.render);
    def = deps.registry.get(name);
    if (!def) {
      // Ansible's words once the name is rendered; the hint says what this provisioner makes of it.
      const why = knownElsewhere(name) ? ': a module of Ansible or of a well-known collection, not provided by this provisioner' : didYouMean(name, allNames(deps.registry));
      fail(`The module ${name} was not found in configured module paths${why} (the module name '${task.module}')`, pos.module);
    }
  }
  if (!def) return fail(`module '${name}' is not provided by this provisioner`, pos.module);
  // Words after a templated name were read before the module was known, as Ansible reads them: each
  // `key=value` an argument, free text only as a template standing for the arguments.
  const written = typeof task.args !== 'string' ? { args: task.args } : isTemplate(task.module) ? wordsOfTemplatedName(task.args) : argsFromString(task.args, def, name);
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
