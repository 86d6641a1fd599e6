import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { z } from 'zod';
import {
  absoluteLocation,
  ansibleHeaderKeys,
  applySteps,
  contentTypeOf,
  downloadConfig,
  downloadFileName,
  fileInfo,
  formatMode,
  formUrlencoded,
  httpRequestScript,
  maybeJson,
  multipartBody,
  multipartFiles,
  parseHttpHead,
  parseHttpOutcome,
  planInstallDownload,
  pythonJsonDumps,
  requestFailedMessage,
  responseCookies,
  type HttpHead,
} from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { withoutNoLogValues } from '../util/no-log.js';
import { withOutputLines } from '../util/output-lines.js';
import { boolish, intish, modeArg, remotePath, stringList, withAliases, fileCommonArgs } from '../util/schema.js';

/**
 * Return values a `register` user reads (Ansible's RETURN of uri): status, url (after redirects),
 * redirected, msg, elapsed, content (return_content), json (a JSON response), cookies,
 * cookies_string, path (dest), and every response header as a key of its own, lower-cased with `-`
 * turned into `_` (content_type, content_length, location...).
 */
export type UriResult = ModuleResult & {
  status?: number;
  url?: string;
  redirected?: boolean;
  elapsed?: number;
  content?: string;
  json?: unknown;
  cookies?: Record<string, string>;
  cookies_string?: string;
  path?: string;
};

