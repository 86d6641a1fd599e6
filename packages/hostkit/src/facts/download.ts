/**
 * Downloading a URL on the host (get_url, and later uri): the host's own curl fetches it into a
 * temporary file, as Ansible's get_url fetches on the host, and a pure parser reads what happened
 * (exit code, HTTP status and reason, headers that matter, checksums of what arrived). Credentials and
 * headers reach curl as a config on standard input, never on its command line (visible in ps).
 */
import { shellQuote } from '@haweb/core';
import type { ChecksumAlgorithm } from './files.js';

export interface DownloadRequest {
  url: string;
  /** Folder for the temporary file (the destination's, so the final rename is atomic). */
  tmpDir: string;
  /** Send If-Modified-Since with this file's mtime (Ansible: when dest exists and force is off). */
  ifModifiedSinceFile?: string;
  /** HEAD instead of GET (Ansible's check mode); the temporary file stays empty. */
  head?: boolean;
  /** Also digest the downloaded file with this algorithm (checksum verification). */
  digest?: ChecksumAlgorithm;
  timeoutSeconds: number;
  validateCerts: boolean;
  useProxy: boolean;
  useNetrc: boolean;
  decompress: boolean;
  httpAgent: string;
  clientCert?: string;
  clientKey?: string;
  ciphers?: readonly string[];
  /**
   * Headers (lower-case names; `authorization` also drops the credentials) sent with the first request
   * only, not after a redirect (Ansible's unredirected_headers). The standard input then carries two
   * configs (downloadConfig with `unredirected`).
   */
  unredirectedHeaders?: readonly string[];
}

export interface DownloadSecrets {
  username?: string;
  password?: string;
  headers?: Readonly<Record<string, string>>;
}

/** The line between the first request's config and the one after a redirect (unredirectedHeaders). */
export const AFTER_REDIRECT = '# haweb: after a redirect';

/** A value inside a double-quoted curl config string. */
function curlConfigString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/**
 * The curl config given on stdin: credentials and headers only. With `unredirected` (lower-case header
 * names), a second config follows for the requests after a redirect, without those headers (without
 * the credentials for `authorization`).
 */
export function downloadConfig(secrets: DownloadSecrets, unredirected?: readonly string[]): string {
  if (unredirected?.length) {
    const drop = new Set(unredirected.map((h) => h.toLowerCase()));
    const after: DownloadSecrets = {
      ...(drop.has('authorization') ? {} : { username: secrets.username, password: secrets.password }),
      headers: Object.fromEntries(Object.entries(secrets.headers ?? {}).filter(([k]) => !drop.has(k.toLowerCase()))),
    };
    return `${downloadConfig(secrets)}${AFTER_REDIRECT}\n${downloadConfig(after)}`;
  }
  const lines: string[] = [];
  if (secrets.username !== undefined || secrets.password !== undefined) {
    lines.push(`user = ${curlConfigString(`${secrets.username ?? ''}:${secrets.password ?? ''}`)}`);
  }
  for (const [name, value] of Object.entries(secrets.headers ?? {})) lines.push(`header = ${curlConfigString(`${name}: ${value}`)}`);
  return lines.join('\n') + '\n';
}

