/** The keywords each kind of playbook item accepts. Anything else is an error (or, in a task, the module). */

export const PLAY_KEYWORDS = [
  'name', 'hosts', 'vars', 'vars_files', 'gather_facts', 'become', 'serial',
  'pre_tasks', 'tasks', 'post_tasks', 'handlers', 'roles', 'tags', 'vars_prompt',
  'check_mode', 'diff', 'ignore_errors', 'no_log', 'environment',
  'any_errors_fatal', 'max_fail_percentage', 'order', 'connection', 'strategy',
  'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'module_defaults',
  'fact_path', 'gather_subset', 'gather_timeout', 'timeout', 'collections',
] as const;

export const TASK_KEYWORDS = [
  'name', 'when', 'loop', 'with_items', 'loop_control', 'register', 'notify', 'changed_when',
  'failed_when', 'ignore_errors', 'tags', 'no_log', 'become', 'vars', 'args', 'check_mode', 'diff',
  'until', 'retries', 'delay', 'environment', 'any_errors_fatal', 'throttle', 'run_once',
  'connection', 'delegate_to', 'delegate_facts', 'local_action',
  'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe',
  'async', 'poll', 'module_defaults', 'timeout', 'collections',
] as const;

export const HANDLER_KEYWORDS = [...TASK_KEYWORDS, 'listen'] as const;

export const BLOCK_KEYWORDS = [
  'name', 'block', 'rescue', 'always', 'when', 'tags', 'become', 'vars', 'ignore_errors', 'no_log',
  'check_mode', 'diff', 'environment', 'any_errors_fatal', 'throttle', 'run_once', 'notify',
  'connection', 'delegate_to', 'delegate_facts',
  'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'module_defaults', 'timeout',
  'collections',
] as const;

export const ROLE_ENTRY_KEYWORDS = ['role', 'name', 'vars', 'tags', 'when', 'become', 'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'module_defaults', 'collections'] as const;

export const LOOP_CONTROL_KEYS = ['loop_var', 'label', 'index_var', 'extended', 'extended_allitems', 'pause'] as const;

/** The keywords that say who runs a task (play, block, task), by their written name. */
export const RUN_AS_KEYWORDS = {
  remote_user: 'remoteUser',
  become_user: 'becomeUser',
  become_method: 'becomeMethod',
  become_flags: 'becomeFlags',
  become_exe: 'becomeExe',
} as const;

/** loop_control keys of Ansible this provisioner does not implement: said so, not "unknown". */
export const UNSUPPORTED_LOOP_CONTROL_KEYS = [] as const;

/** Ansible keywords we know but do not implement: say so instead of "unknown keyword". */
export const UNSUPPORTED_KEYWORDS = new Set([
  'debugger',
  'force_handlers',
  'include', 'port', 'ignore_unreachable',
  // Supported elsewhere, refused here: throttle and run_once on a play, notify on a play,
  // delegation on a play (Ansible has none there either).
  'throttle', 'notify', 'run_once', 'delegate_to', 'delegate_facts', 'local_action',
]);
