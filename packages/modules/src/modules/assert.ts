import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

/**
 * Example:
 *   assert:
 *     that: [ "ansible_os_family in ['Debian', 'RedHat']", "vip | length > 0" ]
 *     fail_msg: "unsupported host"
 */
export const assertModule = defineHostModule({
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  description: 'Fail unless every expression in `that` is true.',
  runsOn: 'controller',
  args: z.strictObject({
    // An empty entry (`-` alone, null) holds, as Ansible's Conditional reads None.
    that: z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean(), z.null()]))]),
    fail_msg: z.string().optional(),
    msg: z.string().optional(),
    success_msg: z.string().optional(),
    quiet: boolish.optional(),
  }),
  checkMode: 'full',
  // Ansible's action plugin checks the option names (_VALID_ARGS): "Invalid options for assert: foo".
  optionsCheckedByAction: true,
  async run(args, ctx) {
    const conditions = Array.isArray(args.that) ? args.that : [args.that];
    for (const condition of conditions) {
      if (condition === null) continue;
      let value: unknown;
      try {
        value = typeof condition === 'boolean' ? condition : ctx.evaluate(condition);
      } catch (err) {
        return { changed: false, failed: true, assertion: condition, evaluated_to: false, msg: `cannot evaluate ${JSON.stringify(condition)}: ${(err as Error).message}` };
      }
      if (!value) {
        return { changed: false, failed: true, assertion: condition, evaluated_to: false, msg: args.fail_msg ?? args.msg ?? `Assertion failed: ${condition}` };
      }
    }
    return { changed: false, msg: args.quiet ? undefined : args.success_msg ?? 'All assertions passed' };
  },
});
