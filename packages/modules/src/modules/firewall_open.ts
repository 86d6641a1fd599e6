import { z } from 'zod';
import { HostPlanError, applySteps, firewallStateFact, hostProfileFact, planFirewall, type Opening, failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, stringList } from '../util/schema.js';

/**
 * Examples:
 *   firewall_open: { ports: [88], vrrp_peers: ["198.51.100.52"] }
 *   firewall_open: { ports: ["443"], protocol: tcp }
 * The host's way, at runtime and for boot: firewalld (permanent and runtime) where it runs; iptables
 * inserted before the catch-all REJECT/DROP of INPUT and saved where the distribution restores it;
 * nothing on a host whose firewall lets everything in.
 */
export const firewallOpenModule = defineHostModule({
  name: 'firewall_open',
  aliases: ['haweb.firewall_open'],
  description: "Let ports and VRRP from the peers through the host's firewall (firewalld or iptables), now and after a reboot.",
  args: z.strictObject({
    ports: z.array(z.union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}$/).transform(Number)])).default([]),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    vrrp_peers: stringList.optional(),
    vrrp_unicast: boolish.default(false),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const profile = await ctx.fact(hostProfileFact, { hostName: ctx.hostName });
    const state = await ctx.fact(firewallStateFact, { kind: profile.firewall, wait: profile.iptables?.wait ?? false });
    const openings: Opening[] = [
      ...args.ports.map((port): Opening => ({ kind: 'port', port, protocol: args.protocol })),
      ...(args.vrrp_peers && args.vrrp_peers.length > 0 ? [{ kind: 'vrrp', peers: args.vrrp_peers, unicast: args.vrrp_unicast } as Opening] : []),
    ];
    let steps;
    try {
      steps = planFirewall(profile, openings, state);
    } catch (error) {
      if (error instanceof HostPlanError) return failed(`${ctx.hostName}: ${error.message}`, { firewall: profile.firewall });
      throw error;
    }
    if (steps.length === 0) return { changed: false, firewall: profile.firewall, msg: profile.firewall === 'none' ? 'no firewall blocks these' : 'already open' };
    return { ...(await applySteps(ctx, steps)), firewall: profile.firewall };
  },
});
