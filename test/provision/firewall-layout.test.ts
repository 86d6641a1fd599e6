/**
 * The HA playbook's layout check refuses a firewall that would block VRRP between the nodes, naming
 * the line of group_vars/all.yml at fault, before any host is touched. The CLI runs on a copy of
 * playbooks/ whose group_vars a user edited; the inventory's hosts are never contacted (a refused
 * layout leaves the deploy play no host), so their addresses are in this test's own lab range.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const work = mkdtempSync(join(tmpdir(), 'haweb-fw-layout-'));
const INVENTORY = join(work, 'inventory.yml');
writeFileSync(
  INVENTORY,
  ['all:', '  children:', '    proxies:', '      hosts:', '        edu-proxy-01: { ansible_host: 198.18.35.51 }', '        edu-proxy-02: { ansible_host: 198.18.35.52 }', ''].join('\n'),
);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of playbooks/ with group_vars/all.yml edited; returns the run's JSON and the edited file. */
function runEdited(name: string, edit: (vars: string) => string) {
  const dir = join(work, name);
  cpSync(join(ROOT, 'playbooks'), dir, { recursive: true });
  const varsFile = join(dir, 'group_vars/all.yml');
  const edited = edit(readFileSync(varsFile, 'utf8'));
  writeFileSync(varsFile, edited);
  const r = spawnSync(process.execPath, [CLI, 'run', join(dir, 'ha-nginx.yml'), '-i', INVENTORY, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    exitCode: number;
    plays: { tasks: { name: string; hosts: Record<string, { status: string; msg?: string }> }[] }[];
  };
  const failures = doc.plays.flatMap((p) => p.tasks.flatMap((t) => Object.values(t.hosts).filter((h) => h.status === 'failed').map((h) => h.msg ?? '')));
  return { code: r.status, doc, failures, varsFile, lines: edited.split('\n') };
}

function lineOf(lines: string[], text: string): number {
  const i = lines.findIndex((l) => l.startsWith(text));
  expect(i, `${text} in the edited group_vars`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('layout check: a firewall that would block VRRP is refused with its file and line', () => {
  it('the declared openings omit VRRP while the firewall is managed', () => {
    const r = runEdited('no-vrrp', (v) => v.replace('  - { protocol: vrrp, from: peers }\n', ''));
    expect(r.code).toBe(2);
    expect(r.failures).toHaveLength(2);
    const line = lineOf(r.lines, 'ha_firewall_openings:');
    expect(r.failures[0]).toContain(`${r.varsFile}:${line}:1: ha_firewall_openings: no VRRP opening while the playbook manages the firewall`);
    // Nothing ran on the hosts: the deploy play has no task (not even facts).
    expect(r.doc.plays[1].tasks).toEqual([]);
  });

  it("the VRRP opening's source does not cover the peers", () => {
    const r = runEdited('narrow-source', (v) => v.replace('\n  - { protocol: vrrp, from: peers }', '\n  - { protocol: vrrp, from: [198.18.35.51/32] }'));
    expect(r.code).toBe(2);
    const line = lineOf(r.lines, '  - { protocol: vrrp, from: [198.18.35.51/32] }');
    expect(r.failures[0]).toContain(`${r.varsFile}:${line}:3: ha_firewall_openings[1]: the VRRP opening's from (198.18.35.51/32) does not cover edu-proxy-02 (198.18.35.52)`);
    expect(r.doc.plays[1].tasks).toEqual([]);
  });

  it("unicast peers that are not the other nodes", () => {
    const r = runEdited('unicast', (v) => `${v}\nha_unicast_peers:\n  edu-proxy-01: [198.18.35.52]\n  edu-proxy-02: [198.18.35.99]\n`);
    expect(r.code).toBe(2);
    const line = lineOf(r.lines, '  edu-proxy-02: [198.18.35.99]');
    expect(r.failures[0]).toContain(`${r.varsFile}:${line}:3: ha_unicast_peers.edu-proxy-02: edu-proxy-02's unicast peers 198.18.35.99 are not the other nodes' addresses 198.18.35.51`);
    expect(r.doc.plays[1].tasks).toEqual([]);
  });
});
