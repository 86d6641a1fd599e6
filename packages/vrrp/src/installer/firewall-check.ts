/**
 * ha_firewall_check: the layout check's firewall half. Runs on the controller, before any host is
 * touched: the declared openings (ha_firewall_openings) must let VRRP through from every other node
 * wherever the playbook manages the firewall, cover the unicast peers, and match the nodes; a layout
 * that would leave the VIP on both nodes behind a default-deny firewall is refused, naming the file and
 * line of the variable that causes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import { defineModule, type ModuleResult } from '@haweb/core';
import { checkFirewallLayout, type FirewallLayoutProblem } from '@haweb/hostkit';

export const haFirewallCheckArgs = z.strictObject({
  firewall: z.unknown(),
  openings: z.unknown(),
  /** Node name -> the address the other nodes hear it from; default: the play's hosts at their ansible_host. */
  nodes: z.record(z.string(), z.string().min(1)).optional(),
  unicast_peers: z.unknown().optional(),
  /** Ports the service needs open (nginx's), with what they are for. */
  service_ports: z.array(z.strictObject({ port: z.coerce.number().int(), what: z.string() })).default([]),
  /** Where the variables are declared (relative to the playbook), for file:line in the refusal. */
  vars_file: z.string().default('group_vars/all.yml'),
});

/**
 * Where `variable` (a top-level key) is declared in a YAML vars file, and within it list item `item`
 * (a number: the item's `- ` line) or map key `item` (a string): 1-based line and column. A text scan:
 * group_vars files declare variables as top-level keys, one per line.
 */
export function locateVariable(text: string, variable: string, item?: number | string): { line: number; col: number } | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${variable}:`));
  if (start < 0) return undefined;
  if (item === undefined) return { line: start + 1, col: 1 };
  let seen = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (/^\S/.test(l) && !l.startsWith('#')) break; // the next top-level key
    if (/^\s*#/.test(l) || l.trim() === '') continue;
    if (typeof item === 'number') {
      const dash = /^(\s*)- /.exec(l);
      if (dash && ++seen === item) return { line: i + 1, col: dash[1].length + 1 };
    } else {
      const key = new RegExp(`^(\\s*)${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`).exec(l);
      if (key) return { line: i + 1, col: key[1].length + 1 };
    }
  }
  // A flow mapping on the variable's own line ({ a: [...], b: [...] }).
  if (typeof item === 'string') {
    const col = lines[start].indexOf(`${item}:`);
    if (col > 0) return { line: start + 1, col: col + 1 };
  }
  return { line: start + 1, col: 1 };
}

/** "file:line:col: variable: message" for one problem. */
export function describeProblem(problem: FirewallLayoutProblem, file: string | undefined, text: string | undefined): string {
  const at = text !== undefined ? locateVariable(text, problem.variable, problem.item) : undefined;
  const where = file && at ? `${file}:${at.line}:${at.col}: ` : file ? `${file}: ` : '';
  const item = typeof problem.item === 'number' ? `[${problem.item}]` : problem.item !== undefined ? `.${problem.item}` : '';
  const declared = file && !at ? ` (not declared in ${file}: set in the inventory or with -e)` : '';
  return `${where}${problem.variable}${item}: ${problem.message}${declared}`;
}

/** The play's hosts and the address each is reached at (ansible_host, else its name). */
export function playNodes(vars: Record<string, unknown>, self: string): Record<string, string> {
  const hosts = ((vars.ansible_play_hosts_all ?? vars.ansible_play_hosts) as string[] | undefined) ?? [self];
  const hostvars = (vars.hostvars ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return Object.fromEntries(hosts.map((h) => [h, String(hostvars[h]?.ansible_host ?? h)]));
}

export const haFirewallCheck = defineModule({
  name: 'ha_firewall_check',
  description: "Refuses an HA layout whose declared firewall openings would block VRRP between the nodes (or the service's port), naming the variable's file and line",
  args: haFirewallCheckArgs,
  runsOn: 'controller',
  checkMode: 'full',
  async run(args, ctx): Promise<ModuleResult> {
    const nodes = args.nodes ?? playNodes(ctx.vars, ctx.hostName);
    const problems = checkFirewallLayout({
      firewall: args.firewall,
      openings: args.openings,
      nodes,
      unicastPeers: args.unicast_peers,
      servicePorts: args.service_ports,
    });
    if (problems.length === 0) {
      return { changed: false, msg: args.firewall === 'managed' ? `the declared openings let VRRP through between ${Object.keys(nodes).join(', ')}` : 'firewall left alone (ha_firewall: unmanaged)' };
    }
    const base = typeof ctx.vars.playbook_dir === 'string' ? ctx.vars.playbook_dir : process.cwd();
    const path = isAbsolute(args.vars_file) ? args.vars_file : join(base, args.vars_file);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const shown = relative(process.cwd(), path) || path;
    const lines = problems.map((p) => describeProblem(p, text !== undefined ? (shown.startsWith('..') ? path : shown) : undefined, text));
    return {
      changed: false,
      failed: true,
      msg: `the firewall would block the pair (${lines.length} problem${lines.length === 1 ? '' : 's'}): ${lines.join('; ')}`,
      problems: lines,
    };
  },
});
