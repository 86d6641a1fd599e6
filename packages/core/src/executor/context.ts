import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Fact } from '../contract/fact.js';
import type { ModuleContext } from '../contract/module.js';
import type { Remote } from '../contract/remote.js';
import type { RoleInfo, Vars } from '../model.js';
import type { SecretMasker } from './secrets.js';
import type { Templater } from './types.js';

export interface ContextInput {
  hostName: string;
  vars: Vars;
  facts: Vars;
  check: boolean;
  diff: boolean;
  verbosity?: number;
  noLog?: boolean;
  become: boolean;
  remote: Remote;
  templater: Templater;
  masker: SecretMasker;
  role?: RoleInfo;
  baseDir: string;
  /** The file the task is written in (its folder is on the template search path). */
  taskFile?: string;
  onProgress(message: string): void;
  onLog(message: string): void;
}

/**
 * Where a controller file named in a task lives, as Ansible looks it up: the role's files/ or
 * templates/ (and the role folder itself), then the playbook folder's files/ or templates/, then the
 * playbook folder. The first that exists wins; otherwise the last candidate is returned so the
 * module's error names a plausible path.
 */
export function resolveLocalPath(path: string, kind: 'files' | 'templates', baseDir: string, role?: RoleInfo): string {
  if (isAbsolute(path)) return path;
  const candidates = [
    ...(role ? [join(role.path, kind, path), join(role.path, path)] : []),
    join(baseDir, kind, path),
    resolve(baseDir, path),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1];
}

/**
 * The folders a template's `{% include %}` / `{% import %}` names are looked up in, as Ansible's
 * template action builds them: the task's search path (its role, then the folder of the file the task
 * is in), the playbook's folder, then the template's own folder; each one's templates/ first.
 */
export function templateSearchPath(templatePath: string, baseDir: string, role?: RoleInfo, taskFile?: string): string[] {
  const stack: string[] = [];
  if (role) stack.push(role.path);
  if (taskFile && !stack.includes(dirname(taskFile))) stack.push(dirname(taskFile));
  return [...stack, baseDir, dirname(templatePath)].flatMap((p) => [join(p, 'templates'), p]);
}

/** Reads an included template from the search path, as Jinja2's FileSystemLoader does (first found). */
export function templateLoader(searchPath: readonly string[]): (name: string) => string {
  return (name) => {
    for (const dir of searchPath) {
      const file = join(dir, name);
      if (existsSync(file) && statSync(file).isFile()) return readFileSync(file, 'utf8');
    }
    throw new Error(`template not found: '${name}' (searched ${searchPath.join(', ')})`);
  };
}

/** The ModuleContext a module receives for one host and task. */
export function buildModuleContext(input: ContextInput): ModuleContext {
  const { templater, vars } = input;
  return {
    hostName: input.hostName,
    vars,
    facts: input.facts,
    check: input.check,
    diff: input.diff,
    verbosity: input.verbosity ?? 0,
    noLog: input.noLog ?? false,
    become: input.become,
    remote: input.remote,
    async fact<A, T>(fact: Fact<A, T>, args: A): Promise<T> {
      const result = await input.remote.run({ script: fact.command(args) }, { become: input.become });
      return fact.parse(result.stdout, result.code, args);
    },
    resolveLocal: (path, kind) => resolveLocalPath(path, kind, input.baseDir, input.role),
    render: (template, extra) => templater.render(template, extra ? { ...vars, ...extra } : vars),
    renderTemplateFile: (text, path, extra) => {
      // Ansible's template action adds ansible_managed (its config's DEFAULT_MANAGED_STR, "Ansible
      // managed") over the task's variables; roles print it in a comment on the first line.
      const all = Object.assign(Object.create(extra ? { ...vars, ...extra } : vars) as Record<string, unknown>, { ansible_managed: 'Ansible managed' });
      if (!templater.renderTemplate) return templater.render(text, all);
      return templater.renderTemplate(text, all, templateLoader(templateSearchPath(path, input.baseDir, input.role, input.taskFile)));
    },
    evaluate: (expression, extra) => templater.evaluate(expression, extra ? { ...vars, ...extra } : vars),
    markSecret: (value) => input.masker.add(value),
    progress: (message) => input.onProgress(message),
    log: (message) => input.onLog(message),
  };
}
