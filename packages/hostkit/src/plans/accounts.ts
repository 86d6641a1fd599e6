/**
 * Users and groups (Ansible's user and group modules on Linux: shadow-utils' useradd, usermod,
 * userdel, groupadd, groupmod, groupdel, chage): pure functions from the account facts to the
 * commands, deciding as Ansible's modules decide, so `changed` means the same.
 */
import { shellQuote } from '@haweb/core';
import type { Step } from '../apply.js';
import { findGroup, type AccountFacts, type GroupEntry } from '../facts/accounts.js';

export class AccountPlanError extends Error {}

const run = (argv: string[], why: string): Step => ({ kind: 'run', argv, why });

export interface GroupArgs {
  name: string;
  state: 'present' | 'absent';
  gid?: number;
  system: boolean;
  non_unique: boolean;
}

/** groupadd / groupmod -g / groupdel, or nothing. */
export function planGroup(current: GroupEntry | undefined, args: GroupArgs): Step[] {
  if (args.state === 'absent') return current ? [run(['groupdel', args.name], `remove group ${args.name}`)] : [];
  if (!current) {
    return [
      run(
        ['groupadd', ...(args.gid !== undefined ? ['-g', String(args.gid), ...(args.non_unique ? ['-o'] : [])] : []), ...(args.system ? ['-r'] : []), args.name],
        `add group ${args.name}`,
      ),
    ];
  }
  if (args.gid !== undefined && current.gid !== args.gid) {
    return [run(['groupmod', '-g', String(args.gid), ...(args.non_unique ? ['-o'] : []), args.name], `group ${args.name}: gid ${current.gid} -> ${args.gid}`)];
  }
  return [];
}

export interface UserArgs {
  name: string;
  state: 'present' | 'absent';
  uid?: number;
  non_unique: boolean;
  group?: string;
  /** undefined: leave memberships alone; []: none (unless append). */
  groups?: string[];
  append: boolean;
  comment?: string;
  home?: string;
  shell?: string;
  password?: string;
  update_password: 'always' | 'on_create';
  password_lock?: boolean;
  create_home: boolean;
  move_home: boolean;
  skeleton?: string;
  umask?: string;
  system: boolean;
  force: boolean;
  remove: boolean;
  /** Seconds since the epoch (Ansible's float); negative: never expires. */
  expires?: number;
  password_expire_max?: number;
  password_expire_min?: number;
  /**
   * Ansible's `local`: the account is looked up in /etc/passwd itself (the facts were read so), and
   * libuser's commands act, as Ansible runs them: luseradd / lusermod / luserdel, lchage -E for the
   * expiry, lgroupmod -M / -m for memberships; no userdel -f, no umask. They must be installed (the
   * facts list those found), else Ansible's "Failed to find required executable".
   */
  local?: boolean;
}

export interface UserPlan {
  /** useradd, usermod or userdel (at most one), then chage. */
  steps: Step[];
  /** Which of Ansible's branches runs (it decides the result's keys); changed when steps are left. */
  action: 'none' | 'create' | 'modify' | 'remove';
  /** Ansible's warnings for these arguments and facts, in its order and number. */
  warnings: string[];
}

/** The characters a crypt hash's last field never holds (Ansible's _HASH_RE). */
const NOT_HASH = /[^a-zA-Z0-9./=]/;

/** Ansible's check_password_encrypted: does `password` look like something other than a crypt hash? */
export function passwordLooksUnhashed(password: string): boolean {
  if (password === '' || ['*', '!', '*************'].includes(password)) return false;
  if (/[:*!]/.test(password) || !password.includes('$')) return true;
  const fields = password.split('$');
  if (fields.length < 3) return true;
  const last = fields[fields.length - 1];
  const lengths: Record<string, number> = { '1': 22, '5': 43, '6': 86 };
  return NOT_HASH.test(last) || (lengths[fields[1]] !== undefined && last.length !== lengths[fields[1]]);
}

export const UNHASHED_PASSWORD_WARNING = "The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly.";
export const APPEND_WITHOUT_GROUPS_WARNING = "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14.";
export const localUserMissingWarning = (name: string): string =>
  `'local: true' specified and user '${name}' was not found in /etc/passwd. The local user account may already exist if the local account database exists somewhere other than /etc/passwd.`;

