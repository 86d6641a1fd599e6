/**
 * Who runs a task on a host: the login user and the become settings, from the keywords (remote_user,
 * become, become_user, become_method, become_flags, become_exe; the nearest one written wins) and the
 * host's connection variables. As in Ansible 2.14 (PlayContext.set_task_and_variable_override and
 * MAGIC_VARIABLE_MAPPING), a connection variable that is set wins over the keyword: ansible_user over
 * remote_user, ansible_become over become, ansible_become_user over become_user, and so on; the become
 * password is ansible_become_password (then ansible_become_pass), else the one --ask-become-pass read.
 * Pure: the caller renders templates first.
 */
import type { Become, Remote } from '../contract/remote.js';
import type { RunAsKeywords, Vars } from '../model.js';
import { asBoolean } from './conditions.js';

export const BECOME_METHODS: readonly Become['method'][] = ['sudo', 'su'];

/** The variables Ansible reads for each setting, in its order (the first one set wins). */
export const BECOME_VARS = {
  become: ['ansible_become'],
  user: ['ansible_become_user'],
  method: ['ansible_become_method'],
  flags: ['ansible_become_flags'],
  exe: ['ansible_become_exe'],
  password: ['ansible_become_password', 'ansible_become_pass'],
} as const;

export const LOGIN_USER_VARS = ['ansible_user', 'ansible_ssh_user'] as const;

export interface BecomeInputs {
  /** The nearest `become` keyword (task, block, play), rendered; undefined when none is written. */
  keyword: boolean | undefined;
  /** remote_user and become_* keywords, the nearest of each, rendered. */
  runAs: RunAsKeywords;
  /** The host's variables for the task; read(name) gives one rendered, undefined when not set. */
  read(name: string): unknown;
  /** --ask-become-pass. */
  cliPassword?: string;
  /** Ansible's configured become settings ([privilege_escalation] in ansible.cfg, ANSIBLE_BECOME...): below every keyword. */
  configured?: BecomeDefaults;
}

/** The configured defaults of become and its settings (Ansible's DEFAULT_BECOME, DEFAULT_BECOME_USER, ...). */
export interface BecomeDefaults {
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
  becomeExe?: string;
}

export interface WhoRuns {
  become: boolean;
  /** Who `become` runs commands as. */
  as: Become;
  /** The remote_user keyword, when no ansible_user variable overrides it. */
  remoteUser?: string;
}

function first(read: (name: string) => unknown, names: readonly string[]): unknown {
  for (const n of names) {
    const v = read(n);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  return v === undefined ? undefined : String(v);
}

export function resolveWhoRuns(input: BecomeInputs): WhoRuns {
  const { read, runAs } = input;
  const becomeVar = first(read, BECOME_VARS.become);
  const configured = input.configured ?? {};
  const become = becomeVar !== undefined ? asBoolean(becomeVar) : (input.keyword ?? configured.become ?? false);
  const method = text(first(read, BECOME_VARS.method)) ?? runAs.becomeMethod ?? configured.becomeMethod ?? 'sudo';
  if (!(BECOME_METHODS as readonly string[]).includes(method)) {
    throw new Error(`become_method '${method}' is not supported by this provisioner (supported: ${BECOME_METHODS.join(', ')})`);
  }
  const user = text(first(read, BECOME_VARS.user)) ?? runAs.becomeUser ?? configured.becomeUser ?? 'root';
  if (user.trim() === '') throw new Error('become_user is empty');
  const flags = text(first(read, BECOME_VARS.flags)) ?? runAs.becomeFlags ?? configured.becomeFlags;
  const exe = text(first(read, BECOME_VARS.exe)) ?? runAs.becomeExe ?? configured.becomeExe;
  const password = text(first(read, BECOME_VARS.password)) ?? input.cliPassword;
  const loginVar = first(read, LOGIN_USER_VARS);
  return {
    become,
    as: {
      user,
      method: method as Become['method'],
      ...(flags !== undefined ? { flags } : {}),
      ...(exe !== undefined ? { exe } : {}),
      ...(password !== undefined && password !== '' ? { password } : {}),
    },
    ...(loginVar === undefined && runAs.remoteUser !== undefined ? { remoteUser: runAs.remoteUser } : {}),
  };
}

/** Reads a variable for resolveWhoRuns: SecretStrings revealed, templates rendered. */
export function variableReader(vars: Vars, render: (value: unknown) => unknown): (name: string) => unknown {
  return (name) => {
    const v = vars[name];
    if (v === undefined || v === null || v === '') return undefined;
    return render(v);
  };
}

/**
 * A Remote whose `become: true` (as modules ask for it) means the task's become settings. Modules keep
 * passing their boolean; only the engine knows who that is.
 */
export function withBecome(remote: Remote, as: Become): Remote {
  const pick = (become: boolean | Become | undefined) => (become === true ? as : become);
  return {
    hostName: remote.hostName,
    run: (command, options) => remote.run(command, options && { ...options, become: pick(options.become) }),
    writeFile: (path, content, attrs) => remote.writeFile(path, content, attrs && { ...attrs, become: pick(attrs.become) }),
    putFile: (local, path, attrs) => remote.putFile(local, path, attrs && { ...attrs, become: pick(attrs.become) }),
    readFile: (path, options) => remote.readFile(path, options && { ...options, become: pick(options.become) }),
  };
}
