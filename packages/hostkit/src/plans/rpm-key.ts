/**
 * rpm's GPG keys as ansible.builtin.rpm_key manages them: a key given as a URL (fetched on the host),
 * a key id, or a file; its id read with gpg (`--with-colons`, the pub line's fifth field), compared
 * with the ids of the imported keys (`rpm -q gpg-pubkey --qf "%{description}"` read by gpg), imported
 * with `rpm --import`, dropped with `rpm --erase --allmatches gpg-pubkey-<last 8 hex>`. One fact reads
 * it all (and fetches a URL into a temporary file the module removes); pure parsers.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

/** Ansible's test: a key id is 8 hex digits at the start (0x allowed). */
export function isRpmKeyId(key: string): boolean {
  return /^(0x)?[0-9a-f]{8}/i.test(key);
}

/** Upper case, no 0x, no surrounding spaces. */
export function normalizeKeyId(id: string): string {
  const up = id.trim().toUpperCase();
  return up.startsWith('0X') ? up.slice(2) : up;
}

/** The field of the first `<kind>:` line of gpg's colon listing (pub: field 4, the key id; fpr: field 9). */
export function gpgColonField(out: string, kind: 'pub' | 'fpr', field: number): string | undefined {
  for (const raw of out.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith(`${kind}:`)) return line.split(':')[field];
  }
  return undefined;
}

/** Whether a listing of the imported keys has the key id (Ansible: a substring of any line's fifth field). */
export function rpmKeyImported(listing: string, keyid: string): boolean {
  return listing.split(/\r?\n/).some((l) => (l.split(':')[4] ?? '').includes(keyid));
}

const MARK = '@@haweb-rpmkey@@';

/** Fetches argv[1] into argv[2] (argv[3] '0': certificates not checked); on failure prints fetch_url's message. */
const FETCH_PY = [
  'import ssl, sys, urllib.error, urllib.request',
  'ctx = None if sys.argv[3] == "1" else ssl._create_unverified_context()',
  'try:',
  '    data = urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).read()',
  'except urllib.error.HTTPError as e:',
  '    print(str(e)); sys.exit(1)',
  'except Exception as e:',
  '    print("Request failed: %s" % e); sys.exit(1)',
  'open(sys.argv[2], "wb").write(data)',
].join('\n');
const GPG = 'gpg --no-tty --batch --with-colons --fixed-list-mode';

export interface RpmKeyFacts {
  rpm: boolean;
  /** gpg or gpg2, when there. */
  gpg?: string;
  /** A URL's key: where it was saved, or why it was not. */
  fetched?: string;
  fetchError?: string;
  notPublicKey?: boolean;
  /** A file key: it is a regular file. */
  isFile?: boolean;
  /** gpg's listing of the key file (with fingerprints), and its exit/stderr. */
  keyListing?: string;
  keyRc?: number;
  keyErr?: string;
  /** rpm -q gpg-pubkey succeeded (some key is imported), and gpg's listing of the imported keys. */
  anyImported: boolean;
  imported: string;
  importedRc: number;
  importedErr: string;
}

/** rpm's keys, and the given key's listing: kind says how the key was given (url, id, file). */
export const rpmKeyState: Fact<{ key: string; kind: 'url' | 'id' | 'file'; validateCerts: boolean }, RpmKeyFacts> = {
  name: 'rpm_key.state',
  command({ key, kind, validateCerts }) {
    const k = shellQuote(key);
    // python3 first: its urllib gives the words Ansible's fetch_url reports (HTTP Error 404: File
    // not found; Request failed: <urlopen error ...>); curl where there is no python3.
    const fetch = [
      `t=$(mktemp); echo ${MARK}fetched; echo "$t"`,
      `if command -v python3 >/dev/null 2>&1; then err=$(python3 -c ${shellQuote(FETCH_PY)} ${k} "$t" ${validateCerts ? '1' : '0'} 2>&1) || { echo ${MARK}fetchError; echo "$err"; }`,
      `elif command -v curl >/dev/null 2>&1; then err=$(curl -fsSL${validateCerts ? '' : 'k'} -o "$t" ${k} 2>&1) || { echo ${MARK}fetchError; echo "$err"; }`,
      `else echo ${MARK}fetchError; echo 'neither python3 nor curl is installed on the host to fetch the key'; fi`,
      `grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$t" && grep -q -- '-----END PGP PUBLIC KEY BLOCK-----' "$t" || echo ${MARK}notPublicKey`,
      'f="$t"',
    ];
    const listKey = [`e=$(mktemp); o=$($g --with-fingerprint "$f" 2>"$e"); rc=$?; echo ${MARK}keyRc; echo $rc; echo ${MARK}keyErr; cat "$e"; rm -f "$e"; echo ${MARK}keyListing; printf '%s\\n' "$o"`];
    return [
      'PATH="$PATH:/usr/sbin:/sbin"; export PATH',
      `command -v rpm >/dev/null 2>&1 && echo ${MARK}rpm || exit 0`,
      'g=$(command -v gpg || command -v gpg2) || exit 0',
      `echo ${MARK}gpg; echo "$g"`,
      `g="$g ${GPG.slice(4)}"`,
      ...(kind === 'url' ? fetch : kind === 'file' ? [`f=${k}`, `[ -f "$f" ] && echo ${MARK}isFile`] : ['f=']),
      ...(kind === 'id' ? [] : ['if [ -f "$f" ]; then', ...listKey, 'fi']),
      `if rpm -q gpg-pubkey >/dev/null 2>&1; then echo ${MARK}anyImported; e=$(mktemp); o=$(rpm -q gpg-pubkey --qf '%{description}' | $g - 2>"$e"); rc=$?; echo ${MARK}importedRc; echo $rc; echo ${MARK}importedErr; cat "$e"; rm -f "$e"; echo ${MARK}imported; printf '%s\\n' "$o"; fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const one = (n: string) => s.get(n)?.trim();
    return {
      rpm: s.has('rpm'),
      gpg: one('gpg'),
      fetched: one('fetched'),
      fetchError: s.has('fetchError') ? one('fetchError') ?? '' : undefined,
      notPublicKey: s.has('notPublicKey'),
      isFile: s.has('isFile'),
      keyListing: s.get('keyListing'),
      keyRc: s.has('keyRc') ? Number(one('keyRc')) : undefined,
      keyErr: one('keyErr'),
      anyImported: s.has('anyImported'),
      imported: s.get('imported') ?? '',
      importedRc: Number(one('importedRc') ?? '0'),
      importedErr: one('importedErr') ?? '',
    };
  },
};
