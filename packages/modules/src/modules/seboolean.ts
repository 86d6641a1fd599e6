import { z } from 'zod';
import { applySteps, sebooleanState, setseboolArgv } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

/**
 * ansible.posix.seboolean: an SELinux boolean on or off, for now (runtime) or for good (persistent:
 * the policy store and the runtime value, `setsebool -P`). Check mode; returns name, persistent,
 * state and changed as Ansible does. Ansible reads and sets booleans through libselinux's Python
 * bindings; this reads them with getsebool (and `semanage boolean -l` for the persistent value) and
 * sets them with setsebool.
 * Example: seboolean: { name: httpd_can_network_connect_db, state: true, persistent: true }
 */
export const sebooleanModule = defineHostModule({
  name: 'seboolean',
  aliases: ['ansible.posix.seboolean'],
  description: 'Turn an SELinux boolean on or off (persistently with setsebool -P), as Ansible\'s seboolean module.',
  args: z.strictObject({
    name: z.string(),
    state: boolish,
    persistent: boolish.default(false),
    ignore_selinux_state: boolish.default(false),
  }),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const facts = await ctx.fact(sebooleanState, { name: a.name, persistent: a.persistent });
    if (!facts.tools) {
      // A host without libselinux (Debian's default) fails in Ansible on the missing Python binding,
      // whatever the options; the status and the message a user matches on are kept.
      const host = String(ctx.vars.inventory_hostname ?? '');
      const python = String(ctx.vars.ansible_python_interpreter ?? '/usr/bin/python3');
      return fail(
        `Failed to import the required Python library (libselinux-python) on ${host}'s Python ${python}. Please read the module documentation and install it in the appropriate location. If the required library is installed, but Ansible is using the wrong Python interpreter, please consult the documentation on ansible_python_interpreter`,
      );
    }
    if (!facts.enabled && !a.ignore_selinux_state) return fail('SELinux is disabled on this host.');
    if (facts.runtime === undefined) return fail(`SELinux boolean ${a.name} does not exist.`);
    const result = { name: a.name, persistent: a.persistent, state: a.state };
    // Persistent: the policy store's value decides (the runtime one when semanage is missing).
    const current = a.persistent ? (facts.persistent ?? facts.runtime) : facts.runtime;
    if (current === a.state) return { changed: false, ...result };
    const applied = await applySteps(ctx, [{ kind: 'run', argv: setseboolArgv(a.name, a.state, a.persistent), why: `set ${a.name} ${a.state ? 'on' : 'off'}` }], {
      diff: [],
      failure: (f) =>
        a.persistent
          ? `Failed to manage policy for boolean ${a.name}: ${f.result.stderr.trim()}`
          : `Failed to set boolean ${a.name} to ${a.state ? 'True' : 'False'}`,
    });
    if (applied.failed) return { ...result, changed: false, failed: true, msg: applied.msg };
    return { changed: true, ...result };
  },
});
