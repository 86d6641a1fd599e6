import { z } from 'zod';
import { aclArgv, aclLines, aclTestArgv, aclTools, aclWouldChange, buildAclEntry, splitAclEntry, type AclCommand } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath, withAliases } from '../util/schema.js';

const PATHS = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * ansible.posix.acl: set, remove or read POSIX ACL entries of a file or folder (Linux), with setfacl
 * and getfacl. The entry is given whole (`entry: "default:user:bob:rwx"`) or as etype/entity/
 * permissions; `default` for the default ACL of a folder, `recursive`, `recalculate_mask`, `follow`.
 * A change is made only when `setfacl --test` shows one (idempotent); check mode stops there. Returns
 * changed, msg ("<entry> is present", "<entry> is absent", "current acl") and acl (the ACL after the
 * change, getfacl's lines), with the module's failures in its own words.
 * Example: acl: { path: /srv/www, entity: www-data, etype: user, permissions: rx, state: present }
 */
export const aclModule = defineHostModule({
  name: 'acl',
  aliases: ['ansible.posix.acl'],
  description: "Set, remove or read POSIX ACL entries (setfacl/getfacl), as ansible.posix's acl module.",
  args: withAliases(
    z.strictObject({
      path: remotePath,
      entry: z.string().optional(),
      entity: z.string().default(''),
      etype: z.enum(['group', 'mask', 'other', 'user']).optional(),
      permissions: z.string().optional(),
      state: z.enum(['absent', 'present', 'query']).default('query'),
      follow: boolish.default(true),
      default: boolish.default(false),
      recursive: boolish.default(false),
      recalculate_mask: z.enum(['default', 'mask', 'no_mask']).default('default'),
      use_nfsv4_acls: boolish.default(false),
    }),
    { path: ['name'], recursive: ['recurse'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const tools = await ctx.fact(aclTools, { path: a.path });
    if (!tools.exists) return fail('Path not found or not accessible.');
    if (a.state === 'query') {
      if (a.recursive) return fail("'recursive' MUST NOT be set when 'state=query'.");
      if (a.recalculate_mask !== 'default') return fail("'recalculate_mask' MUST NOT be set to 'mask' or 'no_mask' when 'state=query'.");
    }
    let { etype, entity, permissions } = a as { etype?: string; entity: string; permissions?: string };
    let isDefault = a.default;
    if (!a.entry) {
      if (a.state === 'absent' && permissions) return fail("'permissions' MUST NOT be set when 'state=absent'.");
      if (a.state === 'absent' && !entity) return fail("'entity' MUST be set when 'state=absent'.");
      if (a.state !== 'query' && !etype) return fail(`'etype' MUST be set when 'state=${a.state}'.`);
    } else {
      if (etype || entity || permissions) return fail("'entry' MUST NOT be set when 'entity', 'etype' or 'permissions' are set.");
      const colons = a.entry.split(':').length - 1;
      if (a.state === 'present' && colons !== 2 && colons !== 3) return fail("'entry' MUST have 3 or 4 sections divided by ':' when 'state=present'.");
      if (a.state === 'absent' && colons !== 1 && colons !== 2) return fail("'entry' MUST have 2 or 3 sections divided by ':' when 'state=absent'.");
      if (a.state === 'query') return fail("'entry' MUST NOT be set when 'state=query'.");
      const split = splitAclEntry(a.entry);
      etype = split.etype;
      entity = split.entity;
      permissions = split.permissions;
      if (split.default) isDefault = true;
    }
    const missing = (tool: string) => fail(`Failed to find required executable "${tool}" in paths: ${PATHS}`);
    const base: Omit<AclCommand, 'mode'> = { path: a.path, follow: a.follow, default: isDefault, recursive: a.recursive, recalculateMask: a.recalculate_mask };
    const run = (argv: string[]) => ctx.remote.run({ argv }, { become: ctx.become });
    const failedRun = (argv: string[], r: { code: number; stdout: string; stderr: string }) => ({ changed: false, failed: true, cmd: argv.join(' '), rc: r.code, stdout: r.stdout, stderr: r.stderr, msg: r.stderr.replace(/\s+$/, '') });
    let changed = false;
    let msg = 'current acl';
    if (a.state !== 'query') {
      if (!tools.setfacl) return missing('setfacl');
      const entry = a.state === 'present' ? buildAclEntry(String(etype), entity, permissions, a.use_nfsv4_acls) : buildAclEntry(String(etype), entity);
      const argv = aclArgv(tools.setfacl, { ...base, mode: a.state === 'present' ? 'set' : 'rm', entry });
      const test = await run(aclTestArgv(argv));
      if (test.code !== 0) return failedRun(aclTestArgv(argv), test);
      changed = aclWouldChange(test.stdout);
      if (changed && !ctx.check) {
        const r = await run(argv);
        // Ansible checks the exit code of a change, not of a removal
        if (r.code !== 0 && a.state === 'present') return failedRun(argv, r);
      }
      msg = `${entry} is ${a.state}`;
    }
    if (!tools.getfacl) return missing('getfacl');
    const get = aclArgv(tools.getfacl, { ...base, mode: 'get' });
    const r = await run(get);
    if (r.code !== 0) return failedRun(get, r);
    return { changed, msg, acl: aclLines(r.stdout) };
  },
});
