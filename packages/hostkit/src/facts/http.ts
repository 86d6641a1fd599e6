/**
 * An HTTP request made on the host (the uri module), with the host's curl as get_url does: the
 * response's headers and body land in temporary files the caller reads back, and pure functions turn
 * them into what Ansible's fetch_url reports (lower-cased header keys, cookies, `OK (N bytes)`).
 * Credentials and headers reach curl as a config on standard input (downloadConfig), never on its
 * command line.
 */
import { shellQuote } from '@haweb/core';
import { unredirectedFetch } from './download.js';

export interface HttpRequest {
  url: string;
  method: string;
  /** Host path of the request body (a file the caller wrote), sent as it is. */
  bodyFile?: string;
  /** Send If-Modified-Since with this host file's mtime, when it exists (uri's dest). */
  ifModifiedSinceFile?: string;
  /** Follow redirects (curl -L). */
  follow: boolean;
  /** Credentials given: send them only when the server asks (false) or on the first request (true). */
  forceBasicAuth: boolean;
  hasCredentials: boolean;
  timeoutSeconds: number;
  validateCerts: boolean;
  useProxy: boolean;
  useNetrc: boolean;
  decompress: boolean;
  httpAgent: string;
  clientCert?: string;
  clientKey?: string;
  caPath?: string;
  ciphers?: readonly string[];
  unixSocket?: string;
  /** Headers (lower-case names; `authorization` drops the credentials too) not sent after a redirect: see DownloadRequest. */
  unredirectedHeaders?: readonly string[];
}

/**
 * The message Ansible's fetch_url gives when no response came (urllib's URLError), from curl's exit
 * code and error text.
 */
export function requestFailedMessage(curlExit: number, stderr: string): string {
  if (curlExit === 7 && /no route/i.test(stderr)) return 'Request failed: <urlopen error [Errno 113] No route to host>';
  if (curlExit === 7 && /unreachable/i.test(stderr)) return 'Request failed: <urlopen error [Errno 101] Network is unreachable>';
  // curl 7.88 words a refused connection "Couldn't connect to server".
  if (curlExit === 7) return 'Request failed: <urlopen error [Errno 111] Connection refused>';
  if (curlExit === 6) return 'Request failed: <urlopen error [Errno -2] Name or service not known>';
  if (curlExit === 28) return 'Connection failure: timed out';
  // TLS: Python's ssl words (urllib's "<urlopen error [SSL: ...] ...>"), from curl's OpenSSL text.
  const mismatch = /no alternative certificate subject name matches target host name '([^']*)'/.exec(stderr);
  if (curlExit === 60 && mismatch) return `Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '${mismatch[1]}'. (_ssl.c:992)>`;
  const problem = /SSL certificate problem: ([^\n]*?)\s*(?:More details here|$)/.exec(stderr)?.[1];
  if (curlExit === 60 && problem) return `Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${problem.replace(/^self signed/, 'self-signed')} (_ssl.c:992)>`;
  const alert = /SSL routines::(?:[^:]*:)?\s*([a-z0-9 ]*alert[a-z0-9 ]*)/i.exec(stderr)?.[1]?.trim();
  if ((curlExit === 35 || curlExit === 59) && alert) return `Request failed: <urlopen error [SSL: ${alert.toUpperCase().replace(/ /g, '_')}] ${alert} (_ssl.c:992)>`;
  const noFile = /Couldn't open file (.*)$/.exec(stderr.trim())?.[1];
  if (curlExit === 37 && noFile) return `Request failed: <urlopen error [Errno 2] No such file or directory: '${noFile.trim()}'>`;
  return `Request failed: ${stderr || `curl exit ${curlExit}`}`;
}

