/**
 * A host's key in a known_hosts file as Ansible's known_hosts module manages it: the host looked up
 * with the host's own `ssh-keygen -F` (hashed names found too), a key of the same type replaced on its
 * line, a new one appended, an absent host removed. Pure plan; one fact runs ssh-keygen and reads the file.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface KnownHostsFacts {
  sshKeygen: boolean;
  /** The file's path with ~ expanded on the host. */
  path: string;
  /** The file's content, undefined when it does not exist. */
  content?: string;
  /** `ssh-keygen -F host -f path`: exit code and output (absent when the file does not exist). */
  search?: { rc: number; stdout: string; stderr: string };
  /** `ssh-keygen -F host` on the given key alone: its output (empty: the key is not for that host). */
  sanity?: string;
}

const MARK = '@@haweb-kh@@';

/** Ansible's path default ~/.ssh/known_hosts, ~ being the home of the user the module runs as. */
export const knownHostsState: Fact<{ host: string; path: string; key?: string }, KnownHostsFacts> = {
  name: 'known_hosts.state',
  command({ host, path, key }) {
    const h = shellQuote(host);
    const p = path === '~' ? '"$HOME"' : path.startsWith('~/') ? `"$HOME"/${shellQuote(path.slice(2))}` : shellQuote(path);
    const lines = [
      `p=${p}`,
      `echo ${MARK}path; printf '%s\\n' "$p"`,
      `if command -v ssh-keygen >/dev/null 2>&1; then echo ${MARK}keygen; fi`,
    ];
    if (key !== undefined) {
      lines.push(`t=$(mktemp) && printf '%s' ${shellQuote(key)} > "$t" && { echo ${MARK}sanity; ssh-keygen -F ${h} -f "$t" 2>/dev/null; rm -f "$t"; }`);
    }
    lines.push(
      `if [ -e "$p" ]; then`,
      `  o=$(mktemp); e=$(mktemp); ssh-keygen -F ${h} -f "$p" >"$o" 2>"$e"; rc=$?`,
      `  echo ${MARK}rc; echo "$rc"; echo ${MARK}stdout; cat "$o"; echo ${MARK}stderr; cat "$e"; rm -f "$o" "$e"`,
      `  echo ${MARK}content; cat -- "$p"`,
      'fi',
      'exit 0',
    );
    return lines.join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const search = s.has('rc') ? { rc: Number(s.get('rc')!.trim()), stdout: s.get('stdout') ?? '', stderr: s.get('stderr') ?? '' } : undefined;
    return {
      sshKeygen: s.has('keygen'),
      path: (s.get('path') ?? '').replace(/\n$/, ''),
      ...(s.has('content') ? { content: s.get('content') } : {}),
      ...(search ? { search } : {}),
      ...(s.has('sanity') ? { sanity: s.get('sanity') } : {}),
    };
  },
};

/** Ansible's hash_host_key: the host field replaced by |1|salt|hmac-sha1. */
export function hashHostKey(host: string, key: string, salt: Buffer = randomBytes(20)): string {
  const hashed = createHmac('sha1', salt).update(host).digest('base64');
  const parts = key.trim().split(/\s+/);
  const i = parts[0].startsWith('@') ? 1 : 0;
  parts[i] = `|1|${salt.toString('base64')}|${hashed}`;
  return parts.join(' ');
}

interface NormalKey {
  options?: string;
  host: string;
  type: string;
  key: string;
}

function normalise(line: string): NormalKey {
  const k = line.trim().split(/\s+/);
  return k[0].startsWith('@') ? { options: k[0], host: k[1], type: k[2], key: k[3] } : { host: k[0], type: k[1], key: k[2] };
}

const same = (a: NormalKey, b: NormalKey): boolean => a.options === b.options && a.host === b.host && a.type === b.type && a.key === b.key;

export class KnownHostsError extends Error {}

/** Ansible's search_for_host_key on ssh-keygen -F's output. */
export function searchHostKey(search: KnownHostsFacts['search'], key: string | undefined): { found: boolean; replaceOrAdd: boolean; foundLine?: number } {
  if (!search) return { found: false, replaceOrAdd: false };
  if (search.stdout === '' && search.stderr === '' && (search.rc === 0 || search.rc === 1)) return { found: false, replaceOrAdd: false };
  if (search.rc !== 0) throw new KnownHostsError(`ssh-keygen failed (rc=${search.rc}, stdout='${search.stdout}',stderr='${search.stderr}')`);
  if (!key) return { found: true, replaceOrAdd: false };
  const wanted = normalise(key);
  let foundLine: number | undefined;
  for (const l of search.stdout.split('\n')) {
    if (l === '') continue;
    if (l.startsWith('#')) {
      const m = /found: line (\d+)/.exec(l);
      if (m) foundLine = Number(m[1]);
      continue;
    }
    const found = normalise(l);
    if (wanted.host.startsWith('|1|') && found.host.startsWith('|1|')) wanted.host = found.host;
    if (same(wanted, found)) return { found: true, replaceOrAdd: false, foundLine };
    if (wanted.type === found.type) return { found: true, replaceOrAdd: true, foundLine };
  }
  return { found: true, replaceOrAdd: true };
}

/** Ansible's compute_diff, whose `after` is also the file Ansible writes. */
export function knownHostsAfter(before: string, foundLine: number | undefined, replaceOrAdd: boolean, state: 'present' | 'absent', key: string | undefined): string {
  const lines: string[] = [...(before.match(/[^\n]*\n|[^\n]+$/g) ?? [])];
  if ((replaceOrAdd || state === 'absent') && foundLine !== undefined && foundLine >= 1 && foundLine <= lines.length) lines.splice(foundLine - 1, 1);
  if (state === 'present' && (replaceOrAdd || foundLine === undefined)) lines.push(key ?? '');
  return lines.join('');
}