const statusCodes = z
  .union([z.number().int(), z.string(), z.array(z.union([z.number().int(), z.string().regex(/^-?\d+$/)]))])
  .transform((v, ctx) => {
    const list = Array.isArray(v) ? v : typeof v === 'number' ? [v] : v.split(',').map((s) => s.trim()).filter(Boolean);
    const out = list.map(Number);
    if (out.some((n) => !Number.isInteger(n))) {
      ctx.addIssue({ code: 'custom', message: `status_code: expected integers, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return out;
  });

const args = withAliases(
  z
    .strictObject({
      url: z.string().min(1),
      dest: remotePath.optional(),
      url_username: z.string().optional(),
      url_password: z.string().optional(),
      body: z.unknown().optional(),
      body_format: z.enum(['form-urlencoded', 'json', 'raw', 'form-multipart']).default('raw'),
      src: z.string().min(1).optional(),
      method: z.string().default('GET'),
      return_content: boolish.default(false),
      follow_redirects: z.enum(['all', 'no', 'none', 'safe', 'urllib2', 'yes']).default('safe'),
      creates: z.string().min(1).optional(),
      removes: z.string().min(1).optional(),
      status_code: statusCodes.default([200]),
      timeout: intish.default(30),
      headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      unix_socket: remotePath.optional(),
      remote_src: boolish.default(false),
      ca_path: z.string().min(1).optional(),
      decompress: boolish.default(true),
      ciphers: stringList.optional(),
      unredirected_headers: stringList.default([]),
      use_netrc: boolish.default(true),
      force: boolish.default(false),
      http_agent: z.string().default('ansible-httpget'),
      use_proxy: boolish.default(true),
      validate_certs: boolish.default(true),
      force_basic_auth: boolish.default(false),
      client_cert: z.string().min(1).optional(),
      client_key: z.string().min(1).optional(),
      mode: modeArg.optional(),
      owner: z.string().optional(),
      group: z.string().optional(),
      ...fileCommonArgs,
    })
    .refine((a) => a.body === undefined || a.src === undefined, { message: 'parameters are mutually exclusive: body|src' }),
  { url_username: ['user'], url_password: ['password'] },
);
type Args = z.output<typeof args>;

/** The request body as bytes, and the headers the body format adds (uri's main()). */
export function uriBody(
  a: Pick<Args, 'body' | 'body_format' | 'headers'>,
  files: ReadonlyMap<string, Buffer> = new Map(),
  boundary = multipartBoundary(),
): { body?: string | Buffer; headers: Record<string, string> } {
  const headers = Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, String(v)]));
  if (a.body_format === 'form-multipart') {
    // Ansible sets the Content-Type (with the boundary) whatever the task's headers say.
    const { contentType, body } = multipartBody(a.body, files, boundary);
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') delete headers[k];
    return { body, headers: { ...headers, 'Content-Type': contentType } };
  }
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (a.body_format === 'json') {
    if (!hasType) headers['Content-Type'] = 'application/json';
    // Ansible encodes whatever is not a string, None included (`null`).
    return { body: typeof a.body === 'string' ? a.body : pythonJsonDumps(a.body ?? null), headers };
  }
  if (a.body_format === 'form-urlencoded') {
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { body: a.body === undefined ? undefined : formUrlencoded(a.body), headers };
  }
  if (a.body === undefined || a.body === null) return { headers };
  return { body: typeof a.body === 'string' ? a.body : String(a.body), headers };
}

/** A boundary as Python's email package makes them: "===============" and 19 digits, then "==". */
function multipartBoundary(): string {
  return `===============${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}==`;
}

/** The contents of form-multipart's file fields: from the controller (files/), or the host with remote_src. */
async function multipartFileContents(a: Args, ctx: ModuleContext): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (a.body_format !== 'form-multipart') return files;
  for (const name of multipartFiles(a.body)) {
    const data = a.remote_src ? await ctx.remote.readFile(name, { become: ctx.become }) : readFileSync(ctx.resolveLocal(name, 'files'));
    if (data) files.set(name, Buffer.from(data));
  }
  return files;
}

/** Ansible's follow_redirects: `safe` follows only for GET and HEAD. */
export function followsRedirects(mode: Args['follow_redirects'], method: string): boolean {
  if (mode === 'all' || mode === 'yes' || mode === 'urllib2') return true;
  if (mode === 'safe') return method === 'GET' || method === 'HEAD';
  return false;
}

/** Everything the result says about the response (fetch_url's info, as uri transforms it). */
export function responseInfo(requestUrl: string, effectiveUrl: string, head: HttpHead): Record<string, unknown> {
  const headerKeys = ansibleHeaderKeys(head.headers);
  if ('location' in headerKeys) headerKeys.location = absoluteLocation(requestUrl, headerKeys.location);
  if (head.status >= 300) {
    // urllib raises HTTPError: headers and its message, but no cookies and the URL as asked.
    return { ...headerKeys, url: requestUrl, status: head.status, msg: `HTTP Error ${head.status}: ${head.reason}`, redirected: false };
  }
  const cookies = responseCookies(head.headers);
  const length = head.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
  return {
    ...headerKeys,
    cookies_string: Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; '),
    cookies,
    msg: `OK (${length ?? 'unknown'} bytes)`,
    url: effectiveUrl || requestUrl,
    status: head.status,
    redirected: (effectiveUrl || requestUrl) !== requestUrl,
  };
}

async function exists(ctx: ModuleContext, path: string): Promise<boolean> {
  const r = await ctx.remote.run({ argv: ['test', '-e', path] }, { become: ctx.become });
  return r.code === 0;
}

async function removeFiles(ctx: ModuleContext, files: string[]): Promise<void> {
  const list = files.filter(Boolean);
  if (list.length) await ctx.remote.run({ argv: ['rm', '-f', '--', ...list] }, { become: ctx.become });
}

/**
 * Examples:
 *   uri: { url: 'http://198.51.100.1:8080/api/items', method: POST, body_format: json, body: { name: web }, status_code: [200, 201] }
 *   uri: url=http://127.0.0.1/health return_content=yes
 */
export const uriModule = defineHostModule({
  name: 'uri',
  aliases: ['ansible.builtin.uri'],
  description: 'Make an HTTP(S) request from the host (its curl): any method, a JSON/form/raw body, status checks, the response in the result or a file.',
  args,
  // As in Ansible: uri does not support check mode, the task is skipped.
  checkMode: 'none',
  async run(a, ctx): Promise<UriResult> {
    return withoutNoLogValues(await request(a, ctx), [a.url_password]);
  },
});

async function request(a: Args, ctx: ModuleContext): Promise<UriResult> {
  {
    const started = Date.now();
    const elapsed = () => Math.floor((Date.now() - started) / 1000);
    const method = a.method.toUpperCase();
    if (!/^[A-Z]+$/.test(a.method)) return { changed: false, failed: true, msg: "Parameter 'method' needs to be a single word in uppercase, like GET or POST." };
    let prepared: ReturnType<typeof uriBody>;
    try {
      prepared = uriBody(a, await multipartFileContents(a, ctx));
    } catch (err) {
      // Ansible's form-multipart failure (prepare_multipart) carries no elapsed; form-urlencoded's does.
      return { changed: false, failed: true, msg: (err as Error).message, ...(a.body_format === 'form-multipart' ? {} : { elapsed: 0 }) };
    }
    if (a.creates !== undefined && (await exists(ctx, a.creates))) return withOutputLines({ changed: false, stdout: `skipped, since '${a.creates}' exists` });
    if (a.removes !== undefined && !(await exists(ctx, a.removes))) return withOutputLines({ changed: false, stdout: `skipped, since '${a.removes}' does not exist` });
    if (a.url_password) ctx.markSecret(a.url_password);

    // The body goes to the host as a file, so it never sits on a command line.
    let bodyFile: string | undefined;
    const cleanup: string[] = [];
    if (a.src !== undefined) {
      if (a.remote_src) bodyFile = a.src;
      else {
        bodyFile = (await ctx.remote.run({ argv: ['mktemp'] }, { become: ctx.become })).stdout.trim();
        cleanup.push(bodyFile);
        await ctx.remote.putFile(ctx.resolveLocal(a.src, 'files'), bodyFile, { mode: '0600', become: ctx.become });
      }
    } else if (prepared.body !== undefined) {
      bodyFile = (await ctx.remote.run({ argv: ['mktemp'] }, { become: ctx.become })).stdout.trim();
      cleanup.push(bodyFile);
      await ctx.remote.writeFile(bodyFile, prepared.body, { mode: '0600', become: ctx.become });
    }
    const destInfo = a.dest !== undefined ? await ctx.fact(fileInfo, { path: a.dest, follow: true }) : undefined;
    const hasCredentials = a.url_username !== undefined || a.url_password !== undefined;
    const unredirectedHeaders = a.unredirected_headers.map((h) => h.toLowerCase());
    const follow = followsRedirects(a.follow_redirects, method);
    // follow_redirects=urllib2 is Python's own redirect handler: the first request does not follow;
    // a redirect is followed with a GET without the body (HEAD and POST turn into GET), except a
    // 307/308 answering another method than GET or HEAD, which is the result.
    const urllib2 = a.follow_redirects === 'urllib2';
    const send = async (url: string, sendMethod: string, sendBody: string | undefined, sendFollow: boolean) => {
      const script = httpRequestScript({
        url, method: sendMethod, bodyFile: sendBody, follow: sendFollow, forceBasicAuth: a.force_basic_auth, hasCredentials,
        ifModifiedSinceFile: destInfo?.type === 'file' ? a.dest : undefined,
        timeoutSeconds: a.timeout, validateCerts: a.validate_certs, useProxy: a.use_proxy, useNetrc: a.use_netrc, decompress: a.decompress,
        httpAgent: a.http_agent, clientCert: a.client_cert, clientKey: a.client_key, caPath: a.ca_path, ciphers: a.ciphers, unixSocket: a.unix_socket,
        unredirectedHeaders,
      });
      const stdin = downloadConfig({ username: hasCredentials ? a.url_username ?? '' : undefined, password: a.url_password, headers: prepared.headers }, unredirectedHeaders);
      const res = await ctx.remote.run({ script }, { become: ctx.become, stdin, timeoutMs: (a.timeout * 5 + 30) * 1000 });
      const outcome = parseHttpOutcome(res.stdout);
      cleanup.push(outcome.headersFile);
      const head = res.code === 0 && !outcome.error ? parseHttpHead((await ctx.remote.readFile(outcome.headersFile, { become: ctx.become }))?.toString('utf8') ?? '') : { status: 0, reason: '', headers: [] };
      return { res, outcome, head };
    };
    let { res, outcome, head } = await send(a.url, method, bodyFile, urllib2 ? false : follow);
    if (urllib2 && res.code === 0 && head.status >= 300 && head.status < 400) {
      const location = head.headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
      const redirects = [301, 302, 303].includes(head.status) || ([307, 308].includes(head.status) && (method === 'GET' || method === 'HEAD'));
      if (location && redirects) {
        cleanup.push(outcome.bodyFile);
        ({ res, outcome, head } = await send(absoluteLocation(a.url, location), 'GET', undefined, true));
      }
    }
    try {
      if (res.code !== 0) return { changed: false, failed: true, msg: `uri failed on the host (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`, elapsed: elapsed() };
      if (outcome.error) return { changed: false, failed: true, msg: outcome.error, elapsed: elapsed() };
      let info: Record<string, unknown>;
      // No response, or a redirect whose next request failed (curl -L keeps the 3xx's headers).
      if (outcome.curlExit !== 0 && (head.status === 0 || (follow && head.status >= 300 && head.status < 400))) {
        info = { url: a.url, status: -1, msg: requestFailedMessage(outcome.curlExit, outcome.stderr), redirected: false };
      } else {
        // curl reports the URL after a redirect with the credentials in it: not Ansible's url.
        info = responseInfo(a.url, a.url.includes('@') ? outcome.effectiveUrl : outcome.effectiveUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1'), head);
      }
      const status = info.status as number;
      const inList = a.status_code.includes(status);
      const isJson = maybeJson(head.headers);
      const wantOutput = isJson || a.return_content || !inList;
      const raw = outcome.bodyFile ? ((await ctx.remote.readFile(outcome.bodyFile, { become: ctx.become })) ?? Buffer.alloc(0)) : Buffer.alloc(0);
      const charset = contentTypeOf(head.headers).charset.toLowerCase();
      const text = new TextDecoder(['utf-8', 'utf8', 'iso-8859-1', 'latin-1', 'latin1', 'ascii', 'us-ascii'].includes(charset) ? (charset.startsWith('utf') ? 'utf-8' : 'latin1') : 'utf-8').decode(raw);
      const result: UriResult = { ...info, changed: false, elapsed: elapsed() };
      if (!wantOutput && status >= 300) result.body = text;
      if (wantOutput && isJson) {
        try {
          result.json = JSON.parse(text);
        } catch {
          // Not JSON after all: uri leaves `json` out.
        }
      }
      if (a.dest !== undefined && head.status !== 0) {
        let dest = a.dest;
        if (destInfo?.type === 'directory') dest = posix.join(a.dest, downloadFileName({ effectiveUrl: outcome.effectiveUrl, contentDisposition: head.headers.find(([n]) => n.toLowerCase() === 'content-disposition')?.[1] }, a.url));
        if (inList && status !== 304) {
          const finalInfo = await ctx.fact(fileInfo, { path: dest, follow: true, checksum: 'sha1' });
          const sha1 = (await ctx.remote.run({ argv: ['sha1sum', '--', outcome.bodyFile] }, { become: ctx.become })).stdout.split(' ')[0];
          const plan = planInstallDownload({ tmp: outcome.bodyFile, sha1 }, finalInfo, { dest, backup: false, backupPath: '', mode: a.mode, owner: a.owner, group: a.group });
          const applied = await applySteps(ctx, plan.steps);
          if (applied.failed) return { ...result, failed: true, msg: String(applied.msg) };
          // Ansible reports changed whenever it wrote the response to dest.
          result.changed = true;
        }
        // Ansible adds the path's facts to any result that names an existing path.
        const after = await ctx.fact(fileInfo, { path: dest, follow: true });
        if (after) {
          const state = after.type === 'directory' ? 'directory' : after.type === 'link' ? 'link' : 'file';
          Object.assign(result, { uid: after.uid, gid: after.gid, owner: after.owner, group: after.group, mode: formatMode(after.mode), state, size: after.size });
        }
        result.path = dest;
      }
      if (!inList) {
        result.msg = `Status code was ${status} and not [${a.status_code.join(', ')}]: ${String(info.msg ?? '')}`;
        return { ...result, failed: true, ...(a.return_content ? { content: text } : {}) };
      }
      return a.return_content ? { ...result, content: text } : result;
    } finally {
      await removeFiles(ctx, [...cleanup, outcome.bodyFile]);
    }
  }
}
