import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';

/**
 * ansible.cfg as ansible-core 2.14 reads it, for the settings provision has an answer to.
 *
 * Facts from ansible-core (config/manager.py, config/base.yml):
 * - One file is read, the first that exists and is readable of: ANSIBLE_CONFIG (a folder means its
 *   ansible.cfg), ./ansible.cfg (skipped when the working folder is world-writable), ~/.ansible.cfg,
 *   /etc/ansible/ansible.cfg.
 * - It is parsed by Python's configparser: `[section]` headers, `key = value` or `key: value` (keys
 *   lower-cased), `#`/`;` comment lines, an inline comment after whitespace and `;`, indented lines
 *   continuing a value; a key outside any section, a line that is neither, or a section or key given
 *   twice is an error ("Error reading config file").
 * - Every setting also has an environment variable, which wins over the file.
 * - A path read from the file is relative to the file's folder (from the environment: to the working
 *   folder), with `~` and `$VARS` expanded; booleans are true for y/yes/on/1/true/t, false otherwise.
 *
 * What provision does with each: READ settings become the run's (through the same environment
 * variables provision already reads, so the file and the environment mean one thing); REFUSED ones
 * stop the run, naming where they were set, when their value is not Ansible's default (provision
 * would run differently in silence); all others change only Ansible's output, speed or internals and
 * are ignored, as are sections provision has no use for.
 */

export class ConfigError extends Error {}

export interface ConfigEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

export interface ConfigFile {
  path: string;
  entries: ConfigEntry[];
}