/** The shell script that downloads; it prints key=value lines for parseDownload. */
export function downloadScript(req: DownloadRequest): string {
  // `config`: where curl reads its config (-K), a shell word
  const curlWith = (follow: boolean, config: string) => `curl -sS ${follow ? '-L ' : ''}-K ${config} ` + [
    '--connect-timeout', String(req.timeoutSeconds),
    // Ansible's timeout is a socket timeout: give up when nothing arrives for that long.
    '--speed-limit', '1', '--speed-time', String(req.timeoutSeconds),
    '-A', req.httpAgent,
    ...(req.validateCerts ? [] : ['-k']),
    ...(req.useProxy ? [] : ['--noproxy', '*']),
    ...(req.useNetrc ? ['--netrc-optional'] : []),
    ...(req.decompress && !req.head ? ['--compressed'] : []),
    ...(req.clientCert ? ['--cert', req.clientCert] : []),
    ...(req.clientKey ? ['--key', req.clientKey] : []),
    ...(req.ciphers?.length ? ['--ciphers', req.ciphers.join(':')] : []),
    ...(req.head ? ['-I'] : []),
  ].map(shellQuote).join(' ');
  const curl = curlWith(true, '-');
  const sum = req.digest ? `${req.digest}sum` : undefined;
  const write = "-w 'code=%{http_code}\\nurl=%{url_effective}\\n'";
  const output = `-D "$hdr" -o ${req.head ? '/dev/null' : '"$tmp"'}`;
  // curl -L sends every header on each hop: with unredirected headers the first request does not
  // follow, and a redirect it gets is followed with the second config.
  const fetch = req.unredirectedHeaders?.length
    ? unredirectedFetch(curlWith, output, write)
    : [`${curl} ${output} ${write} "$@" 2>"$err"`, 'echo "rc=$?"'];
  return [
    'command -v curl >/dev/null 2>&1 || { echo "error=curl is not installed on the host (get_url downloads with the host\'s curl)"; exit 0; }',
    `dir=${shellQuote(req.tmpDir)}`,
    '[ -d "$dir" ] || { printf "nodir=%s\\n" "$dir"; exit 0; }',
    'tmp=$(mktemp "$dir/.haweb-download.XXXXXX") || { printf "error=cannot create a temporary file in %s\\n" "$dir"; exit 0; }',
    'hdr=$(mktemp) && err=$(mktemp) || exit 1',
    `ims=${req.ifModifiedSinceFile ? shellQuote(req.ifModifiedSinceFile) : "''"}`,
    `set -- ${shellQuote(req.url)}`,
    '[ -n "$ims" ] && [ -e "$ims" ] && set -- -z "$ims" "$@"',
    // Python's netrc module (Ansible's use_netrc) reads the file $NETRC names, else ~/.netrc.
    ...(req.useNetrc ? ['[ -n "${NETRC:-}" ] && set -- --netrc-file "$NETRC" "$@"'] : []),
    ...fetch,
    'printf "tmp=%s\\n" "$tmp"',
    // The last response's status line and headers (after redirects).
    "status=$(grep -a '^HTTP/' \"$hdr\" | tail -n 1 | tr -d '\\r')",
    'printf "status=%s\\n" "$status"',
    "sed -n 's/^[Cc]ontent-[Dd]isposition:[[:space:]]*//p' \"$hdr\" | tail -n 1 | tr -d '\\r' | sed 's/^/disposition=/'",
    "sed -n 's/^[Cc]ontent-[Ll]ength:[[:space:]]*//p' \"$hdr\" | tail -n 1 | tr -d '\\r' | sed 's/^/length=/'",
    'printf "size=%s\\n" "$(wc -c <"$tmp")"',
    'printf "sha1=%s\\n" "$(sha1sum <"$tmp" | cut -d" " -f1)"',
    ...(sum ? [`printf "digest=%s\\n" "$(${sum} <"$tmp" | cut -d" " -f1)"`] : []),
    'tr "\\n" " " <"$err" | sed "s/^/stderr=/"; echo',
    'rm -f "$hdr" "$err"',
  ].join('\n');
}

export interface DownloadOutcome {
  /** Set when the download could not even start (no curl, no folder, no temp file). */
  error?: string;
  /** The folder that does not exist. */
  missingDir?: string;
  curlExit: number;
  /** HTTP status (0 for file://). */
  code: number;
  /** The status line's reason phrase ("Not Modified"). */
  reason: string;
  effectiveUrl: string;
  tmp: string;
  contentDisposition?: string;
  contentLength?: string;
  size: number;
  sha1: string;
  digest?: string;
  stderr: string;
}

/** Pure parser of downloadScript's output. */
export function parseDownload(stdout: string): DownloadOutcome {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const statusLine = kv.get('status') ?? '';
  const reason = /^HTTP\/[\d.]+\s+\d+\s*(.*)$/.exec(statusLine)?.[1] ?? '';
  return {
    ...(kv.has('error') ? { error: kv.get('error') } : {}),
    ...(kv.has('nodir') ? { missingDir: kv.get('nodir') } : {}),
    curlExit: Number(kv.get('rc') ?? -1),
    code: Number(kv.get('code') ?? 0),
    reason,
    effectiveUrl: kv.get('url') ?? '',
    tmp: kv.get('tmp') ?? '',
    ...(kv.get('disposition') ? { contentDisposition: kv.get('disposition') } : {}),
    ...(kv.get('length') ? { contentLength: kv.get('length') } : {}),
    size: Number(kv.get('size') ?? 0),
    sha1: kv.get('sha1') ?? '',
    ...(kv.get('digest') ? { digest: kv.get('digest') } : {}),
    stderr: (kv.get('stderr') ?? '').trim(),
  };
}

