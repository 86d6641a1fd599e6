/**
 * Modules an Ansible user ships as files: `<name>.py` (or `<name>`, any executable with a `#!`
 * line) in the task's role's `library/`, the playbook's `library/`, or a folder of ANSIBLE_LIBRARY,
 * used by the file's name. Each becomes a ModuleDefinition like any other, so the engine runs it,
 * with `async` too, without knowing it is one; its arguments are not checked before the run (the
 * module's own argument_spec checks them on the host).
 *
 * A run: a temporary folder under the host's remote_tmp gets the module file and its arguments
 * file; a module importing ansible.module_utils gets the zip of the files it needs (from the
 * controller's ansible-core; one copy per host, named by its hash, left under remote_tmp) on its
 * PYTHONPATH; the module runs as `<python> <module> <args file>` and the folder is removed.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { FileDiff, ModuleContext, ModuleDefinition, ModuleResult } from '../contract/module.js';
import { hostPathWord, shellQuote } from '../contract/quote.js';
import type { Play, RoleInfo } from '../model.js';
import { walkTasks } from '../playbook/positions.js';
import { controllerAnsible, findInstalledCollectionModule, moduleUtilsZip } from './controller-ansible.js';
import type { CollectionModule } from './collections.js';
import { argsFile, internalArgs, isPython, moduleStyle, parseJobOutput, parseModuleOutput, shebangInterpreter } from './python.js';

/** A module file found for a task, and where (for messages). */
export interface LibraryFile {
  name: string;
  file: string;
  where: string;
  /** A module of a collection installed on the controller (run under its dotted name, from the zip). */
  collection?: CollectionModule;
}

/** The folders searched, in Ansible's order: the role's library/, the playbook's, then ANSIBLE_LIBRARY's. */
export function librarySearchPath(role: RoleInfo | undefined, baseDir: string, env: NodeJS.ProcessEnv = process.env, otherRoles: readonly RoleInfo[] = []): { dir: string; where: string }[] {
  const places: { dir: string; where: string }[] = [];
  if (role) places.push({ dir: join(role.path, 'library'), where: `role '${role.name}'` });
  places.push({ dir: join(baseDir, 'library'), where: 'playbook' });
  // Ansible adds the library of every role it loads to the module path (a dependency's modules are
  // usable from the role that depends on it).
  for (const r of otherRoles) {
    const dir = join(r.path, 'library');
    if (!places.some((p) => p.dir === dir)) places.push({ dir, where: `role '${r.name}'` });
  }
  for (const d of (env.ANSIBLE_LIBRARY ?? '').split(':').filter(Boolean)) places.push({ dir: d.replace(/^~(?=\/|$)/, env.HOME ?? '~'), where: 'ANSIBLE_LIBRARY' });
  return places;
}

/** The library module file a task's module name names, if any (`ansible.legacy.x` is `x`). */
export function findLibraryModule(module: string, role: RoleInfo | undefined, baseDir: string, otherRoles: readonly RoleInfo[] = []): LibraryFile | undefined {
  const name = module.startsWith('ansible.legacy.') ? module.slice('ansible.legacy.'.length) : module;
  if (!/^\w+$/.test(name)) return undefined;
  for (const { dir, where } of librarySearchPath(role, baseDir, process.env, otherRoles)) {
    for (const file of [join(dir, `${name}.py`), join(dir, name)]) {
      try {
        if (existsSync(file) && statSync(file).isFile()) return { name, file, where };
      } catch {
        /* unreadable: not a module */
      }
    }
  }
  return undefined;
}

/** Does the module need the controller's ansible-core (it imports ansible.module_utils)? */
export function needsAnsibleCore(file: string): boolean {
  return moduleStyle(readFileSync(file, 'utf8')) === 'new';
}

const definitions = new Map<string, ModuleDefinition>();

/** Library modules defined so far in this process, by name: async_status finishes their jobs. */
export function libraryModuleNamed(name: string): ModuleDefinition | undefined {
  for (const def of definitions.values()) if (def.name === name) return def;
  return undefined;
}

interface Staged {
  dir: string;
  command: string;
}

