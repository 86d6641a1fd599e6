import { z } from 'zod';
import { defineHostModule } from '../util/define.js';

/** Example: `fail: { msg: "vip is not set" }` with a `when:`. */
export const failModule = defineHostModule({
  name: 'fail',
  aliases: ['ansible.builtin.fail'],
  description: 'Fail the task with a message.',
  freeFormKey: 'msg',
  runsOn: 'controller',
  args: z.strictObject({ msg: z.string().optional() }),
  checkMode: 'full',
  // Ansible's action plugin checks the option names (_VALID_ARGS): "Invalid options for fail: foo".
  optionsCheckedByAction: true,
  async run(args) {
    return { changed: false, failed: true, msg: args.msg ?? 'Failed as requested from task' };
  },
});