/** The file name Ansible gives a download into a folder: Content-Disposition's, else the URL's last segment, else index.html. */
export function downloadFileName(outcome: Pick<DownloadOutcome, 'contentDisposition' | 'effectiveUrl'>, url: string): string {
  const fromHeader = /^attachment; ?filename="?([^"]+)/.exec(outcome.contentDisposition ?? '')?.[1];
  if (fromHeader) {
    const base = fromHeader.split('/').pop();
    if (base) return base;
  }
  let path: string;
  try {
    path = new URL(outcome.effectiveUrl || url).pathname;
  } catch {
    path = '';
  }
  const base = decodeURIComponent(path.split('/').pop() ?? '');
  return base === '' ? 'index.html' : base;
}

export type ChecksumSpec = { algorithm: ChecksumAlgorithm; digest: string } | { algorithm: ChecksumAlgorithm; url: string };

/**
 * get_url's `checksum`: `<algorithm>:<hex digest>` or `<algorithm>:<URL of a checksum file>`.
 * Ansible drops non-word characters from the digest and lower-cases it. Returns a reason on bad input.
 */
export function parseChecksumArg(value: string, algorithms: readonly string[]): ChecksumSpec | { error: string } {
  const colon = value.indexOf(':');
  if (colon < 0) return { error: 'The checksum parameter has to be in format <algorithm>:<checksum>' };
  const algorithm = value.slice(0, colon).toLowerCase();
  const rest = value.slice(colon + 1);
  if (!algorithms.includes(algorithm)) return { error: `unsupported checksum algorithm ${JSON.stringify(algorithm)} (one of ${algorithms.join(', ')})` };
  if (/^(https?|ftp|file):/.test(rest)) return { algorithm: algorithm as ChecksumAlgorithm, url: rest };
  const digest = rest.replace(/\W+/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(digest)) return { error: 'The checksum format is invalid' };
  return { algorithm: algorithm as ChecksumAlgorithm, digest };
}

/**
 * The digest of `fileName` in a checksum file (sha256sum output, or a lone digest), as Ansible reads
 * it: `<digest> <name>` or `<digest> *<name>`, a leading ./ ignored.
 */
export function checksumFromFile(text: string, fileName: string): string | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
  if (lines.length === 1 && lines[0].trim().split(/\s+/).length === 1) return lines[0].trim().replace(/\W+/g, '').toLowerCase();
  for (const line of lines) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    let name = line.slice(space + 1);
    if (name.startsWith(' ') || name.startsWith('*')) name = name.slice(1);
    if (name.replace(/^[./]+/, '') === fileName) return line.slice(0, space).replace(/\W+/g, '').toLowerCase();
  }
  return undefined;
}

/**
 * The shell lines of a fetch with unredirected headers (get_url and uri): curl -L sends every header
 * on each hop, so the first request (config on stdin, cut at AFTER_REDIRECT) does not follow, and a
 * redirect it gets is followed with the rest of the config. `output` is curl's -D/-o arguments,
 * `write` its -w; prints curl's -w lines and `rc=`.
 */
export function unredirectedFetch(curlWith: (follow: boolean, config: string) => string, output: string, write: string): string[] {
  return [
    'cfg=$(mktemp) && cfg2=$(mktemp) || exit 1',
    'cat >"$cfg"',
    `sed -n '/^${AFTER_REDIRECT}$/,$p' "$cfg" >"$cfg2"`,
    `sed -i '/^${AFTER_REDIRECT}$/,$d' "$cfg"`,
    `${curlWith(false, '"$cfg"')} ${output} -w 'code=%{http_code}\\nurl=%{url_effective}\\nredirect=%{redirect_url}\\n' "$@" 2>"$err" >"$cfg.out"`,
    'rc=$?',
    // curl writes the credentials into the URL it reports: not carried to the next request
    'next=$(sed -n "s/^redirect=//p" "$cfg.out" | sed "s#^\\([A-Za-z][A-Za-z0-9+.-]*://\\)[^/@]*@#\\1#")',
    'code1=$(sed -n "s/^code=//p" "$cfg.out")',
    'case "$code1" in 30[12378]) ;; *) next= ;; esac',
    'if [ -n "$next" ] && [ "$rc" = 0 ]; then',
    `  : >"$hdr"; ${curlWith(true, '"$cfg2"')} ${output} ${write} "$next" 2>"$err"`,
    '  rc=$?',
    'else',
    '  grep -v "^redirect=" "$cfg.out"',
    'fi',
    'rm -f "$cfg" "$cfg2" "$cfg.out"',
    'echo "rc=$rc"',
  ];
}