/** Puts the module, its arguments and (when needed) its module_utils on the host; returns the command that runs it. */
async function stage(lib: LibraryFile, args: Record<string, unknown>, ctx: ModuleContext): Promise<Staged> {
  const text = readFileSync(lib.file, 'utf8');
  const style = moduleStyle(text);
  const python = isPython(lib.file, text);
  const remoteTmp = String(ctx.vars.ansible_remote_tmp ?? '~/.ansible/tmp');
  const ansible = style === 'new' || lib.collection ? controllerAnsible() : {};
  if ((style === 'new' || lib.collection) && !ansible.found) throw new Error(`a Python module from library/ needs ansible-core on the controller: ${ansible.why}`);
  const zip = ansible.found ? moduleUtilsZip(ansible.found, text, lib.collection) : undefined;
  const zipName = zip ? `haweb-module_utils-${zip.hash}.zip` : '';
  // remote_tmp, or (a become user whose home cannot be written, as `nobody`'s) a private folder under
  // the system's temporary folder, as AnsibleModule falls back; the module_utils zip then goes inside
  // that private folder (never a shared name in a world-writable folder).
  const mk = await ctx.remote.run(
    {
      script: [
        `umask 077; t=${hostPathWord(remoteTmp)}`,
        'if err=$(mkdir -p "$t" 2>&1) && d=$(mktemp -d "$t/ansible-tmp-haweb.XXXXXXXX" 2>&1); then',
        `  printf '%s\\n%s\\n' "$t" "$d"; ${zip ? `[ -f "$t/${zipName}" ] && echo have || echo need` : 'echo none'}`,
        'else',
        '  why=${err:-$d}; d=$(mktemp -d "${TMPDIR:-/tmp}/ansible-tmp-haweb.XXXXXXXX") || exit 1',
        `  printf '%s\\n%s\\nfallback\\n%s: %s\\n' "$d" "$d" "$t" "$why"`,
        'fi',
      ].join('\n'),
    },
    { become: ctx.become },
  );
  if (mk.code !== 0) throw new Error(`cannot make a temporary folder on the host: ${(mk.stderr || mk.stdout).trim()}`);
  const [tmp, dir, have, why] = mk.stdout.trim().split('\n').map((s) => s.trim());
  if (have === 'fallback') ctx.log(`[WARNING]: Unable to use ${why?.split(': ')[0]} as temporary directory, failing back to system: ${why?.split(': ').slice(1).join(': ').replace(/^mkdir: /, '')}`);
  if (zip && have !== 'have') await ctx.remote.writeFile(`${tmp}/${zipName}`, zip.data, { mode: '0600', become: ctx.become });
  const moduleFile = `${dir}/${basename(lib.file)}`;
  const argsPath = `${dir}/args`;
  // A collection's module is in the zip, run under its dotted name (its relative imports work).
  if (!lib.collection) await ctx.remote.writeFile(moduleFile, text, { mode: '0700', become: ctx.become });
  const internal = internalArgs({
    check: ctx.check,
    diff: ctx.diff,
    noLog: ctx.noLog ?? false,
    verbosity: ctx.verbosity ?? 0,
    moduleName: lib.name,
    tmpdir: dir,
    remoteTmp,
    version: ansible.found?.version,
  });
  await ctx.remote.writeFile(argsPath, argsFile(style, args, internal), { mode: '0600', become: ctx.become });
  let interpreter: string;
  if (python || lib.collection) {
    const configured = ctx.vars.ansible_python_interpreter ?? configuredInterpreter();
    interpreter = configured === undefined ? 'python3' : ctx.render(String(configured));
  } else {
    interpreter = shebangInterpreter(text) ?? '/bin/sh';
  }
  const env = zip ? `PYTHONPATH=${shellQuote(`${tmp}/${zipName}`)}\${PYTHONPATH:+:$PYTHONPATH} ` : '';
  const target = lib.collection ? `-m ${lib.collection.dotted}` : shellQuote(moduleFile);
  const command = `cd ${shellQuote(dir)} && ${env}${interpreter} ${target} ${shellQuote(argsPath)}`;
  return { dir, command };
}

/**
 * Ansible's interpreter_python setting (ANSIBLE_PYTHON_INTERPRETER, or ansible.cfg through the CLI):
 * a path is the default interpreter; its auto* discovery modes leave python3 as found on the host.
 */
function configuredInterpreter(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.ANSIBLE_PYTHON_INTERPRETER?.trim();
  return v && !/^auto(_legacy)?(_silent)?$/.test(v) ? v : undefined;
}

/** Runs the staged module, then removes its folder; exit code and output are the module's. */
function withCleanup(staged: Staged): string {
  return `(${staged.command}) < /dev/null; rc=$?; rm -rf ${shellQuote(staged.dir)}; exit $rc`;
}

