/**
 * Modules that act on the run rather than on a host (Ansible implements them as action plugins the
 * strategy reads): `include_vars` sets variables, `add_host` and `group_by` change the in-memory
 * inventory. Each is declared as a module (argument spec, aliases) so validation checks it like any
 * other, and the executor runs it here, through the ordinary task path (when, loop, register,
 * changed_when...), with the run's state at hand.
 */
import { z } from 'zod';
import { boolish } from '../../contract/boolish.js';
import type { ModuleDefinition, ModulePlugin, ModuleResult } from '../../contract/module.js';
import type { Task, Vars } from '../../model.js';
import { collectSecrets } from '../../vars/secret.js';
import type { PlayRun } from '../state.js';
import { loadIncludedVars, type IncludeVarsArgs } from './include-vars.js';
import { addDynamicGroup, addDynamicHost } from './inventory.js';

const int = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));
/** A list, or one string split on commas (Ansible's list type). */
const list = z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).transform((v) => (typeof v === 'string' ? v.split(',') : v.map(String)).map((s) => s.trim()).filter(Boolean));

const FILE_ARGS = ['file', '_raw_params'];
const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'];

const includeVarsArgs = z
  .strictObject({
    file: z.string().optional(),
    _raw_params: z.string().optional(),
    dir: z.string().optional(),
    depth: int.optional(),
    files_matching: z.string().optional(),
    // A string is split on whitespace by the action (its own rule, not the list type's commas).
    ignore_files: z.union([z.string(), z.array(z.string())]).optional(),
    // A string is turned into its characters, as the 2.14 action does (list('yml')): write a list.
    extensions: z.union([z.string().transform((s) => [...s]), z.array(z.string())]).optional(),
    ignore_unknown_extensions: boolish.optional(),
    hash_behaviour: z.enum(['replace', 'merge']).optional(),
    name: z.string().optional(),
  })
  .superRefine((a, ctx) => {
    const keys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    if (keys.some((k) => FILE_ARGS.includes(k)) && keys.some((k) => DIR_ARGS.includes(k))) {
      ctx.addIssue({ code: 'custom', message: 'You are mixing file only and dir only arguments, these are incompatible' });
    }
    if (a.file === undefined && a._raw_params === undefined && a.dir === undefined) {
      ctx.addIssue({ code: 'custom', message: "one of 'file', 'dir' or a file name (free form) is required" });
    }
  });

const addHostArgs = z
  .record(z.string(), z.unknown())
  .superRefine((a, ctx) => {
    if (a.name === undefined && a.hostname === undefined && a.host === undefined) ctx.addIssue({ code: 'custom', message: 'name, host or hostname needs to be provided' });
    for (const k of ['groups', 'group', 'groupname']) {
      const g = a[k];
      if (g !== undefined && typeof g !== 'string' && !(Array.isArray(g) && g.every((x) => typeof x === 'string'))) {
        ctx.addIssue({ code: 'custom', message: 'Groups must be specified as a list.', path: [k] });
      }
    }
  });

const groupByArgs = z.strictObject({
  key: z.union([z.string(), z.number()]).transform(String),
  parents: list.optional(),
});

/** The run (and task, host) an executor-level module acts on. */
export interface ActionContext {
  run: PlayRun;
  task: Task;
  host: string;
  vars: Vars;
}

type Action = (args: never, ctx: ActionContext) => ModuleResult;

function notOnAHost(name: string) {
  return async (): Promise<ModuleResult> => ({ changed: false, failed: true, msg: `${name} runs in the executor, not on a host` });
}

function define<S extends z.ZodType>(def: Omit<ModuleDefinition<S>, 'run' | 'runsOn' | 'checkMode'>, action: (args: z.output<S>, ctx: ActionContext) => ModuleResult) {
  const module: ModuleDefinition<S> = { ...def, runsOn: 'controller', checkMode: 'full', run: notOnAHost(def.name) };
  return { module, action: action as Action };
}

const includeVars = define(
  {
    name: 'include_vars',
    aliases: ['ansible.builtin.include_vars'],
    description: 'Load variables from YAML/JSON files (or a folder of them) on the controller, for the rest of the run.',
    args: includeVarsArgs,
    freeFormKey: '_raw_params',
  },
  (args, { run, task, host, vars }) => {
    const a: IncludeVarsArgs = { ...args, file: args.file ?? args._raw_params };
    const origin = { roleDir: task.role?.path, taskFile: task.pos?.file, baseDir: run.play.baseDir };
    const loaded = loadIncludedVars(a, origin, vars);
    if (loaded.failed) return { changed: false, failed: true, message: loaded.message, msg: loaded.message, ansible_included_var_files: loaded.files, ansible_facts: {} };
    // Values read from a vault-encrypted file are secrets: masked wherever they would show.
    for (const s of collectSecrets(loaded.vars)) run.rt.masker.add(s);
    const st = run.rt.state(host);
    st.includedVars = { ...st.includedVars, ...loaded.vars };
    return { changed: false, ansible_included_var_files: loaded.files, ansible_facts: loaded.vars };
  },
);

const addHost = define(
  {
    name: 'add_host',
    aliases: ['ansible.builtin.add_host'],
    description: 'Add a host (and its groups and variables) to the in-memory inventory, for the later plays of the run.',
    args: addHostArgs,
  },
  (args, { run }) => addDynamicHost(run, args),
);

const groupBy = define(
  {
    name: 'group_by',
    aliases: ['ansible.builtin.group_by'],
    description: 'Put the host in a group named from its variables (created if needed), for the later plays of the run.',
    args: groupByArgs,
    optionsCheckedByAction: true,
  },
  (args, { run, host }) => addDynamicGroup(run, host, args.key, args.parents ?? ['all']),
);

const ACTIONS = [includeVars, addHost, groupBy];
const BY_MODULE = new Map<ModuleDefinition, Action>(ACTIONS.map((a) => [a.module as ModuleDefinition, a.action]));

/** The executor-level modules, for a registry (the CLI registers them before the plug-in packages). */
export const EXECUTOR_MODULES: readonly ModuleDefinition[] = ACTIONS.map((a) => a.module as ModuleDefinition);

export const executorModules: ModulePlugin = (registry) => {
  for (const m of EXECUTOR_MODULES) registry.register(m);
};

/** The executor's own implementation of `module`, when it is one of these. */
export function executorAction(module: ModuleDefinition): ((args: unknown, ctx: ActionContext) => ModuleResult) | undefined {
  return BY_MODULE.get(module) as ((args: unknown, ctx: ActionContext) => ModuleResult) | undefined;
}

/** add_host and group_by: hosts and groups the later plays may name. */
export function changesInventoryModule(module: ModuleDefinition | undefined): boolean {
  return module === addHost.module || module === groupBy.module;
}

/**
 * Ansible's BYPASS_HOST_LOOP: the task runs once, for the first host, and its result stays that
 * host's (not shared as with run_once).
 */
export function bypassesHostLoop(module: ModuleDefinition | undefined): boolean {
  return module === addHost.module;
}
