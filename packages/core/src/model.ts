/**
 * The validated, position-annotated model of inventories and playbooks. The loader (inventory/,
 * playbook/) produces it; the executor consumes it. Templated values stay raw strings here and are
 * rendered per host at run time.
 */

/** Where something was written: every error message names it. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** Host variables (host_vars/ files merged over inline ones). */
  vars: Vars;
  pos?: SourcePos;
}

export interface InventoryGroup {
  name: string;
  hosts: string[];
  children: string[];
  /** Group variables (group_vars/ files merged over inline ones). */
  vars: Vars;
  pos?: SourcePos;
}

export interface Inventory {
  /** Files it was read from. */
  sources: string[];
  hosts: Map<string, InventoryHost>;
  /** Always contains `all` and `ungrouped`. */
  groups: Map<string, InventoryGroup>;
  /** host_vars/ files for the implicit localhost (named by a playbook, not listed in the inventory). */
  implicitHostVars?: Map<string, Vars>;
}

/**
 * A boolean keyword as written: true/false, or a template (`"{{ debug | bool }}"`) rendered with each
 * host's variables, as Ansible templates its keywords.
 */
export type Flag = boolean | string;

/**
 * Who runs a task, as written (each may be a template, rendered per host): remote_user, become_user,
 * become_method, become_flags, become_exe. Each is inherited on its own: the nearest one written wins.
 */
export interface RunAsKeywords {
  remoteUser?: string;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
  becomeExe?: string;
}

/** One `environment:` entry: a mapping of names to values, or a template that gives one. */
export type EnvironmentEntry = Vars | string;

/**
 * One `module_defaults:` mapping as written (play, role entry, block, task): module name (short,
 * `ansible.builtin.x` or an alias) to its default arguments, a mapping or a template giving one. The
 * key positions name the entry in errors.
 */
export interface ModuleDefaultsEntry {
  defaults: Record<string, Vars | string>;
  keyPos: Record<string, SourcePos>;
}

/**
 * Keywords every task-like item (task, block, handler) may carry. An unset keyword takes the nearest
 * enclosing block's value, then the play's (Ansible's inheritance: the nearest value wins).
 */
export interface TaskCommon {
  name?: string;
  pos: SourcePos;
  /** Raw Jinja2 expressions, all must hold (AND), as Ansible's list form of `when`. */
  when: string[];
  tags: string[];
  become?: Flag;
  /** remote_user and the become_* keywords written on this item. */
  runAs?: RunAsKeywords;
  /** Task-level vars (templated lazily). */
  vars: Vars;
  ignoreErrors?: Flag;
  noLog?: Flag;
  /** check_mode: true runs in check mode even without --check; false runs for real even with it. */
  checkMode?: Flag;
  /** diff: shows (true) or hides (false) the diffs of this item whatever --diff says. */
  diff?: Flag;
  /**
   * environment: variables for the commands modules run, as written: mappings (values may be
   * templates) or templates giving mappings. Merged from the play down to the task, the nearest last.
   */
  environment?: EnvironmentEntry[];
  /** module_defaults: from the play down to the task, the nearest last (Ansible's list, merged per module). */
  moduleDefaults?: ModuleDefaultsEntry[];
  /** any_errors_fatal: a host failing here fails every host of the play (batch) and ends it. */
  anyErrorsFatal?: Flag;
  /** throttle: at most this many hosts run the task at once (below forks; 0: no limit). */
  throttle?: number;
  /** timeout: seconds a module call may take before it fails (0: no limit); a number or a template. */
  timeout?: number | string;
  /** run_once: the task runs on the first live host of the batch; its result is registered for all. */
  runOnce?: Flag;
  /** connection: how hosts are reached, `ssh` or `local` (on the controller), or a template; ansible_connection wins. */
  connection?: string;
  /** delegate_to: the host the module runs on (a name, an address or localhost; may be a template). */
  delegateTo?: string;
  /** delegate_facts: facts the delegated task sets land on the delegated host instead. */
  delegateFacts?: Flag;
  /** The role this item came from, for resolving files/ and templates/. */
  role?: RoleInfo;
}

