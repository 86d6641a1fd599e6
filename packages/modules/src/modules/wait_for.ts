import { z } from 'zod';
import { parseWaitFor, TCP_STATES, WAIT_FOR_SCRIPT, waitForArgumentError } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { intish, stringList } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of wait_for): elapsed (whole seconds), state, port, path,
 * search_regex, match_groups (a list), match_groupdict; msg and elapsed on a timeout.
 */
const args = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: intish.optional(),
  path: z.string().optional(),
  search_regex: z.string().optional(),
  state: z.enum(['absent', 'drained', 'present', 'started', 'stopped']).default('started'),
  timeout: intish.default(300),
  connect_timeout: intish.default(5),
  delay: intish.default(0),
  sleep: intish.default(1),
  exclude_hosts: stringList.optional(),
  active_connection_states: stringList.default(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT']),
  msg: z.string().optional(),
});

/**
 * Examples:
 *   wait_for: { port: 88, host: 127.0.0.1, timeout: 30 }
 *   wait_for: path=/var/log/app.log search_regex='started on port (\d+)'
 */
export const waitForModule = defineHostModule({
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for'],
  description: 'Wait (bounded by timeout) on the host for a port to open, close or drain, or a file to appear, contain a pattern or go away.',
  args,
  // As in Ansible, which does not run wait_for in check mode.
  checkMode: 'none',
  async run(a, ctx) {
    const invalid = waitForArgumentError(a);
    if (invalid) return { changed: false, failed: true, msg: invalid, elapsed: 0 };
    const input = JSON.stringify({ ...a, tcp_states: a.active_connection_states.map((s) => TCP_STATES[s]) });
    // The wait is bounded on the host by timeout; the channel gets the same bound plus the delay and a margin.
    const timeoutMs = (a.delay + a.timeout + a.connect_timeout + 30) * 1000;
    const res = await ctx.remote.run({ argv: ['python3', '-c', WAIT_FOR_SCRIPT] }, { become: ctx.become, stdin: input, timeoutMs });
    const outcome = parseWaitFor(res.stdout, res.stderr, res.code);
    return { changed: false, ...outcome };
  },
});
