/**
 * Where tasks run (connection: local, ansible_connection=local, the implicit localhost, delegate_to,
 * local_action, delegate_facts, run_once with delegate_to), each playbook run by `provision` and by
 * Debian's `ansible-playbook` on the same lab hosts and the same controller: the recap, which host ran
 * which task with which status, the files left on the hosts (under KW_DIR) and on the controller
 * (under CTL_DIR) must be the same; each test also says what they are.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/delegation.test.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { expectSame, labFromName, runAnsible, runProvision, type Lab, type RunRecord } from './ansible-compare.js';

/** Where the playbooks write on the controller (local connections, delegate_to: localhost). */
const CTL_DIR = '/tmp/haweb-dlg';
/** A second inventory: two hosts whose ansible_connection is local, and the lab's key for every host. */
const EXTRA_INVENTORY = '/tmp/haweb-dlg-inventory.yml';

let lab: Lab;
let hosts: string[];
const controller = hostname();

interface Run extends RunRecord {
  /** Files under CTL_DIR on the controller after the run. */
  controller: Record<string, string>;
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
  const key = join('/var/lib/haweb/lab', lab.name, 'id_ed25519');
  writeFileSync(
    EXTRA_INVENTORY,
    [
      'all:',
      '  vars:',
      `    ansible_ssh_private_key_file: ${key}`,
      '  children:',
      '    ctl:',
      '      hosts:',
      '        ctl-a: {ansible_host: 192.0.2.10, ansible_connection: local}',
      '        ctl-b: {ansible_host: 192.0.2.11, ansible_connection: local}',
      '',
    ].join('\n'),
  );
});

function resetController(): void {
  rmSync(CTL_DIR, { recursive: true, force: true });
  mkdirSync(CTL_DIR);
}

function controllerFiles(): Record<string, string> {
  return Object.fromEntries(readdirSync(CTL_DIR).sort().map((f) => [f, readFileSync(join(CTL_DIR, f), 'utf8')]));
}

/** Both runs of one playbook, provision's first, each on clean hosts and a clean controller folder. */
function compare(playbook: string, args: string[] = []): { ours: Run; ansible: Run } {
  resetController();
  const ours = { ...runProvision(lab, `delegation/${playbook}`, args), controller: controllerFiles() };
  resetController();
  const ansible = { ...runAnsible(lab, `delegation/${playbook}`, args), controller: controllerFiles() };
  rmSync(CTL_DIR, { recursive: true, force: true });
  // HAWEB_KW_DUMP=<dir>: keep both records, to see a difference in full.
  if (process.env.HAWEB_KW_DUMP) {
    writeFileSync(join(process.env.HAWEB_KW_DUMP, `delegation_${playbook.replace(/\W+/g, '_')}${args.join('_').replace(/\W+/g, '_')}.json`), JSON.stringify({ ours, ansible }, null, 2));
  }
  return { ours, ansible };
}

const withExtraInventory = ['-i', EXTRA_INVENTORY];

describe('connection: local', () => {
  it('on a play, a block and a task (templated), and ansible_connection=local as a task variable', () => {
    const { ours, ansible } = compare('connection.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      const address = lab.hosts.find((x) => x.name === h)!.address;
      expect(ours.controller[`play-${h}`]).toBe(`${h} ${address} ${controller}\n`);
      expect(ours.controller[`block-${h}`]).toBe(`${h}\n`);
      expect(ours.controller[`task-${h}`]).toBe(`${controller}\n`);
      // connection: ssh on a task (inside the local play, inside the local block) reaches the host.
      expect(ours.files[h]['task-ssh']).toBe(`${h}\n`);
      expect(ours.files[h]['block-ssh']).toBe(`${h}\n`);
      expect(ours.files[h]['results.json']).toEqual({ by_var: controller, remote: h });
    }
  });
});

describe('ansible_connection=local in the inventory', () => {
  it('hosts run on the controller whatever their ansible_host says', () => {
    const { ours, ansible } = compare('ansible_connection.yml', withExtraInventory);
    expectSame(ours, ansible, { also: ['controller'] });
    expect(ours.controller).toEqual({
      'inv-ctl-a': `ctl-a 192.0.2.10 ${controller}\n`,
      'inv-ctl-b': `ctl-b 192.0.2.11 ${controller}\n`,
      'loop-ctl-a': 'a\nb\n',
      'loop-ctl-b': 'a\nb\n',
    });
    expect(Object.keys(ours.stats).sort()).toEqual(['ctl-a', 'ctl-b']);
  });
});

