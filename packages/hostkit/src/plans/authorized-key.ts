/**
 * An authorized_keys file as ansible.posix.authorized_key rewrites it: lines keyed by their key blob
 * (comments and lines that are no key kept in place, keyed by their text), a changed key moved to the
 * end, options written back in their order, `<options> <type> <blob> <comment>` with Ansible's
 * trailing space when a key has no comment. Pure; the fact reads the user's entry and the file.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { parsePasswdLine, type PasswdEntry } from '../facts/accounts.js';
import { outputSections } from '../util/sections.js';

const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521-cert-v01@openssh.com', 'sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', 'ssh-dss', 'ssh-rsa', 'ssh-xmss@openssh.com', 'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** Key options in order; a name may repeat (permitopen twice); value null for a flag. */
export type KeyOptions = [string, string | null][];

export interface AuthorizedKey {
  /** The key blob (for a skipped line: the line itself). */
  id: string;
  /** The key type, or 'skipped' for a line kept as it is. */
  type: string;
  options: KeyOptions;
  comment: string;
  rank: number;
}

/** Ansible's parseoptions: split at commas outside quotes. */
export function parseKeyOptions(options: string | undefined | null): KeyOptions {
  const out: KeyOptions = [];
  if (!options) return out;
  const parts = options.split(/((?:[^,"']|"[^"]*"|'[^']*')+)/).slice(1, -1);
  for (const part of parts) {
    const i = part.indexOf('=');
    if (i >= 0) out.push([part.slice(0, i), part.slice(i + 1)]);
    else if (part !== ',') out.push([part, null]);
  }
  return out;
}

/** Ansible's parsekey: undefined when the line holds no key of a known type. */
export function parseAuthorizedKey(raw: string, rank: number): AuthorizedKey | undefined {
  const line = raw.replace(/\\#/g, '#');
  const parts = line.split(/[ \t\r\n]+/).filter((p) => p !== '');
  if (parts[0] === '#') return { id: line, type: 'skipped', options: [], comment: '', rank };
  const at = parts.findIndex((p) => KEY_TYPES.has(p));
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return { id: parts[at + 1], type: parts[at], options: parseKeyOptions(at > 0 ? parts.slice(0, at).join(' ') : undefined), comment: parts.slice(at + 2).join(' '), rank };
}

/** The file's lines, keyed as Ansible's dict keys them (a later duplicate replaces an earlier one in place). */
export function parseAuthorizedKeys(content: string): Map<string, AuthorizedKey> {
  const keys = new Map<string, AuthorizedKey>();
  const lines = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  lines.forEach((line, rank) => {
    const k = parseAuthorizedKey(line, rank);
    if (k) keys.set(k.id, k);
    else keys.set(line, { id: line, type: 'skipped', options: [], comment: '', rank });
  });
  return keys;
}

export function serializeAuthorizedKeys(keys: Map<string, AuthorizedKey>): string {
  return [...keys.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((k) => {
      if (k.type === 'skipped') return k.id;
      const opts = k.options.length ? `${k.options.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join(',')} ` : '';
      return `${opts}${k.type} ${k.id} ${k.comment}\n`;
    })
    .join('');
}

/** Python's dict equality of two keydicts: names -> their values in order, names in any order. */
function sameOptions(a: KeyOptions, b: KeyOptions): boolean {
  const group = (o: KeyOptions) => {
    const m = new Map<string, (string | null)[]>();
    for (const [n, v] of o) m.set(n, [...(m.get(n) ?? []), v]);
    return m;
  };
  const x = group(a);
  const y = group(b);
  return x.size === y.size && [...x].every(([n, v]) => JSON.stringify(y.get(n)) === JSON.stringify(v));
}

export interface AuthorizedKeyArgs {
  key: string;
  state: 'present' | 'absent';
  keyOptions?: string | null;
  comment?: string | null;
  exclusive: boolean;
}

export class AuthorizedKeyError extends Error {}

/** Ansible's enforce_state on the file's content: the new content when it changes. */
export function planAuthorizedKeys(existing: string, args: AuthorizedKeyArgs): { changed: boolean; content: string } {
  const wanted = args.key.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/).filter((s) => s !== '' && !s.startsWith('#'));
  const keys = parseAuthorizedKeys(existing);
  const maxRank = keys.size;
  const keep: string[] = [];
  let write = false;
  wanted.forEach((line, rank) => {
    let k = parseAuthorizedKey(line, rank);
    if (!k) throw new AuthorizedKeyError(`invalid key specified: ${line}`);
    if (args.keyOptions !== undefined && args.keyOptions !== null) k = { ...k, options: parseKeyOptions(args.keyOptions) };
    if (args.comment !== undefined && args.comment !== null) k = { ...k, comment: args.comment };
    const old = keys.get(k.id);
    let matched = false;
    let differs = false;
    if (old) {
      const same = old.type === k.type && sameOptions(old.options, k.options) && old.comment === k.comment;
      if (!same && args.state === 'present') differs = true;
      else matched = true;
    }
    if (args.state === 'present') {
      keep.push(k.id);
      if (differs) {
        keys.delete(k.id);
        write = true;
      }
      if (!matched) {
        keys.set(k.id, { ...k, rank: maxRank + k.rank });
        write = true;
      }
    } else if (matched) {
      keys.delete(k.id);
      write = true;
    }
  });
  if (args.state === 'present' && args.exclusive) {
    for (const id of [...keys.keys()]) {
      if (!keep.includes(id)) {
        keys.delete(id);
        write = true;
      }
    }
  }
  return { changed: write, content: write ? serializeAuthorizedKeys(keys) : existing };
}

const MARK = '@@haweb-akey@@';

export interface AuthorizedKeyFacts {
  user?: PasswdEntry;
  /** The keys file's path with symbolic links resolved (for follow). */
  realpath?: string;
  /** The keys file's content ('' when it is not a regular file). */
  content: string;
  /** Whether the folder of the keys file exists. */
  dirExists: boolean;
}

/** The user's passwd entry, the keys file (path, or ~user/.ssh/authorized_keys) and its real path. */
export const authorizedKeyState: Fact<{ user: string; path?: string }, AuthorizedKeyFacts> = {
  name: 'authorized_key.state',
  command({ user, path }) {
    const u = shellQuote(user);
    const lines = [`echo ${MARK}passwd; getent passwd ${u} || true`];
    lines.push(path !== undefined ? `f=${shellQuote(path)}` : `h=$(getent passwd ${u} | cut -d: -f6); f="$h/.ssh/authorized_keys"`);
    lines.push(`echo ${MARK}realpath; realpath -m -- "$f" 2>/dev/null || true`);
    lines.push(`echo ${MARK}dir; if [ -d "$(dirname -- "$f")" ]; then echo yes; fi`);
    lines.push(`echo ${MARK}content; if [ -f "$f" ]; then cat -- "$f"; fi`, 'exit 0');
    return lines.join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const user = parsePasswdLine((s.get('passwd') ?? '').split('\n')[0]);
    const real = (s.get('realpath') ?? '').replace(/\n$/, '');
    return { ...(user ? { user } : {}), ...(real ? { realpath: real } : {}), content: s.get('content') ?? '', dirExists: (s.get('dir') ?? '').trim() === 'yes' };
  },
};
