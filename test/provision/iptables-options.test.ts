/**
 * The iptables module's options beyond a plain rule (issue 15: every option Ansible declares), run by
 * `provision` and by Debian's `ansible-playbook` on the same lab hosts (fixtures/keywords/
 * iptables_options.yml): the rules each left as `iptables -S` prints them, each task's status, and the
 * registered results must be the same. One key is set aside: `rule`, the words Ansible reports, where
 * this module names the target last and the protocol's match explicitly (`-m tcp`), which changes
 * nothing in the kernel's rule (the `iptables -S` listings, compared whole, show it).
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/iptables-options.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let ours: RunRecord;
let ansible: RunRecord;

type Json = Record<string, unknown>;

/** A registered result without `rule` (see above), without what only one engine adds, with
 * Ansible's stderr-based failure text reduced to its first line. */
function registered(r: unknown): unknown {
  if (Array.isArray(r)) return r.map(registered);
  if (typeof r !== 'object' || r === null) return r;
  const out: Json = {};
  for (const [k, v] of Object.entries(r as Json)) {
    if (['rule', 'msg', 'diff', 'invocation', 'saved_to', 'ansible_loop_var', 'item', 'warnings', 'rc'].includes(k)) continue;
    out[k] = k === 'results' ? registered(v) : v;
  }
  return out;
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  ({ ours, ansible } = compare(lab, 'iptables_options.yml'));
}, 900_000);

describe('iptables options against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.stats).toEqual(ansible.stats);
  });

  it('the rules in the kernel are the same, as iptables prints them', () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['rules.txt']).toBe(ansible.files[h.name]['rules.txt']);
      expect(ours.files[h.name]['after.txt']).toBe(ansible.files[h.name]['after.txt']);
    }
    const rules = String(ours.files[lab.hosts[0].name]['rules.txt']);
    // What each option became (iptables-save's spelling), and the removed rule gone.
    expect(rules).toContain('-A HAWEB-IPT -p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN -j ACCEPT');
    expect(rules).toContain('-A HAWEB-IPT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate NEW -j DROP');
    expect(rules).toContain('-m iprange --src-range 198.18.92.10-198.18.92.20');
    // --limit-burst 5 and --log-level 4 (warning) are iptables' defaults: iptables -S leaves them out.
    expect(rules).toContain('-p icmp -m limit --limit 2/sec -m icmp --icmp-type 8 -j ACCEPT');
    expect(rules).toContain('-A HAWEB-IPT -j LOG --log-prefix "HAWEB: "');
    expect(rules).toContain('-p tcp -m state --state NEW,ESTABLISHED -m multiport --dports 80,443 -j ACCEPT');
    expect(rules).toContain('-A OUTPUT -m owner --uid-owner 0 -j ACCEPT');
    expect(rules).toContain('-A POSTROUTING -o eth1 -j SNAT --to-source 198.18.92.1');
    expect(rules).not.toContain('tcp-reset');
    const after = String(ours.files[lab.hosts[0].name]['after.txt']);
    expect(after).toContain('-P FORWARD ACCEPT');
    // The chain is gone (iptables-nft 1.8.9 words a missing chain as "incompatible", older ones "No chain").
    expect(after).not.toMatch(/^-N HAWEB-IPT|^-A HAWEB-IPT/m);
  });

  it('the registered results are the same (rule text aside)', () => {
    for (const h of lab.hosts) {
      const each = (all: unknown) => Object.fromEntries(Object.entries(all as Json).map(([k, v]) => [k, registered(v)]));
      const a = each(ours.files[h.name]['results.json']);
      const b = each(ansible.files[h.name]['results.json']);
      expect(a).toEqual(b);
    }
    const r = ours.files[lab.hosts[0].name]['results.json'] as Json;
    expect((r.made as Json).changed).toBe(true);
    expect((r.made_again as Json).changed).toBe(false);
    expect((r.added as Json[]).every((x) => x.changed === true)).toBe(true);
    expect((r.again as Json[]).every((x) => x.changed === false)).toBe(true);
    expect((r.policy as Json).changed).toBe(true);
    expect((r.policy_again as Json).changed).toBe(false);
    expect((r.policy_user_chain as Json).failed).toBe(true);
    expect((r.kept as Json).changed).toBe(true);
    expect((r.deleted_again as Json).changed).toBe(false);
    expect(String((r.log_refused as Json).msg)).toContain('Logging options can only be used with the LOG jump target.');
  });
});
