import { posix } from 'node:path';
import { z } from 'zod';
import {
  applySteps,
  backupName,
  checksumFromFile,
  CHECKSUM_ALGORITHMS,
  downloadConfig,
  downloadFileName,
  downloadScript,
  fileInfo,
  parseChecksumArg,
  parseDownload,
  planAttributes,
  planInstallDownload,
  requestFailedMessage,
  type ChecksumAlgorithm,
  type DownloadOutcome,
  type DownloadRequest,
  type FileInfo,
  formatMode,
} from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, intish, modeArg, remotePath, stringList, withAliases, fileCommonArgs } from '../util/schema.js';

/**
 * Return values a `register` user reads (Ansible's RETURN of get_url): url, dest, src (the temporary
 * file), checksum_src / checksum_dest (SHA-1), md5sum, elapsed, msg, status_code, backup_file, and the
 * destination's path facts (uid, gid, owner, group, mode, state, size).
 */
export type GetUrlResult = ModuleResult & {
  url: string;
  dest: string;
  src?: string;
  checksum_src?: string | null;
  checksum_dest?: string | null;
  md5sum?: string | null;
  elapsed: number;
  status_code?: number | null;
  backup_file?: string;
};

const args = withAliases(
  z.strictObject({
    url: z.string().min(1),
    dest: remotePath,
    backup: boolish.default(false),
    checksum: z.string().default(''),
    force: boolish.default(false),
    timeout: intish.default(10),
    headers: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), z.string()]).optional(),
    tmp_dest: remotePath.optional(),
    decompress: boolish.default(true),
    ciphers: stringList.optional(),
    unredirected_headers: stringList.default([]),
    use_netrc: boolish.default(true),
    use_proxy: boolish.default(true),
    validate_certs: boolish.default(true),
    force_basic_auth: boolish.default(false),
    http_agent: z.string().default('ansible-httpget'),
    url_username: z.string().optional(),
    url_password: z.string().optional(),
    client_cert: remotePath.optional(),
    client_key: remotePath.optional(),
    mode: modeArg.optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    ...fileCommonArgs,
  }),
  { url_username: ['username'], url_password: ['password'] },
);
type Args = z.output<typeof args>;