describe('implicit localhost', () => {
  it('a play on localhost (not in the inventory) gathers facts and runs on the controller; `all` does not match it', () => {
    const { ours, ansible } = compare('implicit_localhost.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    // The `all` group's variables, no groups, a local connection, the controller's gathered facts.
    expect(ours.controller).toEqual({ implicit: `localhost 0 ${lab.hosts[0].address.replace(/\.\d+$/, '.0')}/24 local ${controller}\n` });
    for (const h of hosts) expect(ours.files[h]['seen.json']).toEqual({ fact: '0', hosts });
    expect(Object.keys(ours.stats).sort()).toEqual([...hosts, 'localhost'].sort());
  });
});

describe('delegate_to', () => {
  it('another inventory host, a host by address, localhost and per loop item; templates use the task host', () => {
    const { ours, ansible } = compare('delegate_to.yml', withExtraInventory);
    expectSame(ours, ansible, { also: ['controller'] });
    const [first, second] = hosts;
    const address = (h: string) => lab.hosts.find((x) => x.name === h)!.address;
    // Each host's task ran on the other one, written with its own inventory_hostname and ansible_host.
    expect(ours.files[first].delegated).toBe(`for ${second} (${address(second)}) on ${first}\n`);
    expect(ours.files[second].delegated).toBe(`for ${first} (${address(first)}) on ${second}\n`);
    for (const h of hosts) {
      const other = h === first ? second : first;
      expect(ours.controller[`local-${h}`]).toBe(`${h} ${address(h)} ${controller}\n`);
      expect(ours.files[h]['results.json']).toEqual({ to_other_rc: 0, to_local_rc: 0, by_address: other, dvars: `${address(other)} ${h}` });
      // Items: each host's loop ran once on every host.
      expect(ours.files[h][`items-from-${first}`]).toBe(`${h} ${h}\n`);
    }
  });
});

describe('local_action', () => {
  it('the string form and the mapping form (module:) run on the controller', () => {
    const { ours, ansible } = compare('local_action.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    for (const h of hosts) {
      const address = lab.hosts.find((x) => x.name === h)!.address;
      expect(ours.controller[`string-${h}`]).toBe(`${h} ${controller}\n`);
      expect(ours.controller[`mapping-${h}`]).toBe(`${h} ${address}\n`);
      expect(ours.files[h]['results.json']).toEqual({ changed: true, read_back: `${h} ${address}` });
    }
  });
});

describe('delegate_facts', () => {
  it('true puts the facts on the delegated host (set_fact and gathered facts), false keeps them; register stays', () => {
    const { ours, ansible } = compare('delegate_facts.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    const [first, second] = hosts;
    for (const h of hosts) {
      const other = h === first ? second : first;
      expect(ours.files[h]['results.json']).toEqual({
        given_by: other,
        kept: h,
        localhost: first,
        mine_here: 'unset',
        other_hostname: other,
        my_hostname: h,
        registered: other,
      });
    }
  });
});

describe('run_once with delegate_to', () => {
  it('the first host runs it on the delegated host; the result is everyone\'s, delegated facts stay there', () => {
    const { ours, ansible } = compare('run_once_delegate.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    const [first, second] = hosts;
    expect(ours.controller).toEqual({ once: `${first}\n` });
    expect(ours.files[second].once).toBe(`${first}\n`);
    expect(ours.files[first].once).toBeUndefined();
    expect(ours.files[first]['results.json']).toEqual({ rc: 0, picked: first, picked_there: 'unset' });
    expect(ours.files[second]['results.json']).toEqual({ rc: 0, picked: first, picked_there: first });
  });
});

describe('run_once after a failure', () => {
  it('registers the result on every host of the batch not unreachable, the failed one included', () => {
    const { ours, ansible } = compare('run_once_failed.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    const [first, second] = hosts;
    expect(ours.files[first]).toEqual({});
    expect(ours.files[second]['results.json']).toEqual({ failed_host_has: second, mine: second });
    expect(ours.stats[first]).toMatchObject({ failed: 1, ok: 0 });
  });
});

describe('delegate_facts in a loop', () => {
  it('one host gathers every host\'s facts (run_once, an item per host); each lands on its own host', () => {
    const { ours, ansible } = compare('delegate_facts_loop.yml');
    expectSame(ours, ansible, { also: ['controller'] });
    for (const h of hosts) expect(ours.files[h]['results.json']).toEqual({ names: hosts, items: hosts });
  });
});
