import { z } from 'zod';
import { aptKeyAddArgv, aptKeyDelArgv, aptKeyListCommand, aptKeyRecvArgv, parseKeyId, parseKeyIds } from '@haweb/hostkit';
import { shellQuote, type ModuleContext, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { withOutputLines } from '../util/output-lines.js';
import { boolish } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of apt_key): id (as given, or read from the key), short_id, fp,
 * key_id, before (the key ids listed before), after (when a key was added or removed).
 */
export type AptKeyResult = ModuleResult & { id?: string | null; short_id?: string; fp?: string; key_id?: string; before?: string[]; after?: string[] };

const args = z
  .strictObject({
    id: z.string().optional(),
    url: z.string().min(1).optional(),
    data: z.string().optional(),
    file: z.string().min(1).optional(),
    keyring: z.string().min(1).optional(),
    // Ansible's default (true) is kept in run(): its spec writes it as 'yes'.
    validate_certs: boolish.optional(),
    keyserver: z.string().min(1).optional(),
    state: z.enum(['absent', 'present']).default('present'),
  })
  .refine((a) => [a.data, a.file, a.keyserver, a.url].filter((x) => x !== undefined).length <= 1, { message: 'parameters are mutually exclusive: data|file|keyserver|url' });

type Args = z.output<typeof args>;

const LANG = { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' };

async function sh(ctx: ModuleContext, command: { argv: string[] } | { script: string }, stdin?: string | Buffer) {
  return ctx.remote.run(command, { become: ctx.become, env: LANG, timeoutMs: 120_000, ...(stdin !== undefined ? { stdin } : {}) });
}

/** What the key ends up as, once a URL's key (if any) is in a host file: Ansible's main() after its downloads. */
async function convergeKey(a: Args, ctx: ModuleContext, data: Buffer | undefined, downloaded: string | undefined): Promise<AptKeyResult> {
  let keyId = a.id;
  const source = a.file ?? downloaded;
  if (!keyId) {
    if (a.keyserver) return { changed: false, failed: true, msg: 'Missing key_id, required with keyserver.' };
    if (source !== undefined || data !== undefined) {
      const r = await sh(ctx, { argv: ['gpg', '--with-colons', source ?? '-'] }, source === undefined ? data : undefined);
      if (r.code !== 0) return { changed: false, failed: true, msg: `Unable to extract key from '${a.file === undefined ? 'inline data' : a.file}'`, stdout: r.stdout, stderr: r.stderr };
      keyId = parseKeyIds(r.stdout)[0];
    }
  }
  const result: AptKeyResult = { changed: false, id: keyId ?? null };
  const ids = keyId ? parseKeyId(keyId) : undefined;
  if (!ids) return { ...result, failed: true, msg: 'Invalid key_id' };
  Object.assign(result, { short_id: ids.shortId, fp: ids.fingerprint, key_id: ids.keyId });
  const shortFormat = ids.keyId.length === 8;
  const list = async (): Promise<string[] | undefined> => {
    const r = await sh(ctx, { script: aptKeyListCommand(a.keyring) });
    return r.code === 0 ? parseKeyIds(r.stdout, shortFormat) : undefined;
  };
  const before = await list();
  if (!before) return { ...result, failed: true, msg: 'Unable to list public keys' };
  result.before = before;
  const has = (keys: string[]) => (shortFormat ? keys.includes(ids.shortId) : keys.includes(ids.fingerprint));
  if (a.state === 'present') {
    if (has(before)) return result;
    result.changed = true;
    if (ctx.check) return result;
    let r;
    if (source !== undefined) r = await sh(ctx, { argv: aptKeyAddArgv(a.keyring, source) });
    else if (a.keyserver !== undefined) r = await sh(ctx, { argv: aptKeyRecvArgv(a.keyring, a.keyserver, ids.keyId) });
    else if (data !== undefined) r = await sh(ctx, { argv: aptKeyAddArgv(a.keyring, '-') }, data);
    else return { ...result, changed: false, failed: true, msg: 'No key to add: give file, data, url or keyserver' };
    if (r.code !== 0) {
      const what = a.file !== undefined ? `Unable to add a key from file ${a.file}` : a.keyserver !== undefined ? `Error fetching key ${ids.keyId} from keyserver: ${a.keyserver}` : 'Unable to add a key from binary data';
      return { ...result, failed: true, msg: what, rc: r.code, stdout: r.stdout, stderr: r.stderr };
    }
    const after = (await list()) ?? [];
    result.after = after;
    if (!has(after)) return { ...result, failed: true, msg: 'apt-key did not return an error, but failed to add the key (check that the id is correct and *not* a subkey)' };
    return result;
  }
  if (!before.includes(ids.fingerprint)) return result;
  result.changed = true;
  if (ctx.check) return result;
  const r = await sh(ctx, { argv: aptKeyDelArgv(a.keyring, ids.shortId) });
  if (r.code !== 0) return { ...result, failed: true, msg: `Unable to remove a key with id ${ids.shortId}`, rc: r.code, stdout: r.stdout, stderr: r.stderr };
  const after = (await list()) ?? [];
  result.after = after;
  if (after.includes(ids.fingerprint)) return { ...result, failed: true, msg: 'apt-key did not return an error, but the key was not removed (check that the id is correct and *not* a subkey)' };
  return result;
}

/**
 * Examples:
 *   apt_key: { url: 'http://198.51.100.1/repo.asc', state: present }
 *   apt_key: id=0x9DA31620334BD75D9DCB49F368818C72E52529D4 state=absent
 */
export const aptKeyModule = defineHostModule({
  name: 'apt_key',
  aliases: ['ansible.builtin.apt_key'],
  description: "Add or remove an apt key with the host's apt-key (deprecated in Debian 12, still used by roles): from a file, inline data, a URL or a keyserver.",
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<AptKeyResult> {
    for (const bin of ['apt-key', 'gpg']) {
      const found = await sh(ctx, { script: `command -v ${bin}` });
      if (found.code !== 0) return { changed: false, failed: true, msg: `Failed to find required executable "${bin}" in paths: ${'/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}` };
    }
    const data: Buffer | undefined = a.data !== undefined ? Buffer.from(a.data) : undefined;
    // A key from a URL is downloaded on the host into a temporary file (binary keys stay intact).
    let downloaded: string | undefined;
    if (a.url !== undefined && (!a.id || a.state === 'present')) {
      const r = await ctx.remote.run(
        { script: `t=$(mktemp) && curl -sS -L --fail ${a.validate_certs === false ? '-k ' : ''}-A ansible-httpget -o "$t" -- ${shellQuote(a.url)} && echo "$t" || { rm -f "$t"; exit 22; }` },
        { become: ctx.become, timeoutMs: 120_000 },
      );
      if (r.code !== 0) return { changed: false, failed: true, msg: `Failed to download key at ${a.url}: ${r.stderr.trim() || `curl exit ${r.code}`}` };
      downloaded = r.stdout.trim();
    }
    try {
      return withOutputLines(await convergeKey(a, ctx, data, downloaded));
    } finally {
      if (downloaded) await ctx.remote.run({ argv: ['rm', '-f', '--', downloaded] }, { become: ctx.become });
    }
  },
});