/** The config file Ansible would read, if any. */
export function findAnsibleConfig(env: Record<string, string | undefined>, cwd: string): string | undefined {
  const candidates: string[] = [];
  if (env.ANSIBLE_CONFIG !== undefined) {
    let p = expandPath(env.ANSIBLE_CONFIG, cwd, env);
    if (isDir(p)) p = join(p, 'ansible.cfg');
    candidates.push(p);
  }
  try {
    // A world-writable working folder is skipped: anyone could plant a config there.
    if ((statSync(cwd).mode & 0o002) === 0) candidates.push(join(cwd, 'ansible.cfg'));
  } catch {
    // no working folder: nothing to read there
  }
  candidates.push(join(env.HOME ?? homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return candidates.find((p) => {
    try {
      accessSync(p, constants.R_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** Parses ansible.cfg text as configparser does (inline comments after `;`), or says where it cannot. */
export function parseAnsibleConfig(text: string, path: string): ConfigFile {
  const entries: ConfigEntry[] = [];
  const sections = new Set<string>();
  let section: string | undefined;
  let last: ConfigEntry | undefined;
  const fail = (line: number, why: string) => new ConfigError(`${path}:${line}: Error reading config file: ${why}`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const stripped = stripInlineComment(raw);
    const trimmed = stripped.trim();
    if (trimmed === '' || /^\s*[#;]/.test(raw)) continue;
    if (/^\s/.test(raw) && last) {
      last.value = `${last.value}\n${trimmed}`;
      continue;
    }
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      if (sections.has(section)) throw fail(n, `section '${section}' already exists`);
      sections.add(section);
      last = undefined;
      continue;
    }
    if (section === undefined) throw fail(n, `File contains no section headers: ${JSON.stringify(raw)}`);
    const m = /^(.*?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!m || m[1] === '') throw fail(n, `Source contains parsing errors: ${JSON.stringify(raw)}`);
    const key = m[1]!.toLowerCase();
    if (entries.some((e) => e.section === section && e.key === key)) throw fail(n, `option '${key}' in section '${section}' already exists`);
    last = { section, key, value: m[2]!, line: n };
    entries.push(last);
  }
  return { path, entries };
}

/** configparser's inline_comment_prefixes=(';',): a `;` after whitespace starts a comment. */
function stripInlineComment(line: string): string {
  const m = /\s;/.exec(line);
  return m ? line.slice(0, m.index) : line;
}

type SettingType = 'bool' | 'int' | 'str' | 'list' | 'path' | 'pathspec' | 'pathlist';

interface SettingDef {
  /** [section] key, as ansible.cfg spells it (more than one: any of them). */
  ini: Array<[string, string]>;
  /** The environment variables Ansible reads for it (the first is the one provision exports). */
  env: string[];
  type: SettingType;
  /** The values Ansible accepts (another is its "Invalid value" error). */
  choices?: string[];
  /** For an int: the least value provision runs with. */
  min?: number;
}

/** Settings provision runs with: exported as their environment variable (provision reads those). */
const READ: Record<string, SettingDef> = {
  inventory: { ini: [['defaults', 'inventory']], env: ['ANSIBLE_INVENTORY'], type: 'pathlist' },
  roles_path: { ini: [['defaults', 'roles_path']], env: ['ANSIBLE_ROLES_PATH'], type: 'pathspec' },
  library: { ini: [['defaults', 'library']], env: ['ANSIBLE_LIBRARY'], type: 'pathspec' },
  collections_path: { ini: [['defaults', 'collections_path'], ['defaults', 'collections_paths']], env: ['ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS'], type: 'pathspec' },
  collections_scan_sys_path: { ini: [['defaults', 'collections_scan_sys_path']], env: ['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'], type: 'bool' },
  vault_password_file: { ini: [['defaults', 'vault_password_file']], env: ['ANSIBLE_VAULT_PASSWORD_FILE'], type: 'path' },
  vault_identity_list: { ini: [['defaults', 'vault_identity_list']], env: ['ANSIBLE_VAULT_IDENTITY_LIST'], type: 'list' },
  ask_vault_pass: { ini: [['defaults', 'ask_vault_pass']], env: ['ANSIBLE_ASK_VAULT_PASS'], type: 'bool' },
  fact_caching: { ini: [['defaults', 'fact_caching']], env: ['ANSIBLE_CACHE_PLUGIN'], type: 'str' },
  // The jsonfile cache's folder is a path option of the plugin: relative to the file's folder.
  fact_caching_connection: { ini: [['defaults', 'fact_caching_connection']], env: ['ANSIBLE_CACHE_PLUGIN_CONNECTION'], type: 'path' },
  fact_caching_prefix: { ini: [['defaults', 'fact_caching_prefix']], env: ['ANSIBLE_CACHE_PLUGIN_PREFIX'], type: 'str' },
  fact_caching_timeout: { ini: [['defaults', 'fact_caching_timeout']], env: ['ANSIBLE_CACHE_PLUGIN_TIMEOUT'], type: 'str' },
  // The interpreter of the Python modules provision runs (library/ and collection modules) where no
  // ansible_python_interpreter says otherwise; the auto* values mean python3, as found on the host.
  interpreter_python: { ini: [['defaults', 'interpreter_python']], env: ['ANSIBLE_PYTHON_INTERPRETER'], type: 'str' },
  forks: { ini: [['defaults', 'forks']], env: ['ANSIBLE_FORKS'], type: 'int', min: 1 },
  gathering: { ini: [['defaults', 'gathering']], env: ['ANSIBLE_GATHERING'], type: 'str', choices: ['implicit', 'explicit', 'smart'] },
  // Defaults of keywords, where no play, block or task writes them.
  any_errors_fatal: { ini: [['defaults', 'any_errors_fatal']], env: ['ANSIBLE_ANY_ERRORS_FATAL'], type: 'bool' },
  no_log: { ini: [['defaults', 'no_log']], env: ['ANSIBLE_NO_LOG'], type: 'bool' },
  task_timeout: { ini: [['defaults', 'task_timeout']], env: ['ANSIBLE_TASK_TIMEOUT'], type: 'int', min: 0 },
  // Ansible's other strategies (host_pinned, debug, mitogen_*) are refused as a play's strategy keyword is.
  strategy: { ini: [['defaults', 'strategy']], env: ['ANSIBLE_STRATEGY'], type: 'str', choices: ['linear', 'free', 'ansible.builtin.linear', 'ansible.builtin.free'] },
  remote_user: { ini: [['defaults', 'remote_user']], env: ['ANSIBLE_REMOTE_USER'], type: 'str' },
  remote_port: { ini: [['defaults', 'remote_port']], env: ['ANSIBLE_REMOTE_PORT'], type: 'int', min: 1 },
  private_key_file: { ini: [['defaults', 'private_key_file']], env: ['ANSIBLE_PRIVATE_KEY_FILE'], type: 'path' },
  host_key_checking: { ini: [['defaults', 'host_key_checking'], ['ssh_connection', 'host_key_checking']], env: ['ANSIBLE_HOST_KEY_CHECKING', 'ANSIBLE_SSH_HOST_KEY_CHECKING'], type: 'bool' },
  timeout: { ini: [['defaults', 'timeout'], ['ssh_connection', 'timeout']], env: ['ANSIBLE_TIMEOUT', 'ANSIBLE_SSH_TIMEOUT'], type: 'int', min: 1 },
  become_ask_pass: { ini: [['privilege_escalation', 'become_ask_pass']], env: ['ANSIBLE_BECOME_ASK_PASS'], type: 'bool' },
  // The defaults below every become keyword and ansible_become* variable.
  become: { ini: [['privilege_escalation', 'become']], env: ['ANSIBLE_BECOME'], type: 'bool' },
  become_user: { ini: [['privilege_escalation', 'become_user']], env: ['ANSIBLE_BECOME_USER'], type: 'str' },
  become_method: { ini: [['privilege_escalation', 'become_method']], env: ['ANSIBLE_BECOME_METHOD'], type: 'str' },
  become_flags: { ini: [['privilege_escalation', 'become_flags']], env: ['ANSIBLE_BECOME_FLAGS'], type: 'str' },
  become_exe: { ini: [['privilege_escalation', 'become_exe']], env: ['ANSIBLE_BECOME_EXE'], type: 'str' },
  diff_always: { ini: [['diff', 'always']], env: ['ANSIBLE_DIFF_ALWAYS'], type: 'bool' },
  run_tags: { ini: [['tags', 'run']], env: ['ANSIBLE_RUN_TAGS'], type: 'list' },
  skip_tags: { ini: [['tags', 'skip']], env: ['ANSIBLE_SKIP_TAGS'], type: 'list' },
};

interface RefusedDef extends SettingDef {
  /** Whether a value is Ansible's default (then nothing differs). Absent: any value is refused. */
  isDefault?: (value: string) => boolean;
  /** What provision does instead (the message's end). */
  why: string;
  /** Plugin folders: refused only when one of them holds a file (an empty or missing one adds nothing). */
  folders?: boolean;
}

const isTrue = (v: string) => /^(y|yes|on|1|true|t)$/i.test(v.trim());
const isFalse = (v: string) => !isTrue(v);
const eq = (...values: string[]) => (v: string) => values.includes(v.trim().toLowerCase());
const bool = (section: string, key: string, env: string, why: string, dflt: boolean): [string, RefusedDef] => [
  key,
  { ini: [[section, key]], env: [env], type: 'bool', isDefault: dflt ? isTrue : isFalse, why },
];
const plugins = (key: string, env: string, what: string): [string, RefusedDef] => [
  key,
  { ini: [['defaults', key]], env: [env], type: 'pathspec', folders: true, why: `provision cannot load Ansible's Python ${what} plugins` },
];

/** Settings that change a run and that provision does not implement: refused unless at Ansible's default. */
const REFUSED: Record<string, RefusedDef> = Object.fromEntries([
  ['hash_behaviour', { ini: [['defaults', 'hash_behaviour']], env: ['ANSIBLE_HASH_BEHAVIOUR'], type: 'str', isDefault: eq('replace'), why: 'provision replaces dictionaries as Ansible does by default (merge is not implemented)' }],
  ['gather_subset', { ini: [['defaults', 'gather_subset']], env: ['ANSIBLE_GATHER_SUBSET'], type: 'list', why: 'set gather_subset on the plays instead' }],
  ['gather_timeout', { ini: [['defaults', 'gather_timeout']], env: ['ANSIBLE_GATHER_TIMEOUT'], type: 'int', why: 'set gather_timeout on the plays instead' }],
  ['fact_path', { ini: [['defaults', 'fact_path']], env: ['ANSIBLE_FACT_PATH'], type: 'str', why: 'set fact_path on the plays instead' }],
  bool('defaults', 'force_handlers', 'ANSIBLE_FORCE_HANDLERS', 'provision does not implement force_handlers', false),
  bool('defaults', 'error_on_undefined_vars', 'ANSIBLE_ERROR_ON_UNDEFINED_VARS', 'provision always fails on an undefined variable, as Ansible does by default', true),
  bool('defaults', 'private_role_vars', 'ANSIBLE_PRIVATE_ROLE_VARS', 'provision shares role vars with the play as Ansible does by default', false),
  bool('defaults', 'inject_facts_as_vars', 'ANSIBLE_INJECT_FACT_VARS', 'provision injects facts as ansible_* variables as Ansible does by default', true),
  bool('defaults', 'jinja2_native', 'ANSIBLE_JINJA2_NATIVE', 'provision has no Jinja2 native mode (values would be rendered as text, as without it)', false),
  ['jinja2_extensions', { ini: [['defaults', 'jinja2_extensions']], env: ['ANSIBLE_JINJA2_EXTENSIONS'], type: 'str', isDefault: eq('', '[]'), why: 'provision cannot load Jinja2 extensions' }],
  ['null_representation', { ini: [['defaults', 'null_representation']], env: ['ANSIBLE_NULL_REPRESENTATION'], type: 'str', why: 'provision renders None as Ansible does by default' }],
  ['transport', { ini: [['defaults', 'transport']], env: ['ANSIBLE_TRANSPORT'], type: 'str', isDefault: eq('smart', 'ssh'), why: 'provision connects over SSH (set ansible_connection: local on the hosts that run locally)' }],
  ['executable', { ini: [['defaults', 'executable']], env: ['ANSIBLE_EXECUTABLE'], type: 'str', isDefault: eq('/bin/sh'), why: 'provision runs commands with /bin/sh, as Ansible does by default' }],
  ['ansible_managed', { ini: [['defaults', 'ansible_managed']], env: [], type: 'str', isDefault: (v) => v.trim() === 'Ansible managed', why: "provision's ansible_managed is Ansible's default, 'Ansible managed'" }],
  ['playbook_vars_root', { ini: [['defaults', 'playbook_vars_root']], env: ['ANSIBLE_PLAYBOOK_VARS_ROOT'], type: 'str', isDefault: eq('top'), why: "provision reads group_vars/ and host_vars/ next to the top playbook, as Ansible's default" }],
  ['precedence', { ini: [['defaults', 'precedence']], env: ['ANSIBLE_PRECEDENCE'], type: 'list', why: "provision applies Ansible's default variable precedence" }],
  ['vars_plugins_enabled', { ini: [['defaults', 'vars_plugins_enabled']], env: ['ANSIBLE_VARS_ENABLED'], type: 'list', isDefault: eq('host_group_vars', 'ansible.builtin.host_group_vars'), why: "provision reads group_vars/ and host_vars/ only (Ansible's default host_group_vars)" }],
  plugins('action_plugins', 'ANSIBLE_ACTION_PLUGINS', 'action'),
  plugins('filter_plugins', 'ANSIBLE_FILTER_PLUGINS', 'filter'),
  plugins('lookup_plugins', 'ANSIBLE_LOOKUP_PLUGINS', 'lookup'),
  plugins('test_plugins', 'ANSIBLE_TEST_PLUGINS', 'test'),
  plugins('vars_plugins', 'ANSIBLE_VARS_PLUGINS', 'vars'),
  plugins('strategy_plugins', 'ANSIBLE_STRATEGY_PLUGINS', 'strategy'),
  plugins('connection_plugins', 'ANSIBLE_CONNECTION_PLUGINS', 'connection'),
  plugins('become_plugins', 'ANSIBLE_BECOME_PLUGINS', 'become'),
  plugins('inventory_plugins', 'ANSIBLE_INVENTORY_PLUGINS', 'inventory'),
  plugins('module_utils', 'ANSIBLE_MODULE_UTILS', 'module_utils'),
]);

/** Where a value came from, for messages: `ANSIBLE_X=v` or `file:line: [section] key = v`. */
export interface Origin {
  text: string;
}

export interface AnsibleConfig {
  /** The file read, if any. */
  file?: string;
  /**
   * The environment with the file's READ settings added where the environment lacks them (paths made
   * absolute, as Ansible resolves them against the file's folder). Everything provision reads of
   * Ansible's settings comes from here.
   */
  env: Record<string, string | undefined>;
  /** The variables this config added to the environment (for what reads process.env). */
  exported: Record<string, string>;
}

/**
 * The run's Ansible settings: the environment, then the config file. Throws ConfigError for a file
 * Ansible could not read either, or (unless `refuse` is false: the vault commands, which only encrypt
 * and decrypt) a REFUSED setting away from Ansible's default, naming where it was set.
 */
export function ansibleConfig(env: Record<string, string | undefined>, cwd: string, { refuse = true }: { refuse?: boolean } = {}): AnsibleConfig {
  const file = findAnsibleConfig(env, cwd);
  const parsed = file ? parseAnsibleConfig(readFileSync(file, 'utf8'), file) : undefined;
  const inFile = (def: SettingDef): ConfigEntry | undefined => {
    let found: ConfigEntry | undefined;
    for (const [section, key] of def.ini) found = parsed?.entries.find((e) => e.section === section && e.key === key) ?? found;
    return found;
  };
  const inEnv = (def: SettingDef): [string, string] | undefined => {
    for (const name of def.env) if (env[name] !== undefined) return [name, env[name]!];
    return undefined;
  };

  for (const def of refuse ? Object.values(REFUSED) : []) {
    const fromEnv = inEnv(def);
    const entry = fromEnv ? undefined : inFile(def);
    const value = fromEnv?.[1] ?? entry?.value;
    if (value === undefined) continue;
    if (def.isDefault?.(value)) continue;
    if (def.folders) {
      const base = entry ? dirname(file!) : cwd;
      if (!value.split(':').filter(Boolean).some((d) => holdsFiles(expandPath(d, base, env)))) continue;
    }
    const where = fromEnv ? `${fromEnv[0]}=${fromEnv[1]}` : `${file}:${entry!.line}: [${entry!.section}] ${entry!.key} = ${entry!.value}`;
    const undo = fromEnv ? `unset ${fromEnv[0]}` : 'remove it';
    throw new ConfigError(`${where}: ${def.why}; ${undo}`);
  }

  const exported: Record<string, string> = {};
  for (const def of Object.values(READ)) {
    const fromEnv = inEnv(def);
    const entry = fromEnv ? undefined : inFile(def);
    if (!fromEnv && !entry) continue;
    const value = fromEnv ? fromEnv[1] : fileValue(def.type, entry!.value, dirname(file!), env);
    const where = () => (fromEnv ? `${fromEnv[0]}=${fromEnv[1]}` : `${file}:${entry!.line}: [${entry!.section}] ${entry!.key} = ${entry!.value}`);
    if (def.choices && !def.choices.includes(value.trim())) throw new ConfigError(`${where()}: not a valid value (Ansible's are ${def.choices.join(', ')})`);
    if (def.type === 'int' && value.trim() !== '' && !(/^\d+$/.test(value.trim()) && Number(value) >= (def.min ?? 0))) {
      throw new ConfigError(`${where()}: not a whole number of at least ${def.min ?? 0}`);
    }
    if (entry) exported[def.env[0]!] = value;
  }
  return { file, env: { ...exported, ...env }, exported };
}

/** A value from the file as the environment variable would carry it (paths absolute, lists joined). */
function fileValue(type: SettingType, value: string, base: string, env: Record<string, string | undefined>): string {
  switch (type) {
    case 'path':
      return expandPath(value.trim(), base, env);
    case 'pathspec':
      return value.split(':').map((p) => expandPath(p.trim(), base, env)).join(':');
    case 'pathlist':
      return value.split(',').map((p) => p.trim()).filter(Boolean).map((p) => expandPath(p, base, env)).join(',');
    case 'list':
      return value.split(',').map((p) => unquote(p.trim())).join(',');
    default:
      return unquote(value.trim());
  }
}

/** Ansible's unquote: one pair of matching outer quotes removed. */
function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}

/** Ansible's unfrackpath without following links: $VARS and ~ expanded, made absolute against `base`. */
export function expandPath(p: string, base: string, env: Record<string, string | undefined>): string {
  let out = p.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? whole);
  out = out.replace(/^~(?=\/|$)/, env.HOME ?? homedir());
  return normalize(isAbsolute(out) ? out : resolve(base, out));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function holdsFiles(dir: string): boolean {
  if (!existsSync(dir) || !isDir(dir)) return false;
  try {
    return readdirSync(dir).some((n) => !n.startsWith('.') && n !== '__pycache__' && n !== '__init__.py');
  } catch {
    return false;
  }
}

/** What a run takes from Ansible's settings (environment, then ansible.cfg): below the command line. */
export interface ConfiguredRunOptions {
  inventory?: string[];
  forks?: number;
  gathering?: 'implicit' | 'explicit' | 'smart';
  /** any_errors_fatal, no_log, task_timeout (seconds, 0: none) and strategy as keyword defaults. */
  keywordDefaults: { anyErrorsFatal?: boolean; noLog?: boolean; timeout?: number; strategy?: 'linear' | 'free' };
  remoteUser?: string;
  remotePort?: number;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  timeoutSeconds?: number;
  becomeAskPass: boolean;
  /** [privilege_escalation] become, become_user, become_method, become_flags, become_exe. */
  become: { become?: boolean; becomeUser?: string; becomeMethod?: string; becomeFlags?: string; becomeExe?: string };
  askVaultPass: boolean;
  diffAlways: boolean;
  runTags: string[];
  skipTags: string[];
}

/** Reads the run's settings from the merged environment (ansibleConfig().env); a bad number is a ConfigError. */
export function configuredRunOptions(env: Record<string, string | undefined>, cwd: string): ConfiguredRunOptions {
  const int = (name: string, min: number): number | undefined => {
    const v = env[name]?.trim();
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name}=${v}: not a whole number of at least ${min} (from the environment or ansible.cfg)`);
    return n;
  };
  const flag = (...names: string[]): boolean | undefined => {
    for (const name of names) if (env[name] !== undefined) return isTrue(env[name]!);
    return undefined;
  };
  const list = (name: string) => (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const inventory = env.ANSIBLE_INVENTORY ? list('ANSIBLE_INVENTORY').map((p) => expandPath(p, cwd, env)) : undefined;
  return {
    ...(inventory && inventory.length > 0 ? { inventory } : {}),
    forks: int('ANSIBLE_FORKS', 1),
    gathering: (env.ANSIBLE_GATHERING?.trim() || undefined) as ConfiguredRunOptions['gathering'],
    keywordDefaults: Object.fromEntries(
      Object.entries({
        anyErrorsFatal: flag('ANSIBLE_ANY_ERRORS_FATAL'),
        noLog: flag('ANSIBLE_NO_LOG'),
        timeout: int('ANSIBLE_TASK_TIMEOUT', 0) || undefined,
        strategy: env.ANSIBLE_STRATEGY?.trim().replace(/^ansible\.builtin\./, '') || undefined,
      }).filter(([, v]) => v !== undefined),
    ),
    remoteUser: env.ANSIBLE_REMOTE_USER?.trim() || undefined,
    remotePort: int('ANSIBLE_REMOTE_PORT', 1),
    privateKeyFile: env.ANSIBLE_PRIVATE_KEY_FILE ? expandPath(env.ANSIBLE_PRIVATE_KEY_FILE.trim(), cwd, env) : undefined,
    hostKeyChecking: flag('ANSIBLE_HOST_KEY_CHECKING', 'ANSIBLE_SSH_HOST_KEY_CHECKING'),
    timeoutSeconds: int('ANSIBLE_TIMEOUT', 1) ?? int('ANSIBLE_SSH_TIMEOUT', 1),
    becomeAskPass: flag('ANSIBLE_BECOME_ASK_PASS') ?? false,
    become: Object.fromEntries(
      Object.entries({
        become: flag('ANSIBLE_BECOME'),
        becomeUser: env.ANSIBLE_BECOME_USER?.trim() || undefined,
        becomeMethod: env.ANSIBLE_BECOME_METHOD?.trim() || undefined,
        becomeFlags: env.ANSIBLE_BECOME_FLAGS,
        becomeExe: env.ANSIBLE_BECOME_EXE?.trim() || undefined,
      }).filter(([, v]) => v !== undefined),
    ),
    askVaultPass: flag('ANSIBLE_ASK_VAULT_PASS') ?? false,
    diffAlways: flag('ANSIBLE_DIFF_ALWAYS') ?? false,
    runTags: list('ANSIBLE_RUN_TAGS'),
    skipTags: list('ANSIBLE_SKIP_TAGS'),
  };
}
