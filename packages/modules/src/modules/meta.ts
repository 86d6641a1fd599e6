import { z } from 'zod';
import { defineHostModule } from '../util/define.js';

export const META_ACTIONS = [
  'flush_handlers',
  'noop',
  'end_play',
  'end_host',
  'end_batch',
  'clear_facts',
  'clear_host_errors',
  'refresh_inventory',
  'reset_connection',
] as const;

/**
 * A controller module that only names its action; the executor acts on it (flush_handlers, end_play...).
 * Example: `meta: flush_handlers`
 */
export const metaModule = defineHostModule({
  name: 'meta',
  aliases: ['ansible.builtin.meta'],
  description: 'Executor actions: flush_handlers, noop, end_play, end_host, clear_facts, ...',
  freeFormKey: 'action',
  runsOn: 'controller',
  args: z.strictObject({ action: z.enum(META_ACTIONS) }),
  checkMode: 'full',
  async run(args) {
    return { changed: false, action: args.action, msg: `meta: ${args.action}` };
  },
});