/**
 * The warnings Ansible's user module gives, in its order: append without groups, a password that does
 * not look hashed, then one for each time it looks a `local` account up in /etc/passwd and does not
 * find it (before acting; when adding with groups, again while checking them; after acting, when the
 * account is gone or was never there).
 */
function userWarnings(facts: AccountFacts, args: UserArgs, check: boolean): string[] {
  const out: string[] = [];
  if (args.append && args.groups === undefined) out.push(APPEND_WITHOUT_GROUPS_WARNING);
  if (args.password !== undefined && passwordLooksUnhashed(args.password)) out.push(UNHASHED_PASSWORD_WARNING);
  if (args.local) {
    let misses = 0;
    if (args.state === 'absent') misses = facts.user ? (check ? 0 : 1) : 2;
    else if (!facts.user) misses = check ? 1 : 1 + ((args.groups ?? []).join(',') !== '' ? 1 : 0);
    for (let i = 0; i < misses; i++) out.push(localUserMissingWarning(args.name));
  }
  return out;
}

const DAY = 86_400;

/** useradd -e / usermod -e take a date (YYYY-MM-DD, UTC); an empty one clears the expiry. */
function expiryDate(expires: number): string {
  return expires < 0 ? '' : new Date(Math.floor(expires) * 1000).toISOString().slice(0, 10);
}

function requireGroup(facts: AccountFacts, name: string): GroupEntry {
  const g = findGroup(facts.groups, name);
  if (!g) throw new AccountPlanError(`Group ${name} does not exist`);
  return g;
}

/**
 * The user module's whole decision, from its facts (paths: the wanted home folder, its parent, and the
 * current home). `check`: only the warnings differ (Ansible stops early in check mode).
 */
export function planUser(facts: AccountFacts, args: UserArgs, check = false): UserPlan {
  if (args.umask !== undefined && args.local) throw new AccountPlanError("'umask' can not be used with 'local'");
  const plan = planUserSteps(facts, args, check);
  return { ...plan, warnings: userWarnings(facts, args, check) };
}

/** Ansible's get_bin_path(name, required=True) for libuser's commands, in the order it asks. */
function requireLibuser(facts: AccountFacts, names: string[]): void {
  for (const n of names) {
    if (!facts.libuser?.includes(n)) {
      const paths = (facts.pathEnv ?? '').split(':').filter(Boolean);
      for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!paths.includes(d)) paths.push(d);
      throw new AccountPlanError(`Failed to find required executable "${n}" in paths: ${paths.join(':')}`);
    }
  }
}

/** lchage -E takes days since the epoch (-1: never), as Ansible computes them for local accounts. */
const expiryDays = (expires: number): string => String(expires < 0 ? -1 : Math.floor(Math.floor(expires) / DAY));