export interface Task extends TaskCommon {
  kind: 'task';
  /**
   * Module name as written (may be an alias or FQCN: the registry resolves it), or a template
   * (`action: "{{ ansible_facts.pkg_mgr }}"`) rendered per host and loop item when the task runs,
   * then looked up and its arguments checked there (executor/dynamic.ts).
   */
  module: string;
  /** The short name as written, when the `collections` keyword resolved it to `module` (shown as Ansible shows the action). */
  moduleAsWritten?: string;
  /** Raw arguments; a bare string for free-form modules (`command: ls -l`). */
  args: Vars | string;
  /**
   * `args:` as written when it cannot be merged at load time: a template giving a mapping of the
   * arguments (Ansible's variable params), or a mapping beside the string arguments of a templated
   * module name. Merged under the task's own arguments when the task runs.
   */
  deferredArgs?: Vars | string;
  /** Raw `loop`/`with_items` value: a list or a template string evaluating to one. */
  loop?: unknown;
  /** `with_<lookup>:` (dict, subelements, nested, ...): the loop's items are that lookup of `loop`'s terms. */
  loopWith?: string;
  loopVar: string;
  /** loop_control: index_var (the item's 0-based index), extended (ansible_loop), pause (seconds). */
  loopControl?: { indexVar?: string; extended?: boolean; extendedAllItems?: boolean; pause?: number };
  register?: string;
  notify: string[];
  changedWhen?: string[];
  failedWhen?: string[];
  /**
   * Read from a file that `include_tasks` names: Ansible loads such a file only when the include is
   * reached, so a module it lacks there is a warning at validation and a failure only if the task runs.
   */
  includedDynamically?: boolean;
  /** Retried until these hold (all of them), with the registered name bound to each attempt's result. */
  until?: string[];
  /** Retries after the first attempt (Ansible's default 3), and seconds between attempts (default 5): a number or a template. */
  retries?: number | string;
  delay?: number | string;
  /** `async`: seconds the command may run in the background on the host (0: in the foreground). */
  async?: number | string;
  /** `poll`: seconds between status checks of an async job (0: leave it running). */
  poll?: number | string;
}

export interface Block extends TaskCommon {
  kind: 'block';
  block: TaskItem[];
  rescue: TaskItem[];
  always: TaskItem[];
  /** `include_tasks`: its tasks are loaded when it runs (the block's own lists stay empty). */
  include?: DynamicInclude;
  /**
   * include_role `public: yes`: the role's defaults and vars, which the play's tasks see from the
   * moment this block runs (Ansible adds the role to the play's roles then).
   */
  exports?: { defaults: Vars; vars: Vars };
}

/**
 * `include_tasks`: its file is read when the include runs, per host (a templated name may name a
 * different file on each host). A plain file name is also read at load time, so validation sees it.
 */
export interface DynamicInclude {
  /** The file name as written (maybe a template); for include_role, the role's name. */
  file: string;
  /** What the include is shown as (default include_tasks). */
  action?: 'include_tasks' | 'include_role';
  /** The tasks of a plain (untemplated) file name, read at load time. */
  preloaded?: TaskItem[];
  /** `apply:`: keywords given to every included task (a block with no items). */
  apply?: Block;
  /**
   * loop / with_* / loop_control on the include: the file is included once per item, with the loop
   * variable (and index_var, ansible_loop) as variables of its tasks (Ansible's IncludedFile per item).
   */
  loop?: Pick<Task, 'loop' | 'loopWith' | 'loopVar' | 'loopControl'>;
  /** Reads a tasks file (relative to where the include was written) into items, or says why not. */
  load(file: string): { items: TaskItem[]; errors: string[] };
}

export type TaskItem = Task | Block;

export interface Handler extends Task {
  /** Extra topics it answers to (`listen`). */
  listen: string[];
  /** `include_tasks` as a handler: when notified, these items run instead of a module. */
  body?: TaskItem[];
}

