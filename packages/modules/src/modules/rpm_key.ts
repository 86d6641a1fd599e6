import { z } from 'zod';
import { shellQuote } from '@haweb/core';
import { applySteps, gpgColonField, isRpmKeyId, normalizeKeyId, rpmKeyImported, rpmKeyState, type Step } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

const PATHS = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * ansible.builtin.rpm_key: import a GPG key into rpm's keyring, or remove one, as Ansible's module
 * does: the key is a URL (fetched on the host, with curl or python3), a key id (removal, or a check
 * that it is there) or a file on the host; its id comes from gpg, compared with the imported keys';
 * an optional fingerprint must match before the import. Check mode; returns changed only, as Ansible's.
 * Needs rpm and gpg (or gpg2) on the host, as Ansible's.
 * Example: rpm_key: { key: https://repo.example/RPM-GPG-KEY, state: present }
 */
export const rpmKeyModule = defineHostModule({
  name: 'rpm_key',
  aliases: ['ansible.builtin.rpm_key'],
  description: "Add or remove a GPG key in rpm's keyring, as Ansible's rpm_key module.",
  args: z.strictObject({
    key: z.union([z.string(), z.number()]).transform(String),
    state: z.enum(['absent', 'present']).default('present'),
    fingerprint: z.string().optional(),
    // Default true (ansible-doc prints the documentation's 'yes'): applied in run.
    validate_certs: boolish.optional(),
  }),
  checkMode: 'full',
  async run(a, ctx) {
    const kind = a.key.includes('://') ? 'url' : isRpmKeyId(a.key) ? 'id' : 'file';
    const f = await ctx.fact(rpmKeyState, { key: a.key, kind, validateCerts: a.validate_certs ?? true });
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    if (!f.rpm) return fail(`Failed to find required executable "rpm" in paths: ${PATHS}`);
    if (!f.gpg) return fail(`Failed to find required executable "gpg2" in paths: ${PATHS}`);
    // A fetched key lives in a temporary file (made by the fact): removed whatever happens next, also in check mode.
    const done = async <T>(r: T): Promise<T> => {
      if (f.fetched) await ctx.remote.run({ argv: ['rm', '-f', f.fetched] }, { become: ctx.become });
      return r;
    };
    if (kind === 'url' && f.fetchError !== undefined) return done(fail(`failed to fetch key at ${a.key} , error was: ${f.fetchError}`));
    if (kind === 'url' && f.notPublicKey) return done(fail(`Not a public key: ${a.key}`));
    if (kind === 'file' && !f.isFile) return fail(`Not a valid key ${a.key}`);
    let keyid = a.key;
    if (kind !== 'id') {
      if (f.keyRc !== 0) return done(fail(f.keyErr ?? ''));
      const id = gpgColonField(f.keyListing ?? '', 'pub', 4);
      if (id === undefined) return done(fail('Unexpected gpg output'));
      keyid = id;
    }
    keyid = normalizeKeyId(keyid);
    if (f.anyImported && f.importedRc !== 0) return done(fail(f.importedErr));
    const imported = f.anyImported && rpmKeyImported(f.imported, keyid);
    const keyfile = kind === 'url' ? f.fetched : kind === 'file' ? a.key : undefined;
    let steps: Step[];
    if (a.state === 'present') {
      if (imported) return done({ changed: false });
      if (!keyfile) return fail('When importing a key, a valid file must be given');
      if (a.fingerprint !== undefined && a.fingerprint !== '') {
        const want = a.fingerprint.replace(/ /g, '').toUpperCase();
        const has = gpgColonField(f.keyListing ?? '', 'fpr', 9);
        if (has === undefined) return done(fail('Unexpected gpg output'));
        if (want !== has) return done(fail(`The specified fingerprint, '${want}', does not match the key fingerprint '${has}'`));
      }
      steps = [{ kind: 'run', argv: ['rpm', '--import', keyfile], why: `import ${a.key}` }];
    } else {
      if (!imported) return done({ changed: false });
      steps = [{ kind: 'script', script: `rpm --erase --allmatches ${shellQuote(`gpg-pubkey-${keyid.slice(-8).toLowerCase()}`)}`, why: `remove key ${keyid}` }];
    }
    const applied = await applySteps(ctx, steps, { failure: (x) => x.result.stderr });
    return done(applied.failed ? { changed: false, failed: true, msg: applied.msg } : { changed: true });
  },
});
