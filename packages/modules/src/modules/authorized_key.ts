import { posix } from 'node:path';
import { z } from 'zod';
import { ansiblePathInfo, applySteps, AuthorizedKeyError, readFileInfo, authorizedKeyState, planAuthorizedKeys, type Step } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath } from '../util/schema.js';

/**
 * ansible.posix.authorized_key: SSH public keys in a user's authorized_keys file, rewritten as
 * Ansible rewrites it (planAuthorizedKeys). Check mode; diff; the result is Ansible's: the module's
 * parameters plus keyfile and changed.
 * Example: authorized_key: { user: deploy, key: "{{ lookup('file', 'deploy.pub') }}", exclusive: true }
 */
export const authorizedKeyModule = defineHostModule({
  name: 'authorized_key',
  aliases: ['ansible.posix.authorized_key'],
  description: "Add or remove SSH public keys in a user's authorized_keys file, as ansible.posix.authorized_key.",
  args: z.strictObject({
    user: z.string().min(1),
    key: z.string(),
    path: remotePath.optional(),
    manage_dir: boolish.default(true),
    state: z.enum(['absent', 'present']).default('present'),
    key_options: z.string().optional(),
    exclusive: boolish.default(false),
    comment: z.string().optional(),
    validate_certs: boolish.default(true),
    follow: boolish.default(false),
  }),
  checkMode: 'full',
  async run(a, ctx) {
    const params = {
      user: a.user, key: a.key, path: a.path ?? null, manage_dir: a.manage_dir, state: a.state, key_options: a.key_options ?? null,
      exclusive: a.exclusive, comment: a.comment ?? null, validate_certs: a.validate_certs, follow: a.follow,
    };
    if (a.key.startsWith('http')) {
      return { changed: false, failed: true, msg: `key from a URL (${a.key}): not yet implemented by this provisioner; give the key's text (lookup('url', ...) on the controller)` };
    }
    const facts = await ctx.fact(authorizedKeyState, { user: a.user, ...(a.path !== undefined ? { path: a.path } : {}) });
    if (!facts.user && !(ctx.check && a.path !== undefined)) {
      const msg = ctx.check && a.path === undefined
        ? 'Either user must exist or you must provide full path to key file in check mode'
        : `Failed to lookup user ${a.user}: "getpwnam(): name not found: '${a.user}'"`;
      return { changed: false, failed: true, msg };
    }
    const sshDir = a.path !== undefined ? posix.dirname(a.path) : posix.join(facts.user!.home, '.ssh');
    const keyfile = a.path ?? posix.join(sshDir, 'authorized_keys');
    let plan;
    try {
      plan = planAuthorizedKeys(facts.content, { key: a.key, state: a.state, keyOptions: a.key_options, comment: a.comment, exclusive: a.exclusive });
    } catch (err) {
      if (err instanceof AuthorizedKeyError) return { changed: false, failed: true, msg: err.message };
      throw err;
    }
    // Ansible adds the path info of a given `path` to the result (add_path_info).
    const pathInfo = async () => (a.path !== undefined ? ansiblePathInfo(await readFileInfo(ctx, a.path)) : {});
    if (!plan.changed) return { changed: false, ...params, keyfile, ...(await pathInfo()) };
    const target = a.follow && facts.realpath ? facts.realpath : keyfile;
    const steps: Step[] = [];
    const owner = facts.user ? { owner: String(facts.user.uid), group: String(facts.user.gid) } : {};
    if (a.manage_dir && facts.user) {
      steps.push({ kind: 'run', argv: ['install', '-d', '-m', '0700', '-o', owner.owner!, '-g', owner.group!, '--', sshDir], why: `${sshDir} owned by ${a.user}, mode 0700` });
    }
    steps.push({ kind: 'file', path: target, content: plan.content, mode: '0600', ...owner, why: `keys of ${a.user} in ${target}` });
    const diff = ctx.diff ? { diff: [{ before: facts.content, after: plan.content, beforeHeader: keyfile, afterHeader: target }] } : {};
    const applied = await applySteps(ctx, steps, { diff: diff.diff ?? [] });
    if (applied.failed) return { ...applied, ...params, keyfile };
    return { changed: true, ...params, keyfile, ...diff, ...(await pathInfo()) };
  },
});