export interface RoleInfo {
  name: string;
  /** Absolute path of roles/<name>. */
  path: string;
  /** roles/<name>/defaults/main.yml: the lowest variable precedence. */
  defaults: Vars;
}

/** One `vars_prompt` entry: a play variable asked for on the terminal when the play starts. */
export interface VarsPrompt {
  name: string;
  /** The question (default: the name); may be a template, rendered with the play's variables. */
  prompt: string;
  /** Used when the answer is empty, or when there is no terminal; may be a template. */
  default?: unknown;
  /** Echo off while typing (Ansible's default: true). */
  private: boolean;
  /** Ask twice until both answers match. */
  confirm: boolean;
  /** The answer is data, never rendered as a template. */
  unsafe: boolean;
  pos: SourcePos;
}

export interface Play {
  name: string;
  pos: SourcePos;
  /** Host pattern as written: `all`, `web`, `a:b`, `a:!b`, `a:&b`. */
  hosts: string;
  vars: Vars;
  /** vars_prompt: asked when the play starts (a name given with -e is not asked). */
  varsPrompt?: VarsPrompt[];
  /** Answers to `unsafe: yes` prompts, set when the play starts: play variables that are never templated. */
  unsafeVars?: Vars;
  /** vars_files, already read, in order (later wins). */
  varsFiles: { file: string; vars: Vars }[];
  /** gather_facts as written; undefined when the play does not say (Ansible's `gathering` setting decides). */
  gatherFacts?: boolean;
  /** fact_path, gather_subset, gather_timeout of the play: the arguments of its fact gathering. */
  gatherArgs?: Record<string, unknown>;
  /** The play's become keyword as written; undefined when it says none (the configured default applies). */
  become?: boolean;
  /** remote_user and the become_* keywords of the play. */
  runAs?: RunAsKeywords;
  /** Play-level defaults of the task keywords (the nearest value wins). */
  checkMode?: Flag;
  diff?: Flag;
  ignoreErrors?: Flag;
  noLog?: Flag;
  environment?: EnvironmentEntry[];
  moduleDefaults?: ModuleDefaultsEntry[];
  /** Batch size: a number of hosts or a percentage string like "30%"; a list gives successive batches (the last repeats). */
  serial?: number | string | (number | string)[];
  /** linear (default): each task on every host before the next; free: each host runs on by itself. */
  strategy?: 'linear' | 'free';
  /** Host order: inventory (default), reverse_inventory, sorted, reverse_sorted, shuffle. */
  order?: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  /** Stop the play (every host of the batch) when more than this percentage of a batch failed. */
  maxFailPercentage?: number;
  anyErrorsFatal?: Flag;
  /** timeout of the play's tasks (a task's or block's own wins): seconds, or a template. */
  timeout?: number | string;
  /** connection: `ssh` or `local` for the play's tasks (ansible_connection wins), or a template. */
  connection?: string;
  /** Role defaults of every role in the play, in order (later wins). */
  roleDefaults: Vars;
  /** Role vars of the play's roles and import_role ones (vars/ and the entry's vars), which every task sees. */
  roleVars?: Vars;
  preTasks: TaskItem[];
  /** Role tasks first, then the play's own tasks (Ansible's order). */
  tasks: TaskItem[];
  postTasks: TaskItem[];
  /** The play's handlers, then its roles' handlers. */
  handlers: Handler[];
  /** Folder of the playbook: relative paths resolve from here. */
  baseDir: string;
}

export interface Playbook {
  file: string;
  plays: Play[];
}

/** A problem found while loading or validating. All of them are reported together. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  pos?: SourcePos;
  /** Host and task, for errors found per host. */
  host?: string;
  task?: string;
}

/** Thrown when loading or validation found errors; carries every one of them (exit code 2). */
export class ValidationError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ValidationError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const who = [d.host && `host ${d.host}`, d.task && `task "${d.task}"`].filter(Boolean).join(', ');
  return `${where}${d.severity}: ${d.message}${who ? ` (${who})` : ''}`;
}