/** Ansible's dict type also takes `k=v, k2=v2` strings. */
function headerMap(headers: Args['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== 'string') return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(
    headers.split(/\s*,\s*|\s+/).filter(Boolean).map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
}

/** Path facts Ansible adds to a result that names an existing dest (add_path_info), failures included. */
function pathInfo(info: FileInfo | undefined): Record<string, unknown> {
  if (!info) return {};
  const state = info.type === 'directory' ? 'directory' : info.type === 'link' ? 'link' : info.type === 'file' ? 'file' : 'file';
  return { uid: info.uid, gid: info.gid, owner: info.owner, group: info.group, mode: formatMode(info.mode), state, size: info.size };
}

function okMessage(outcome: DownloadOutcome, isFile: boolean): string {
  return `OK (${isFile ? outcome.size : outcome.contentLength ?? 'unknown'} bytes)`;
}

async function download(ctx: ModuleContext, a: Args, request: DownloadRequest): Promise<DownloadOutcome> {
  const stdin = downloadConfig({ username: a.url_username, password: a.url_password, headers: headerMap(a.headers) }, request.unredirectedHeaders);
  if (a.url_password) ctx.markSecret(a.url_password);
  const res = await ctx.remote.run({ script: downloadScript(request) }, { become: ctx.become, stdin, timeoutMs: (request.timeoutSeconds * 6 + 30) * 1000 });
  if (res.code !== 0) throw new Error(`downloading ${a.url} failed on the host (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`);
  return parseDownload(res.stdout);
}

/** Why a download failed, as Ansible's get_url words it; undefined when it succeeded. */
function downloadFailure(outcome: DownloadOutcome, url: string): { msg: string; status_code?: number; response?: string } | undefined {
  if (outcome.error) return { msg: outcome.error };
  if (outcome.missingDir) return { msg: `Destination ${outcome.missingDir} does not exist` };
  const isFile = url.startsWith('file:');
  if (outcome.curlExit !== 0 && !(outcome.code === 304)) {
    if (isFile || outcome.code === 0) return { msg: requestFailedMessage(outcome.curlExit, outcome.stderr), status_code: -1 };
  }
  if (!isFile && outcome.code !== 200 && outcome.code !== 304) {
    return { msg: 'Request failed', status_code: outcome.code, response: `HTTP Error ${outcome.code}: ${outcome.reason}` };
  }
  return undefined;
}

/**
 * Examples:
 *   get_url: { url: 'http://198.51.100.1/nginx-1.24.0.tar.gz', dest: /usr/local/src/, checksum: 'sha256:77a2...' }
 *   get_url: { url: 'file:///srv/files/app.conf', dest: /etc/app.conf, mode: '0640', owner: app }
 */
export const getUrlModule = defineHostModule({
  name: 'get_url',
  aliases: ['ansible.builtin.get_url'],
  description: 'Download a file (http, https, ftp, file://) on the host with its curl, optionally checking its checksum.',
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<GetUrlResult> {
    const started = Date.now();
    const elapsed = () => Math.floor((Date.now() - started) / 1000);
    const base = { url: a.url, dest: a.dest };
    const fail = (msg: string, extra: Record<string, unknown> = {}): GetUrlResult => ({ ...base, changed: false, failed: true, msg, elapsed: elapsed(), ...extra });

    let algorithm: ChecksumAlgorithm | undefined;
    let expected: string | undefined;
    const common = {
      timeoutSeconds: a.timeout, validateCerts: a.validate_certs, useProxy: a.use_proxy, useNetrc: a.use_netrc, decompress: a.decompress,
      httpAgent: a.http_agent, clientCert: a.client_cert, clientKey: a.client_key, ciphers: a.ciphers,
      unredirectedHeaders: a.unredirected_headers.map((h) => h.toLowerCase()),
    };
    if (a.checksum !== '') {
      const spec = parseChecksumArg(a.checksum, CHECKSUM_ALGORITHMS);
      if ('error' in spec) return fail(spec.error, { checksum_dest: null, checksum_src: null });
      algorithm = spec.algorithm;
      if ('url' in spec) {
        const sums = await download(ctx, a, { ...common, url: spec.url, tmpDir: '/tmp' });
        const why = downloadFailure(sums, spec.url);
        const text = sums.tmp ? (await ctx.remote.readFile(sums.tmp, { become: ctx.become }))?.toString('utf8') ?? '' : '';
        if (sums.tmp) await ctx.remote.run({ argv: ['rm', '-f', '--', sums.tmp] }, { become: ctx.become });
        if (why) return fail(why.msg, { status_code: why.status_code });
        const fileName = downloadFileName({ effectiveUrl: a.url }, a.url);
        expected = checksumFromFile(text, fileName);
        if (expected === undefined) return fail(`Unable to find a checksum for file '${fileName}' in '${spec.url}'`);
      } else {
        expected = spec.digest;
      }
    }

    const destInfo = await ctx.fact(fileInfo, { path: a.dest, follow: true, checksum: algorithm });
    const destIsDir = destInfo?.type === 'directory';
    const want = { mode: a.mode, owner: a.owner, group: a.group };
    // Ansible: an existing file with the expected checksum is not downloaded again unless force.
    if (destInfo && !destIsDir && !a.force && expected !== undefined && destInfo.checksum === expected) {
      const attrs = planAttributes(a.dest, destInfo, want);
      const applied = await applySteps(ctx, attrs.commands.map((c) => ({ kind: 'run' as const, argv: c.argv, why: attrs.changes.join(', ') })));
      if (applied.failed) return { ...base, ...applied, elapsed: elapsed() } as GetUrlResult;
      const after = ctx.check ? destInfo : await ctx.fact(fileInfo, { path: a.dest, follow: true });
      return {
        ...base, changed: applied.changed, msg: applied.changed ? 'file already exists but file attributes changed' : 'file already exists',
        checksum_dest: null, checksum_src: null, elapsed: elapsed(), ...pathInfo(ctx.check ? destInfo : after),
      };
    }
    const force = a.force || (expected !== undefined && destInfo !== undefined && !destIsDir);
    const isFileUrl = a.url.startsWith('file:');
    const request = {
      ...common,
      url: a.url,
      tmpDir: a.tmp_dest ?? (destIsDir ? a.dest : posix.dirname(a.dest)),
      ifModifiedSinceFile: destInfo && !destIsDir && !force && !isFileUrl ? a.dest : undefined,
      head: ctx.check && !isFileUrl,
      digest: algorithm,
    };
    const outcome = await download(ctx, a, request);
    if (outcome.missingDir && a.tmp_dest === undefined) {
      // Ansible downloads before it finds the folder missing, and reports what it downloaded.
      const probe = await download(ctx, a, { ...request, tmpDir: '/tmp' });
      if (probe.tmp) await ctx.remote.run({ argv: ['rm', '-f', '--', probe.tmp] }, { become: ctx.become });
      if (!downloadFailure(probe, a.url)) {
        return fail(`Destination ${outcome.missingDir} does not exist`, { src: probe.tmp, checksum_src: probe.sha1, checksum_dest: null });
      }
    }
    const removeTmp = async () => {
      if (outcome.tmp) await ctx.remote.run({ argv: ['rm', '-f', '--', outcome.tmp] }, { become: ctx.become });
    };
    const why = downloadFailure(outcome, a.url);
    if (why) {
      await removeTmp();
      return fail(why.msg, { ...pathInfo(destIsDir ? undefined : destInfo), ...(why.status_code !== undefined ? { status_code: why.status_code } : {}), ...(why.response ? { response: why.response } : {}) });
    }
    const status_code = isFileUrl ? null : outcome.code;
    if (outcome.code === 304) {
      await removeTmp();
      return { ...base, changed: false, msg: `HTTP Error 304: ${outcome.reason}`, status_code, elapsed: elapsed(), ...pathInfo(destInfo) };
    }
    const dest = destIsDir ? posix.join(a.dest, downloadFileName(outcome, a.url)) : a.dest;
    const finalInfo = await ctx.fact(fileInfo, { path: dest, follow: true, checksum: 'sha1' });
    const result = { ...base, dest, src: outcome.tmp, checksum_src: outcome.sha1, checksum_dest: finalInfo?.checksum ?? null, status_code, msg: okMessage(outcome, isFileUrl) };
    if (ctx.check) {
      await removeTmp();
      // Ansible's check mode answers from a HEAD request and reports no status_code.
      const { status_code: _, ...checked } = result;
      return { ...checked, changed: !finalInfo || outcome.sha1 !== finalInfo.checksum, elapsed: elapsed(), ...pathInfo(finalInfo) };
    }
    if (expected !== undefined && outcome.digest !== expected) {
      // Ansible installs the file, then deletes it (and says changed); an existing file is kept here
      // instead, and only a new one, which Ansible leaves absent too, is reported as changed.
      await removeTmp();
      return fail(`The checksum for ${dest} did not match ${expected}; it was ${outcome.digest}.`, {
        dest, src: outcome.tmp, checksum_src: outcome.sha1, checksum_dest: finalInfo?.checksum ?? null, changed: finalInfo === undefined,
      });
    }
    const backupPath = backupName(dest);
    const plan = planInstallDownload(outcome, finalInfo, { dest, backup: a.backup, backupPath, ...want });
    const applied = await applySteps(ctx, plan.steps);
    if (applied.failed) {
      await removeTmp();
      return { ...result, changed: false, failed: true, msg: String(applied.msg), elapsed: elapsed() };
    }
    const after = await ctx.fact(fileInfo, { path: dest, follow: true, checksum: 'md5' });
    return {
      ...result,
      changed: plan.replace || plan.attributeChanges.length > 0,
      md5sum: after?.checksum ?? null,
      elapsed: elapsed(),
      ...(plan.replace && a.backup && finalInfo ? { backup_file: backupPath } : {}),
      ...pathInfo(after),
    };
  },
});
