import { z } from 'zod';
import { AccountPlanError, accountFacts, parseSshKeyOutput, planUser, sshKeyScript, stepText, type AccountFacts } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * Return values a `register` user reads (Ansible's RETURN of user): name, state, uid, group (the
 * primary gid), groups (as given, comma-joined), comment, home, shell, system, create_home, append,
 * move_home, force, remove, password (masked), stdout/stderr of the command when it printed.
 */
export type UserResult = ModuleResult & Record<string, unknown>;

const args = withAliases(
  z.strictObject({
    name: z.string().regex(/^[^:\s,]+$/, 'a user name (no colon, comma or space)'),
    state: z.enum(['absent', 'present']).default('present'),
    uid: intish.optional(),
    non_unique: boolish.default(false),
    group: z.union([z.string(), z.number()]).transform(String).optional(),
    groups: z.union([stringList, z.null()]).optional(),
    append: boolish.default(false),
    comment: z.string().optional(),
    home: z.string().optional(),
    shell: z.string().optional(),
    password: z.string().optional(),
    update_password: z.enum(['always', 'on_create']).default('always'),
    password_lock: boolish.optional(),
    create_home: boolish.default(true),
    move_home: boolish.default(false),
    skeleton: z.string().optional(),
    umask: z.string().optional(),
    system: boolish.default(false),
    force: boolish.default(false),
    remove: boolish.default(false),
    expires: z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number).optional(),
    password_expire_max: intish.optional(),
    password_expire_min: intish.optional(),
    // Ansible's local uses libuser's luseradd; here it reads /etc/passwd and /etc/group, and the
    // shadow-utils commands write those files anyway.
    local: boolish.optional(),
    generate_ssh_key: boolish.optional(),
    ssh_key_bits: intish.default(0),
    ssh_key_type: z.string().default('rsa'),
    ssh_key_file: z.string().optional(),
    ssh_key_comment: z.string().optional(),
    ssh_key_passphrase: z.string().optional(),
  }),
  { name: ['user'], create_home: ['createhome'] },
);
type Args = z.output<typeof args>;

const NOT_SECRET = new Set(['*', '!', '*************']);

/** The wanted home, its parent, and the current home (a move_home leaves a home only where there was one). */
function paths(a: Args, facts?: AccountFacts): string[] {
  const home = a.home ?? facts?.user?.home;
  const current = facts?.user?.home;
  const out = home === undefined ? [] : [home, home.replace(/\/[^/]*\/?$/, '') || '/'];
  return current !== undefined && !out.includes(current) ? [...out, current] : out;
}

async function readFacts(ctx: ModuleContext, a: Args): Promise<AccountFacts> {
  const local = a.local ?? false;
  const first = await ctx.fact(accountFacts, { user: a.name, local, paths: paths(a) });
  // The home of an existing user is only known once its passwd entry is read.
  return first.user && first.user.home !== a.home ? ctx.fact(accountFacts, { user: a.name, local, paths: paths(a, first) }) : first;
}

/**
 * Examples:
 *   user: { name: deploy, groups: [adm, www-data], append: true, shell: /bin/bash }
 *   user: name=nginx system=yes create_home=no shell=/usr/sbin/nologin
 */
export const userModule = defineHostModule({
  name: 'user',
  aliases: ['ansible.builtin.user'],
  description: 'Add, change or remove a local user account (useradd, usermod, userdel, chage; libuser\'s commands with local).',
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<UserResult> {
    // The values that disable an account ('!', '*', as Ansible lists them) are no secret: masked, they
    // would blank those characters out of every later output.
    if (a.password !== undefined && !NOT_SECRET.has(a.password)) ctx.markSecret(a.password);
    if (a.ssh_key_passphrase !== undefined && a.ssh_key_passphrase !== '') ctx.markSecret(a.ssh_key_passphrase);
    const facts = await readFacts(ctx, a);
    let plan;
    try {
      plan = planUser(facts, { ...a, groups: a.groups ?? undefined }, ctx.check);
    } catch (err) {
      if (err instanceof AccountPlanError) return { changed: false, failed: true, msg: err.message };
      throw err;
    }
    const warnings = plan.warnings.length > 0 ? { warnings: plan.warnings } : {};
    const changed = plan.steps.length > 0;
    // Ansible answers a check-mode add or remove with `changed` alone.
    if (ctx.check && changed && plan.action !== 'modify') return { changed: true, ...warnings };
    let out = '';
    let err = '';
    if (!ctx.check) {
      for (const step of plan.steps) {
        const res = await ctx.remote.run(step.kind === 'run' ? { argv: step.argv } : { script: step.kind === 'script' ? step.script : '' }, { become: ctx.become });
        // Only useradd/usermod/userdel's own output is what Ansible reports (libuser's, lchage's and
        // lgroupmod's with local).
        if (step.kind === 'run' && /^(l?user(add|mod|del)|lchage|lgroupmod)$/.test(step.argv[0])) {
          out += res.stdout;
          err += res.stderr;
        }
        if (res.code !== 0) return { changed: false, failed: true, name: a.name, msg: (res.stderr || res.stdout).trim() || `${stepText(step)}: exit ${res.code}`, rc: res.code, ...warnings };
      }
    }
    const result: UserResult = { name: a.name, state: a.state, changed, ...warnings };
    if (a.state === 'present' && a.generate_ssh_key) {
      // Ansible's ssh_key_gen, after the account exists (check mode only looks).
      const script = sshKeyScript(
        { user: a.name, file: a.ssh_key_file, type: a.ssh_key_type, bits: a.ssh_key_bits, comment: a.ssh_key_comment, passphrase: a.ssh_key_passphrase, force: a.force },
        ctx.check,
      );
      const res = await ctx.remote.run({ script }, { become: ctx.become });
      if (res.code !== 0) return { changed: false, failed: true, name: a.name, msg: (res.stderr || res.stdout).trim(), rc: res.code };
      const key = parseSshKeyOutput(res.stdout);
      if (key.state !== 'exists') result.changed = true;
      Object.assign(result, { ssh_fingerprint: key.fingerprint ?? '', ssh_key_file: key.file, ssh_public_key: key.publicKey ?? null });
      if (key.warnings.length > 0) result.warnings = [...plan.warnings, ...key.warnings];
    }
    if (plan.action === 'remove') Object.assign(result, { force: a.force, remove: a.remove });
    if (plan.action === 'create') Object.assign(result, { system: a.system, create_home: a.create_home });
    if (plan.action === 'modify') Object.assign(result, { append: a.append, move_home: a.move_home });
    if (a.state === 'present' && a.password !== undefined) result.password = 'NOT_LOGGING_PASSWORD';
    // Ansible adds the *_lines of any stdout/stderr a module returns.
    if (out) Object.assign(result, { stdout: out, stdout_lines: out.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') });
    if (err) Object.assign(result, { stderr: err, stderr_lines: err.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') });
    if (a.state === 'present') {
      const user = ctx.check ? facts.user : (await ctx.fact(accountFacts, { user: a.name, local: a.local ?? false })).user;
      if (user) {
        Object.assign(result, { uid: user.uid, group: user.gid, comment: user.comment, home: user.home, shell: user.shell });
        if (a.groups !== undefined && a.groups !== null) result.groups = a.groups.join(',');
      }
    }
    return result;
  },
});
