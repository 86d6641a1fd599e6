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
  /** The mode a new home gets (login.defs HOME_MODE, else 0777 & ~UMASK). */
  homeMode: number;
}

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

/** HOME_MODE from login.defs, else 0777 minus its UMASK (022 when absent), as useradd -m does. */
export function parseHomeMode(loginDefs: string): number {
  const value = (key: string) => new RegExp(`^\\s*${key}\\s+(\\S+)`, 'm').exec(loginDefs)?.[1];
  const home = value('HOME_MODE');
  if (home && /^[0-7]+$/.test(home)) return parseInt(home, 8);
  const umask = value('UMASK');
  return 0o777 & ~(umask && /^[0-7]+$/.test(umask) ? parseInt(umask, 8) : 0o022);
}

export interface AccountFactArgs {
  user?: string;
  /** Read /etc/passwd and /etc/group instead of the name service. */
  local?: boolean;
  paths?: readonly string[];
}

const SECTIONS = ['passwd', 'shadow', 'group', 'paths', 'logindefs'] as const;

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
      'echo "@logindefs"', 'grep -E "^[[:space:]]*(HOME_MODE|UMASK)[[:space:]]" /etc/login.defs 2>/dev/null || true',
    ].join('\n');
  },
  parse(stdout, _code, { paths = [] }) {
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
    return {
      ...(user ? { user } : {}),
      ...(shadow ? { shadow } : {}),
      groups: (parts.group ?? []).map(parseGroupLine).filter((g): g is GroupEntry => g !== undefined),
      paths: Object.fromEntries(paths.map((p) => [p, there.has(p)])),
      homeMode: parseHomeMode((parts.logindefs ?? []).join('\n')),
    };
  },
};

/** A group by name, or by number as Ansible's group_exists also accepts. */
export function findGroup(groups: readonly GroupEntry[], nameOrGid: string): GroupEntry | undefined {
  return groups.find((g) => g.name === nameOrGid) ?? (/^\d+$/.test(nameOrGid) ? groups.find((g) => g.gid === Number(nameOrGid)) : undefined);
}
