import { z } from 'zod';
import { META_ACTIONS, type MetaAction } from '@haweb/core';
import { defineHostModule } from '../util/define.js';

/** The executor owns the action list (it performs them); the spec here reads the same list. */
export { META_ACTIONS };

/**
 * A controller module that only names its action; the executor acts on it (flush_handlers, end_play...)
 * without calling run(): the actions change the executor's own state, not a host.
 * Example: `meta: flush_handlers`
 */
export const metaModule = defineHostModule({
  name: 'meta',
  aliases: ['ansible.builtin.meta'],
  description: 'Executor actions: flush_handlers, noop, end_play, end_host, clear_facts, ...',
  freeFormKey: 'action',
  runsOn: 'controller',
  args: z.strictObject({ action: z.enum(META_ACTIONS as [MetaAction, ...MetaAction[]]) }),
  checkMode: 'full',
  async run(args) {
    return { changed: false, action: args.action, msg: `meta: ${args.action}` };
  },
});
