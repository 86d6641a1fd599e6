import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { intish } from '../util/schema.js';

/** Examples: `debug: { msg: "VIP is {{ vip }}" }`, `debug: { var: ansible_default_ipv4.address }` */
export const debugModule = defineHostModule({
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  description: 'Print a message or the value of a variable/expression.',
  freeFormKey: 'msg',
  runsOn: 'controller',
  args: z
    .strictObject({ msg: z.unknown().optional(), var: z.string().optional(), verbosity: intish.optional() })
    .refine((a) => !(a.msg !== undefined && a.var !== undefined), { message: 'msg and var are mutually exclusive' }),
  checkMode: 'full',
  // Ansible's action plugin checks the option names (_VALID_ARGS): "Invalid options for debug: foo".
  optionsCheckedByAction: true,
  async run(args, ctx) {
    // As Ansible's debug: above the run's verbosity (-v count) the task is skipped, not ok.
    if ((args.verbosity ?? 0) > (ctx.verbosity ?? 0)) return { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.' };
    if (args.var !== undefined) {
      let value: unknown;
      try {
        value = ctx.evaluate(args.var);
      } catch (err) {
        value = `VARIABLE IS NOT DEFINED! (${(err as Error).message})`;
      }
      return { changed: false, [args.var]: value };
    }
    const msg = args.msg ?? 'Hello world!';
    // Lists and dicts are shown as JSON, as Ansible prints them.
    return { changed: false, msg: typeof msg === 'string' ? msg : JSON.stringify(msg, null, 2) };
  },
});
