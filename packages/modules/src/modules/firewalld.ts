import { z } from 'zod';
import { applySteps, firewallStateFact, type FirewallState, type Step } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { failed, errorMessage } from '../util/result.js';
import { boolish } from '../util/schema.js';

/**
 * Examples (ansible.posix.firewalld's arguments):
 *   firewalld: { port: 88/tcp, permanent: true, immediate: true, state: enabled }
 *   firewalld: { rich_rule: 'rule family="ipv4" source address="10.0.0.2" destination address="224.0.0.18" protocol value="vrrp" accept', permanent: true, immediate: true, state: enabled }
 * Acts on firewalld's default zone. `permanent` survives a reload and a reboot; `immediate` (or a
 * non-permanent call) changes the running firewall: EL hosts need both for an opening that works now
 * and after a reboot.
 */
export const firewalldModule = defineHostModule({
  name: 'firewalld',
  aliases: ['ansible.posix.firewalld'],
  description: "Allow or remove a port or a rich rule in firewalld's default zone, permanently and/or at runtime.",
  args: z
    .strictObject({
      port: z.string().regex(/^\d{1,5}(-\d{1,5})?\/(tcp|udp|sctp|dccp)$/, 'port is PORT/PROTOCOL, e.g. 88/tcp').optional(),
      rich_rule: z.string().min(1).optional(),
      permanent: boolish.optional(),
      immediate: boolish.optional(),
      state: z.enum(['enabled', 'disabled']),
    })
    .refine((a) => (a.port === undefined) !== (a.rich_rule === undefined), 'give exactly one of port and rich_rule'),
  checkMode: 'full',
  async run(args, ctx) {
    let state: FirewallState;
    try {
      state = await ctx.fact(firewallStateFact, { kind: 'firewalld', wait: false });
    } catch (err) {
      return failed(`cannot read firewalld's state: ${errorMessage(err)}`);
    }
    const steps = planFirewalldItem(args, state);
    const item = args.port ?? args.rich_rule!;
    const result = await applySteps(ctx, steps);
    return { ...result, item, state: args.state };
  },
});

export interface FirewalldItemArgs {
  port?: string;
  rich_rule?: string;
  permanent?: boolean;
  immediate?: boolean;
  state: 'enabled' | 'disabled';
}

/** firewalld prints rich rules with single spaces: compare them that way. */
function normal(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Which scopes the call touches: as ansible.posix.firewalld, runtime unless permanent without immediate. */
export function firewalldScopes(args: Pick<FirewalldItemArgs, 'permanent' | 'immediate'>): ('permanent' | 'runtime')[] {
  const scopes: ('permanent' | 'runtime')[] = [];
  if (args.permanent) scopes.push('permanent');
  if (!args.permanent || args.immediate) scopes.push('runtime');
  return scopes;
}

/** The firewall-cmd calls that bring the item to its state in each scope, only where it differs. */
export function planFirewalldItem(args: FirewalldItemArgs, fw: FirewallState): Step[] {
  const current = fw.firewalld;
  if (!current) return [];
  const isPort = args.port !== undefined;
  const item = normal(args.port ?? args.rich_rule!);
  const steps: Step[] = [];
  for (const scope of firewalldScopes(args)) {
    const present = (isPort ? current[scope].ports : current[scope].richRules).map(normal).includes(item);
    const wanted = args.state === 'enabled';
    if (present === wanted) continue;
    const flag = `--${wanted ? 'add' : 'remove'}-${isPort ? 'port' : 'rich-rule'}=${item}`;
    steps.push({
      kind: 'run',
      argv: ['firewall-cmd', ...(scope === 'permanent' ? ['--permanent'] : []), flag],
      why: `firewalld (${scope}): ${wanted ? 'allow' : 'remove'} ${item}`,
    });
  }
  return steps;
}