function planUserSteps(facts: AccountFacts, args: UserArgs, check: boolean): Omit<UserPlan, 'warnings'> {
  const { user } = facts;
  const name = args.name;
  const local = args.local === true;
  if (args.state === 'absent') {
    if (!user) return { steps: [], action: 'none' };
    if (local && !check) requireLibuser(facts, ['luserdel']);
    const force = args.force && !local ? ['-f'] : [];
    return { steps: [run([local ? 'luserdel' : 'userdel', ...force, ...(args.remove ? ['-r'] : []), name], `remove user ${name}`)], action: 'remove' };
  }
  const groups = args.groups?.filter((g) => g !== '');
  for (const g of groups ?? []) requireGroup(facts, g);
  if (!user) {
    if (local && !check) requireLibuser(facts, ['lgroupmod', 'lchage', 'luseradd']);
    const argv = [local ? 'luseradd' : 'useradd'];
    if (args.uid !== undefined) argv.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
    if (args.group !== undefined) argv.push('-g', requireGroup(facts, args.group) && args.group);
    else if (findGroup(facts.groups, name)) argv.push(local ? '-n' : '-N');
    if (groups && groups.length > 0 && !local) argv.push('-G', groups.join(','));
    if (args.comment !== undefined) argv.push('-c', args.comment);
    const steps: Step[] = [];
    if (args.home !== undefined) {
      argv.push('-d', args.home);
    }
    if (args.shell !== undefined) argv.push('-s', args.shell);
    if (args.expires !== undefined && !local) argv.push('-e', expiryDate(args.expires));
    if (args.password !== undefined) argv.push('-p', args.password_lock ? `!${args.password}` : args.password);
    if (args.create_home) {
      if (!local) argv.push('-m');
      if (args.skeleton !== undefined) argv.push('-k', args.skeleton);
      if (args.umask !== undefined) argv.push('-K', `UMASK=${args.umask}`);
    } else {
      argv.push('-M');
    }
    if (args.system) argv.push('-r');
    argv.push(name);
    // useradd -m cannot make a home whose parent is missing: Ansible makes the home itself first (from
    // the skeleton), lets useradd warn that it exists, then gives it to the new user.
    const parentMissing = args.home !== undefined && args.create_home && facts.paths[args.home.replace(/\/[^/]*\/?$/, '') || '/'] === false;
    if (parentMissing) steps.push(makeHome(args.home!, args.skeleton, facts.homeMode));
    steps.push(run(argv, `add user ${name}`));
    if (local && args.expires !== undefined) steps.push(run(['lchage', '-E', expiryDays(args.expires), name], `expiry of ${name}`));
    if (local) for (const g of new Set(groups)) steps.push(run(['lgroupmod', '-M', name, g], `${name} in group ${g}`));
    if (parentMissing) steps.push(run(['chown', '-R', `${name}:`, '--', args.home!], `give ${args.home} to ${name}`));
    steps.push(...chageSteps(undefined, args));
    return { steps, action: 'create' };
  }

  if (local) requireLibuser(facts, ['lgroupmod', 'lchage', 'lusermod']);
  const argv = [local ? 'lusermod' : 'usermod'];
  const after: Step[] = [];
  if (args.uid !== undefined && user.uid !== args.uid) argv.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
  if (args.group !== undefined) {
    const g = requireGroup(facts, args.group);
    if (user.gid !== g.gid) argv.push('-g', String(g.gid));
  }
  if (args.groups !== undefined) {
    const current = facts.groups.filter((g) => g.members.includes(name)).map((g) => g.name);
    const wanted = groups ?? [];
    let change = false;
    if (wanted.length === 0) {
      change = current.length > 0 && !args.append;
    } else {
      const diff = new Set([...current.filter((g) => !wanted.includes(g)), ...wanted.filter((g) => !current.includes(g))]);
      if (diff.size > 0) {
        if (args.append) {
          if (wanted.some((g) => diff.has(g))) {
            // lusermod has no --append: Ansible's check of its --help finds none.
            if (!local) argv.push('-a');
            change = true;
          }
        } else {
          change = true;
        }
      }
    }
    if (change && !local) argv.push('-G', wanted.join(','));
    if (change && local) {
      for (const g of new Set(wanted)) if (!current.includes(g)) after.push(run(['lgroupmod', '-M', name, g], `${name} in group ${g}`));
      if (!args.append) for (const g of current) if (!wanted.includes(g)) after.push(run(['lgroupmod', '-m', name, g], `${name} out of group ${g}`));
    }
  }
  if (args.comment !== undefined && user.comment !== args.comment) argv.push('-c', args.comment);
  if (args.home !== undefined && user.home !== args.home) argv.push('-d', args.home, ...(args.move_home ? ['-m'] : []));
  if (args.shell !== undefined && user.shell !== args.shell) argv.push('-s', args.shell);
  if (args.expires !== undefined) {
    const current = facts.shadow?.expireDays ?? -1;
    let expiry: string | undefined;
    if (args.expires < 0) {
      if (current >= 0) expiry = '';
    } else if (current < 0 || expiryDate(current * DAY) !== expiryDate(args.expires)) {
      expiry = expiryDate(args.expires);
    }
    if (expiry !== undefined && !local) argv.push('-e', expiry);
    // lchage runs first among the commands after lusermod.
    if (expiry !== undefined && local) after.unshift(run(['lchage', '-E', expiryDays(args.expires), name], `expiry of ${name}`));
  }
  const hash = facts.shadow?.hash ?? user.password;
  let lock: string[] = [];
  if (args.password_lock === true && !hash.startsWith('!')) lock = ['-L'];
  else if (args.password_lock === false && hash.startsWith('!')) lock = ['-U'];
  if (args.update_password === 'always' && args.password !== undefined && hash.replace(/^!+/, '') !== args.password.replace(/^!+/, '')) {
    lock = ['-p', args.password_lock ? `!${args.password}` : args.password];
  }
  argv.push(...lock);
  const steps: Step[] = [...(argv.length > 1 ? [run([...argv, name], `modify user ${name}`)] : []), ...after];
  // A missing home is made as Ansible's create_homedir does: the skeleton's files, the login.defs mode.
  // A home moved with usermod -m is there afterwards when the old one was.
  const home = args.home ?? user.home;
  const moved = args.move_home && args.home !== undefined && args.home !== user.home && facts.paths[user.home] !== false;
  if (args.create_home && facts.paths[home] === false && !moved) {
    steps.push(makeHome(home, args.skeleton, facts.homeMode), run(['chown', '-R', `${user.uid}:${user.gid}`, '--', home], `give ${home} to ${name}`));
  }
  steps.push(...chageSteps(facts.shadow, args));
  return { steps, action: 'modify' };
}