/** The script that makes the request; it prints key=value lines for parseHttpOutcome. */
export function httpRequestScript(req: HttpRequest): string {
  const method = req.method.toUpperCase();
  const curlWith = (follow: boolean, config: string) => `curl -sS -K ${config} ` + [
    '--connect-timeout', String(req.timeoutSeconds),
    '--max-time', String(req.timeoutSeconds * 4),
    '-A', req.httpAgent,
    ...(follow ? ['-L'] : []),
    ...(req.hasCredentials ? [req.forceBasicAuth ? '--basic' : '--anyauth'] : []),
    ...(req.validateCerts ? [] : ['-k']),
    ...(req.useProxy ? [] : ['--noproxy', '*']),
    ...(req.useNetrc ? ['--netrc-optional'] : []),
    ...(req.decompress && method !== 'HEAD' ? ['--compressed'] : []),
    ...(req.clientCert ? ['--cert', req.clientCert] : []),
    ...(req.clientKey ? ['--key', req.clientKey] : []),
    ...(req.caPath ? ['--cacert', req.caPath] : []),
    ...(req.ciphers?.length ? ['--ciphers', req.ciphers.join(':')] : []),
    ...(req.unixSocket ? ['--unix-socket', req.unixSocket] : []),
    // A POST with a body needs no -X (which would keep POST after a 301/302/303, where urllib and
    // curl's own rule send a GET).
    ...(method === 'HEAD' ? ['-I'] : (method === 'GET' && !req.bodyFile) || (method === 'POST' && req.bodyFile) ? [] : ['-X', method]),
    ...(req.bodyFile ? ['--data-binary', `@${req.bodyFile}`] : []),
  ].map(shellQuote).join(' ');
  const write = "-w 'code=%{http_code}\\nurl=%{url_effective}\\n'";
  // As downloadScript: with unredirected headers the first request does not follow, a redirect it
  // gets is followed with the second config (downloadConfig with `unredirected`).
  const fetch = req.follow && req.unredirectedHeaders?.length
    ? unredirectedFetch(curlWith, '-D "$hdr" -o "$body"', write)
    : [`${curlWith(req.follow, '-')} -D "$hdr" -o "$body" ${write} "$@" 2>"$err"`, 'echo "rc=$?"'];
  return [
    'command -v curl >/dev/null 2>&1 || { echo "error=curl is not installed on the host (uri makes its requests with the host\'s curl)"; exit 0; }',
    'body=$(mktemp) && hdr=$(mktemp) && err=$(mktemp) || exit 1',
    `ims=${req.ifModifiedSinceFile ? shellQuote(req.ifModifiedSinceFile) : "''"}`,
    `set -- ${shellQuote(req.url)}`,
    '[ -n "$ims" ] && [ -f "$ims" ] && set -- -z "$ims" "$@"',
    // Python's netrc module (Ansible's use_netrc) reads the file $NETRC names, else ~/.netrc.
    ...(req.useNetrc ? ['[ -n "${NETRC:-}" ] && set -- --netrc-file "$NETRC" "$@"'] : []),
    ...fetch,
    'printf "body=%s\\nheaders=%s\\n" "$body" "$hdr"',
    'tr "\\n" " " <"$err" | sed "s/^/stderr=/"; echo',
    'rm -f "$err"',
  ].join('\n');
}

export interface HttpOutcome {
  error?: string;
  curlExit: number;
  code: number;
  effectiveUrl: string;
  bodyFile: string;
  headersFile: string;
  stderr: string;
}

/** Pure parser of httpRequestScript's output. */
export function parseHttpOutcome(stdout: string): HttpOutcome {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !kv.has(line.slice(0, eq))) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return {
    ...(kv.has('error') ? { error: kv.get('error') } : {}),
    curlExit: Number(kv.get('rc') ?? -1),
    code: Number(kv.get('code') ?? 0),
    effectiveUrl: kv.get('url') ?? '',
    bodyFile: kv.get('body') ?? '',
    headersFile: kv.get('headers') ?? '',
    stderr: (kv.get('stderr') ?? '').trim(),
  };
}