/** The ModuleDefinition of a library module file (one per file per process). */
export function libraryModule(lib: LibraryFile): ModuleDefinition {
  const key = `${lib.file}\0${lib.name}`;
  const known = definitions.get(key);
  if (known) return known;
  const args = z.record(z.string(), z.unknown());
  const def: ModuleDefinition<typeof args> = {
    name: lib.name,
    description: `library module ${lib.file} (${lib.where})`,
    args,
    // The module decides for itself (AnsibleModule skips when it does not support check mode).
    checkMode: 'full',
    async run(a, ctx) {
      const staged = await stage(lib, a, ctx);
      const r = await ctx.remote.run({ script: withCleanup(staged) }, { become: ctx.become });
      const { result, displayWarnings } = parseModuleOutput({ rc: r.code, stdout: r.stdout, stderr: r.stderr });
      for (const w of displayWarnings) ctx.log(`[WARNING]: ${w}`);
      return withFacts(result);
    },
    background: {
      async prepare(a, ctx) {
        const staged = await stage(lib, a, ctx);
        return { command: { script: withCleanup(staged) } };
      },
      finish(_a, outcome) {
        return withFacts(parseJobOutput(outcome, lib.name));
      },
    },
  };
  definitions.set(key, def as ModuleDefinition);
  return def as ModuleDefinition;
}

/**
 * The module of a collection installed on the controller that a task names (a fully qualified name,
 * or a short name ansible-core routes to a collection), as a module file to run like a library one.
 * One with an action plugin is returned too (`collection.actionPlugin`): the caller refuses it.
 */
export function findCollectionLibraryModule(module: string, baseDir: string): LibraryFile | undefined {
  const c = findInstalledCollectionModule(module, baseDir);
  return c ? { name: module, file: c.file, where: `collection installed at ${c.root}`, collection: c } : undefined;
}

/** The library module a task names, when its name is no registered module's: library/ first, then an installed collection's. */
export function libraryModuleOf(task: { module: string; role?: RoleInfo }, play: Play): ModuleDefinition | undefined {
  const lib = findLibraryModule(task.module, task.role, play.baseDir, playRoles(play));
  if (lib) return libraryModule(lib);
  const coll = findCollectionLibraryModule(task.module, play.baseDir);
  return coll && !coll.collection?.actionPlugin ? libraryModule(coll) : undefined;
}

/**
 * `ansible_facts` a module returns become the host's facts (and stay in the registered result, as in
 * Ansible); its `diff` (one before/after dict or a list of them) is registered as it came and shown
 * as text pairs.
 */
function withFacts(result: Record<string, unknown> & { changed: boolean }): ModuleResult {
  let out: ModuleResult = result;
  if ('diff' in result) {
    const { diff, ...rest } = result;
    out = { ...rest, diff: diffPairs(diff), ansibleDiff: diff };
  }
  const facts = result.ansible_facts;
  if (facts && typeof facts === 'object' && !Array.isArray(facts)) return { ...out, facts: facts as Record<string, unknown> };
  return out;
}

/** A module's diff as text pairs, as Ansible's callback renders them: a non-text side as sorted JSON indented by 4; a prepared text as it is. */
export function diffPairs(diff: unknown): FileDiff[] {
  const text = (v: unknown): string => (typeof v === 'string' ? v : `${JSON.stringify(sortKeys(v), null, 4)}\n`);
  const pairs: FileDiff[] = [];
  for (const d of Array.isArray(diff) ? diff : [diff]) {
    if (!d || typeof d !== 'object') continue;
    const o = d as Record<string, unknown>;
    // A diff the module prepared as text (git's `git diff`): shown as it is, after the pair if both.
    const prepared = typeof o.prepared === 'string' ? [{ before: '', after: '', prepared: o.prepared }] : [];
    if (!('before' in o || 'after' in o)) {
      pairs.push(...prepared);
      continue;
    }
    pairs.push({
      before: text(o.before ?? ''),
      after: text(o.after ?? ''),
      ...(typeof o.before_header === 'string' ? { beforeHeader: o.before_header } : {}),
      ...(typeof o.after_header === 'string' ? { afterHeader: o.after_header } : {}),
    }, ...prepared);
  }
  return pairs;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Every role a play loads (its roles, their dependencies, included and imported roles), in order. */
export function playRoles(play: Play): RoleInfo[] {
  const roles: RoleInfo[] = [];
  for (const t of walkTasks([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers])) {
    if (t.role && !roles.some((r) => r.path === t.role!.path)) roles.push(t.role);
  }
  return roles;
}