/** A home folder as Ansible's create_homedir makes it: a copy of the skeleton (or an empty folder), the login.defs mode. */
function makeHome(home: string, skeleton: string | undefined, mode: number | undefined): Step {
  const skel = skeleton ?? '/etc/skel';
  return {
    kind: 'script',
    script: [
      `if [ -d ${shellQuote(skel)} ]; then mkdir -p -- ${shellQuote(home)} && cp -a -- ${shellQuote(`${skel}/.`)} ${shellQuote(home)}; else mkdir -p -- ${shellQuote(home)}; fi`,
      ...(mode === undefined ? [] : [`chmod ${(mode & 0o7777).toString(8).padStart(4, '0')} -- ${shellQuote(home)}`]),
    ].join(' && '),
    why: `create the home folder ${home}`,
  };
}

/** chage -M / -m when the password's maximum or minimum age differs (Ansible's set_password_expire). */
function chageSteps(shadow: AccountFacts['shadow'], args: UserArgs): Step[] {
  const argv = ['chage'];
  if (args.password_expire_max !== undefined && shadow?.maxDays !== args.password_expire_max) argv.push('-M', String(args.password_expire_max));
  if (args.password_expire_min !== undefined && shadow?.minDays !== args.password_expire_min) argv.push('-m', String(args.password_expire_min));
  return argv.length > 1 ? [run([...argv, args.name], `password ages of ${args.name}`)] : [];
}

/** The user module's `generate_ssh_key` options, as Ansible names them. */
export interface SshKeyArgs {
  user: string;
  /** Absolute, or relative to the user's home (Ansible's default `.ssh/id_<type>`). */
  file?: string;
  type: string;
  /** 0: ssh-keygen's default for the type. */
  bits: number;
  /** undefined: Ansible's `ansible-generated on <the host's name>`. */
  comment?: string;
  passphrase?: string;
  /** Overwrite an existing key (the user module's `force`). */
  force: boolean;
}

export const SSH_KEY_MARK = '@@haweb-ssh-key ';

/**
 * One script for Ansible's ssh_key_gen, ssh_key_fingerprint and get_ssh_public_key: it makes the
 * key's folder (0700, owned by the user) and the key where none is (or `force`), as root, then gives
 * the key to the user; it prints what happened, the fingerprint (`ssh-keygen -l`) and the public key,
 * each line marked so the parser never mistakes ssh-keygen's own chatter for them. In check mode it
 * only looks. The passphrase goes on ssh-keygen's command line (`-N`), the one non-interactive way;
 * the caller marks it secret so it is masked in every output.
 */
