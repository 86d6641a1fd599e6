/**
 * vrrp_cluster_check: the VRRP runtime's own cross-node check (checkCluster) before anything is
 * deployed. Runs on the controller: renders the node config template once per host with that host's
 * variables, parses each rendering like vrrpd would, and checks that the nodes agree and can fail over.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineModule, type ModuleContext, type ModuleResult } from '@haweb/core';
import { checkCluster, type NodeConfig } from '../config/cluster.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { parseConfigText } from '../config/load.js';

export const vrrpClusterCheckArgs = z.strictObject({
  /** Controller path of the node config template (keepalived.conf syntax), looked up like `template: src`. */
  template: z.string().min(1),
  /** Inventory hosts whose configs form the cluster; default: every host of the play. */
  hosts: z.array(z.string().min(1)).min(1).optional(),
});

/**
 * Warnings of checkCluster that mean the pair cannot fail over as declared: refused here, since a
 * layout check that lets them through would deploy a pair that never moves the VIP.
 */
const CANNOT_FAIL_OVER = [/cannot move the VIP/, /both have priority/];

export function severityForLayout(d: Diagnostic): Diagnostic {
  return d.severity === 'warning' && CANNOT_FAIL_OVER.some((re) => re.test(d.message)) ? { ...d, severity: 'error' } : d;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The variables that make `host`'s rendering differ from this host's: its name and its inventory
 * variables. An inventory variable is taken from `host` only where this host's value is still its own
 * inventory value; otherwise something of higher precedence (play vars, -e) overrides it, for every host.
 */
export function varsFor(ctx: Pick<ModuleContext, 'hostName' | 'vars'>, host: string): Record<string, unknown> {
  const hostvars = (ctx.vars.hostvars ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const theirs = hostvars[host];
  if (!theirs) throw new Error(`host ${host} is not in the inventory`);
  const mine = hostvars[ctx.hostName] ?? {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(theirs)) {
    if (!(key in mine) || same(ctx.vars[key], mine[key])) extra[key] = value;
  }
  return { ...extra, inventory_hostname: host, inventory_hostname_short: host.split('.')[0] };
}

/** Renders, parses and cross-checks; returns every problem found (parse and cluster diagnostics). */
export function checkLayout(templateName: string, hosts: readonly string[], render: (host: string) => string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const nodes: NodeConfig[] = [];
  for (const host of hosts) {
    const file = `${templateName} (rendered for ${host})`;
    let text: string;
    try {
      text = render(host);
    } catch (e) {
      diagnostics.push({ severity: 'error', file, line: 1, col: 1, message: `cannot render: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const parsed = parseConfigText(text, file);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.ok && parsed.config) nodes.push({ node: host, config: parsed.config });
  }
  if (nodes.length === hosts.length) diagnostics.push(...checkCluster(nodes).map(severityForLayout));
  return diagnostics;
}

export const vrrpClusterCheck = defineModule({
  name: 'vrrp_cluster_check',
  description: "Checks the nodes' VRRP configs (rendered from one template) agree and can fail over, before anything is deployed",
  args: vrrpClusterCheckArgs,
  runsOn: 'controller',
  checkMode: 'full',
  localFiles: (args) => (typeof args.template === 'string' && !args.template.includes('{{') ? [{ path: args.template, kind: 'templates' }] : []),
  async run(args, ctx): Promise<ModuleResult> {
    const path = ctx.resolveLocal(args.template, 'templates');
    const text = readFileSync(path, 'utf8');
    const hosts = args.hosts ?? ((ctx.vars.ansible_play_hosts_all ?? ctx.vars.ansible_play_hosts) as string[] | undefined) ?? [ctx.hostName];
    const diagnostics = checkLayout(args.template, hosts, (host) => ctx.render(text, varsFor(ctx, host)));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    // One line: the reporter shows a failed task's message on the host's line.
    const lines = [...errors, ...warnings].map(formatDiagnostic);
    if (errors.length > 0) {
      return { changed: false, failed: true, msg: `the layout of ${hosts.join(', ')} cannot work as declared (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${lines.join('; ')}`, problems: lines };
    }
    return { changed: false, msg: `${hosts.length} nodes agree and can fail over${warnings.length ? `; warnings: ${lines.join('; ')}` : ''}`, problems: lines };
  },
});