export interface HttpHead {
  status: number;
  reason: string;
  /** The last response's headers, in order, names as sent. */
  headers: [string, string][];
}

/** The last response of curl's -D file (after redirects and 100 Continue). */
export function parseHttpHead(text: string): HttpHead {
  const blocks: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^HTTP\/[\d.]+\s+\d+/.test(line)) blocks.push([line]);
    else if (line !== '' && blocks.length) blocks[blocks.length - 1].push(line);
  }
  const last = blocks[blocks.length - 1] ?? [];
  const m = /^HTTP\/[\d.]+\s+(\d+)\s*(.*)$/.exec(last[0] ?? '');
  const headers: [string, string][] = [];
  for (const line of last.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { status: m ? Number(m[1]) : 0, reason: m?.[2] ?? '', headers };
}

/**
 * The response headers as Ansible's fetch_url puts them in the result: lower-cased names, repeated
 * headers joined with ", ", then `-` turned into `_` by uri.
 */
export function ansibleHeaderKeys(headers: readonly [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase().replace(/-/g, '_');
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Cookies set by the response, name -> value (fetch_url's `cookies`), in the cookie jar's order (by name, for one domain and path). */
export function responseCookies(headers: readonly [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    const pair = value.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The content type's parts, as uri's parse_content_type reads them. */
export function contentTypeOf(headers: readonly [string, string][]): { main: string; sub: string; charset: string } {
  const value = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream';
  const [type, ...params] = value.split(';').map((s) => s.trim());
  const [main, sub = ''] = type.split('/');
  const charset = params.map((p) => /^charset=(.*)$/i.exec(p)?.[1]).find((c) => c !== undefined)?.replace(/^"|"$/g, '') ?? 'utf-8';
  return { main, sub, charset };
}

/** True when uri parses the body as JSON: a json or javascript subtype, or a +json suffix. */
export function maybeJson(headers: readonly [string, string][]): boolean {
  const { sub } = contentTypeOf(headers);
  const s = (sub.includes('+') ? sub.slice(sub.indexOf('+') + 1) : sub).toLowerCase();
  return s === 'json' || s === 'javascript';
}

/** Python's json.dumps with its default separators (", " and ": ") and ensure_ascii, as uri encodes a body. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number.isFinite(value) ? pythonFloat(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  return JSON.stringify(String(value));
}

/** Python's float repr: shortest digits, exponent form below 1e-4 and from 1e16, a two-digit exponent. */
function pythonFloat(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exp] = n.toExponential().split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  const s = String(n);
  return s.includes('.') ? s : `${s}.0`;
}

/** Python's quote_plus: unreserved letters, digits and `_.-~` kept, spaces as `+`. */
function quotePlus(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** uri's form_urlencoded: a mapping (or list of pairs) as urlencode(doseq=True) writes it; a string is sent as it is. */
export function formUrlencoded(body: unknown): string {
  if (typeof body === 'string') return body;
  const pairs: [string, unknown][] = Array.isArray(body)
    ? body.map((p) => {
        // Python unpacks each item into a key and a value: a string by its characters, a mapping by its keys.
        const items: unknown[] | undefined = Array.isArray(p) ? p : typeof p === 'string' ? [...p] : p !== null && typeof p === 'object' ? Object.keys(p) : undefined;
        if (!items) throw new Error('failed to parse body as form_urlencoded: a list must hold [key, value] pairs');
        if (items.length > 2) throw new Error('failed to parse body as form_urlencoded: too many values to unpack (expected 2)');
        if (items.length < 2) throw new Error(`failed to parse body as form_urlencoded: not enough values to unpack (expected 2, got ${items.length})`);
        return [String(items[0]), items[1]] as [string, unknown];
      })
    : body !== null && typeof body === 'object'
      ? Object.entries(body as Record<string, unknown>)
      : [];
  if (!Array.isArray(body) && (body === null || typeof body !== 'object')) throw new Error('failed to parse body as form_urlencoded: not a mapping');
  const str = (v: unknown) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : v === null ? 'None' : String(v));
  return pairs
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${quotePlus(k)}=${quotePlus(str(x))}`) : [`${quotePlus(k)}=${quotePlus(str(v))}`]))
    .join('&');
}

/** uri's absolute_location: a relative Location made absolute against the request URL. */
export function absoluteLocation(url: string, location: string): string {
  try {
    return new URL(location, url).toString();
  } catch {
    return location;
  }
}

/** Python's type names, for the messages Ansible's checks give. */
function pythonTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** The MIME types Python's mimetypes.guess_type gives the common extensions (else application/octet-stream). */
const MIME_TYPES: Record<string, string> = {
  txt: 'text/plain', text: 'text/plain', conf: 'text/plain', log: 'text/plain', html: 'text/html', htm: 'text/html', css: 'text/css',
  csv: 'text/csv', xml: 'text/xml', json: 'application/json', js: 'text/javascript', yml: 'application/yaml', yaml: 'application/yaml',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', pdf: 'application/pdf',
  zip: 'application/zip', tar: 'application/x-tar', sh: 'application/x-sh', py: 'text/x-python',
};

/** One form-multipart field's value: a string, or a mapping of content / filename / mime_type. */
export interface MultipartFile {
  filename?: string;
  content?: string;
  mime_type?: string;
}

/**
 * The file fields of a form-multipart body whose content comes from a file (`filename` without
 * `content`): the module reads them (from the controller, or the host with remote_src) before encoding.
 */
export function multipartFiles(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.values(body as Record<string, unknown>).flatMap((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && (v as MultipartFile).filename && !(v as MultipartFile).content ? [String((v as MultipartFile).filename)] : [],
  );
}

/**
 * uri's form-multipart body (Ansible's prepare_multipart): the fields sorted by name, a string as a
 * text/plain part, a mapping as a part with its content or the file's (`files`, by filename), its
 * mime_type or one guessed from the file name; `filename` sent as its base name. File contents are
 * sent as they are (Ansible base64-encodes them with a Content-Transfer-Encoding header, which form
 * parsers decode to the same bytes). Errors are worded as Ansible's, after "failed to parse body as
 * form-multipart: ".
 */
export function multipartBody(body: unknown, files: ReadonlyMap<string, Buffer>, boundary: string): { contentType: string; body: Buffer } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`body must be mapping, cannot be type ${pythonTypeName(body)}`);
  const parts: Buffer[] = [];
  const fail = (why: string) => new Error(`failed to parse body as form-multipart: ${why}`);
  for (const field of Object.keys(body).sort()) {
    const value = (body as Record<string, unknown>)[field];
    let mime: string;
    let content: Buffer;
    let filename: string | undefined;
    if (typeof value === 'string') {
      mime = 'text/plain';
      content = Buffer.from(value);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as MultipartFile;
      filename = v.filename ? String(v.filename) : undefined;
      if (!filename && !v.content) throw fail('at least one of filename or content must be provided');
      const ext = /\.([^./]+)$/.exec(filename ?? '')?.[1]?.toLowerCase() ?? '';
      mime = v.mime_type || MIME_TYPES[ext] || 'application/octet-stream';
      if (!v.content && filename) {
        const data = files.get(filename);
        if (data === undefined) throw fail(`[Errno 2] No such file or directory: '${filename}'`);
        content = data;
      } else content = Buffer.from(String(v.content));
    } else {
      throw fail(`value must be a string, or mapping, cannot be type ${pythonTypeName(value)}`);
    }
    const disposition = `form-data; name="${field}"${filename ? `; filename="${filename.split('/').pop()}"` : ''}`;
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: ${mime}\r\nContent-Disposition: ${disposition}\r\n\r\n`), content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary="${boundary}"`, body: Buffer.concat(parts) };
}