export function sshKeyScript(a: SshKeyArgs, check: boolean): string {
  const q = shellQuote;
  const rel = a.file ?? `.ssh/id_${a.type}`;
  const keygen = [
    'ssh-keygen', '-t', q(a.type), ...(a.bits > 0 ? ['-b', String(a.bits)] : []),
    '-C', a.comment !== undefined ? q(a.comment) : '"ansible-generated on $(hostname)"', '-f', '"$f"', '-N', q(a.passphrase ?? ''),
  ].join(' ');
  const mark = (what: string, value: string) => `printf '%s%s %s\\n' ${q(SSH_KEY_MARK)} ${what} "${value}"`;
  // Ansible 2.14's order: a missing folder ends a check-mode look at once; an existing private, then
  // public, key is a warning and either kept (no force) or overwritten (force).
  const force = a.force ? 1 : 0;
  const decide = [
    'state=create',
    `if [ -e "$f" ]; then if [ ${force} = 1 ]; then ${mark('warn', 'Overwriting existing ssh key private file \\"$f\\"')}; else ${mark('warn', 'Found existing ssh key private file \\"$f\\", no force, so skipping ssh-keygen generation')}; state=exists; fi; fi`,
    `if [ $state = create ] && [ -e "$f.pub" ]; then if [ ${force} = 1 ]; then ${mark('warn', 'Overwriting existing ssh key public file \\"$f.pub\\"')}; else ${mark('warn', 'Found existing ssh key public file \\"$f.pub\\", no force, so skipping ssh-keygen generation')}; state=exists; fi; fi`,
  ].join('\n');
  return [
    'set -u',
    `ent=$(getent passwd ${q(a.user)}) || { echo "user ${a.user} not found" >&2; exit 1; }`,
    'home=$(printf %s "$ent" | cut -d: -f6); uid=$(printf %s "$ent" | cut -d: -f3); gid=$(printf %s "$ent" | cut -d: -f4)',
    rel.startsWith('/')
      ? `f=${q(rel)}`
      : `${check ? '' : `[ -d "$home" ] || { echo "User ${a.user} home directory does not exist" >&2; exit 1; }; `}f="$home"/${q(rel)}`,
    'd=$(dirname "$f")',
    `${mark('file', '$f')}`,
    check
      ? `if [ ! -d "$d" ]; then ${mark('state', 'would-create')}; else\n${decide}\nif [ $state = exists ]; then ${mark('state', 'exists')}; else ${mark('state', 'would-create')}; fi; fi`
      : [
          'if [ ! -d "$d" ]; then mkdir -m 0700 "$d" && chown "$uid:$gid" "$d" || exit 1; fi',
          decide,
          'if [ $state = exists ]; then ' + mark('state', 'exists') + '; else',
          '  rm -f "$f" "$f.pub"',
          `  out=$(${keygen} 2>&1 </dev/null) || { printf '%s\\n' "$out" >&2; exit 1; }`,
          '  chown "$uid:$gid" "$f" "$f.pub" || exit 1',
          `  ${mark('state', 'created')}`,
          'fi',
        ].join('\n'),
    `if [ -e "$f" ]; then fp=$(ssh-keygen -l -f "$f" 2>&1) && ${mark('fingerprint', '$fp')}; fi`,
    `if [ -r "$f.pub" ]; then ${mark('public', '$(cat "$f.pub")')}; fi`,
  ].join('\n');
}

export interface SshKeyOutcome {
  file: string;
  state: 'exists' | 'created' | 'would-create';
  fingerprint?: string;
  publicKey?: string;
  /** Ansible's warnings about a key that was there, in its words. */
  warnings: string[];
}

/** sshKeyScript's marked lines, whatever else ssh-keygen printed around them. */
export function parseSshKeyOutput(stdout: string): SshKeyOutcome {
  const found: Record<string, string> = {};
  const warnings: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(SSH_KEY_MARK)) continue;
    const rest = line.slice(SSH_KEY_MARK.length);
    const space = rest.indexOf(' ');
    const [what, value] = [rest.slice(0, space), rest.slice(space + 1).trim()];
    if (what === 'warn') warnings.push(value);
    else found[what] = value;
  }
  if (found.file === undefined || !['exists', 'created', 'would-create'].includes(found.state)) {
    throw new AccountPlanError(`ssh key: unexpected output: ${stdout.trim().slice(0, 200)}`);
  }
  return { file: found.file, state: found.state as SshKeyOutcome['state'], fingerprint: found.fingerprint, publicKey: found.public, warnings };
}
