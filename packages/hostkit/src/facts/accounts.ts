/**
 * Local users and groups, as the host's name service sees them (getent, as Ansible's pwd/grp calls
 * do): one command, pure parsers. `local` reads /etc/passwd and /etc/group themselves.
 */
import { shellQuote, type Fact } from '@haweb/core';

export interface PasswdEntry {
  name: string;
  /** The passwd file's password field (x when shadowed). */
  password: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface ShadowEntry {
  /** The hash ('!' prefixed when locked, '*' or '!' for no password). */
  hash: string;
  /** Days since the epoch the account expires; -1 when it never does. */
  expireDays: number;
  minDays: number;
  maxDays: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface AccountFacts {
  user?: PasswdEntry;
  shadow?: ShadowEntry;
  groups: GroupEntry[];
  /** For each path asked about: is it there (a home folder, its parent). */
  paths: Record<string, boolean>;
  /**
   * The mode Ansible's create_homedir gives a home it makes itself (a missing home, or one whose parent
   * is missing): 0777 minus login.defs' UMASK; undefined when login.defs has no `UMASK <digits>` line
   * (the copied skeleton's mode stays). HOME_MODE, which useradd -m reads, plays no part there.
   */
  homeMode?: number;
  /** With `local`: which of libuser's commands the host has (luseradd, lusermod, luserdel, lgroupmod, lchage). */
  libuser?: string[];
  /** With `local`: the PATH they were looked up in (for Ansible's "Failed to find required executable"). */
  pathEnv?: string;
}

const LIBUSER = ['luseradd', 'lusermod', 'luserdel', 'lgroupmod', 'lchage'];

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 7 || f[0] === '') return undefined;
  return { name: f[0], password: f[1], uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f.slice(6).join(':') };
}

export function parseGroupLine(line: string): GroupEntry | undefined {
  const f = line.split(':');
  if (f.length < 4 || f[0] === '') return undefined;
  return { name: f[0], gid: Number(f[2]), members: f[3] === '' ? [] : f[3].split(',') };
}

export function parseShadowLine(line: string): ShadowEntry | undefined {
  const f = line.split(':');
  if (f.length < 8) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === '' ? -1 : Number(s));
  return { hash: f[1], minDays: num(f[3]), maxDays: num(f[4]), expireDays: num(f[7]) };
}

/** 0777 minus the last `UMASK <digits>` line of login.defs (the line whole, as Ansible's create_homedir matches it), else undefined. */
export function parseHomeMode(loginDefs: string): number | undefined {
  let mode: number | undefined;
  for (const line of loginDefs.split('\n')) {
    const m = /^UMASK\s+([0-7]+)$/.exec(line);
    if (m) mode = 0o777 & ~parseInt(m[1], 8);
  }
  return mode;
}

export interface AccountFactArgs {
  user?: string;
  /** Read /etc/passwd and /etc/group instead of the name service. */
  local?: boolean;
  paths?: readonly string[];
}

const SECTIONS = ['passwd', 'shadow', 'group', 'paths', 'logindefs', 'libuser', 'path'] as const;

export const accountFacts: Fact<AccountFactArgs, AccountFacts> = {
  name: 'accounts',
  command({ user, local, paths = [] }) {
    const q = user === undefined ? '' : shellQuote(user);
    const lookup = (db: 'passwd' | 'group' | 'shadow', key: string) =>
      local ? `awk -F: -v n=${key} '$1 == n' /etc/${db} | tail -n 1` : `getent ${db} ${key}`;
    return [
      'echo "@passwd"', user === undefined ? ':' : `${lookup('passwd', q)} || true`,
      'echo "@shadow"', user === undefined ? ':' : `${lookup('shadow', q)} || true`,
      'echo "@group"', local ? 'cat /etc/group' : 'getent group',
      'echo "@paths"', ...paths.map((p) => `[ -e ${shellQuote(p)} ] && printf '%s\\n' ${shellQuote(p)}`), 'true',
      'echo "@logindefs"', 'grep -E "^UMASK[[:space:]]" /etc/login.defs 2>/dev/null || true',
      ...(local
        ? ['echo "@libuser"', `for t in ${LIBUSER.join(' ')}; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; true`, 'echo "@path"', 'printf \'%s\\n\' "$PATH"']
        : []),
    ].join('\n');
  },
  parse(stdout, _code, { paths = [], local }) {
    const parts: Record<string, string[]> = {};
    let current: string | undefined;
    for (const line of stdout.split('\n')) {
      const section = line.startsWith('@') ? SECTIONS.find((s) => line === `@${s}`) : undefined;
      if (section) current = section;
      else if (current && line !== '') (parts[current] ??= []).push(line);
    }
    const user = parts.passwd?.map(parsePasswdLine).find((u) => u !== undefined);
    const shadow = parts.shadow?.map(parseShadowLine).find((s) => s !== undefined);
    const there = new Set(parts.paths ?? []);
    const facts: AccountFacts = {
      ...(user ? { user } : {}),
      ...(shadow ? { shadow } : {}),
      groups: (parts.group ?? []).map(parseGroupLine).filter((g): g is GroupEntry => g !== undefined),
      paths: Object.fromEntries(paths.map((p) => [p, there.has(p)])),
    };
    const homeMode = parseHomeMode((parts.logindefs ?? []).join('\n'));
    if (homeMode !== undefined) facts.homeMode = homeMode;
    if (local) Object.assign(facts, { libuser: (parts.libuser ?? []).filter((t) => LIBUSER.includes(t)), pathEnv: parts.path?.[0] ?? '' });
    return facts;
  },
};

/** A group by name, or by number as Ansible's group_exists also accepts. */
export function findGroup(groups: readonly GroupEntry[], nameOrGid: string): GroupEntry | undefined {
  return groups.find((g) => g.name === nameOrGid) ?? (/^\d+$/.test(nameOrGid) ? groups.find((g) => g.gid === Number(nameOrGid)) : undefined);
}
