import { z } from 'zod';
import { ASYNC_STATUS } from '@haweb/core';
import { defineHostModule } from '../util/define.js';

/**
 * The status of a job started with `async` (or, with mode=cleanup, its files removed). The executor
 * owns background jobs (their wrapper and files on the host) and answers this module itself; the spec
 * here is what a task may pass.
 * Example:
 *   async_status: { jid: "{{ job.ansible_job_id }}" }
 *   register: done
 *   until: done.finished
 */
export const asyncStatusModule = defineHostModule({
  name: ASYNC_STATUS,
  aliases: [`ansible.builtin.${ASYNC_STATUS}`],
  description: 'Status of a job started with async (mode=status), or remove its files (mode=cleanup).',
  args: z.strictObject({
    jid: z.string().min(1),
    mode: z.enum(['status', 'cleanup']).default('status'),
  }),
  checkMode: 'full',
  async run() {
    // Reached only if an executor without background jobs ran it.
    return { changed: false, failed: true, msg: 'async_status is answered by the executor, which did not handle this task' };
  },
});
