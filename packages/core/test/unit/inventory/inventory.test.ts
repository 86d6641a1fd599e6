import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryList, readInventory, loadInventory, connectionOf, expandHostRange } from '../../../src/inventory/index.js';
import { inventoryVars } from '../../../src/vars/precedence.js';
import { formatDiagnostic, ValidationError } from '../../../src/model.js';
import { isSecret } from '../../../src/vars/secret.js';

const FIX = join(__dirname, '../../fixtures/inventory');

function tmpInventory(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-inv-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('INI inventory', () => {
  const { inventory, diagnostics } = readInventory(join(FIX, 'ini/hosts'));

  it('loads without diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  it('expands ranges, host:port, groups, children and ungrouped', () => {
    expect([...inventory.hosts.keys()]).toEqual(['solo', 'edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'edu-web-01']);
    expect(inventory.groups.get('lb')!.hosts).toEqual(['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03']);
    expect(inventory.groups.get('frontend')!.children).toEqual(['lb', 'web']);
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['solo']);
    expect(inventory.groups.get('all')!.children).toEqual(['frontend', 'ungrouped']);
  });

  it('reads inline host values as Python literals and :vars values as strings', () => {
    const h = inventory.hosts.get('edu-proxy-03')!.vars;
    expect(h.ansible_port).toBe(2222);
    expect(h.weight).toBe(3);
    expect(h.enabled).toBe(true);
    expect(h.label).toBe('two words');
    const lb = inventory.groups.get('lb')!.vars;
    expect(lb.quoted).toBe('with spaces');
    expect(lb.enabled_str).toBe('FALSE');
    expect(inventory.groups.get('frontend')!.vars.http_port).toBe('80');
  });

  it('reads only ansible_* names (and host:port) as connection variables; plain user/host stay the author\'s', () => {
    const h = inventory.hosts.get('edu-proxy-03')!.vars;
    expect(h.ansible_user).toBeUndefined();
    expect(h.ansible_host).toBeUndefined();
    expect(h).toMatchObject({ user: 'deploy', host: '198.51.100.53' });
    expect(connectionOf('edu-proxy-03', inventoryVars(inventory, 'edu-proxy-03'))).toMatchObject({
      address: 'edu-proxy-03', port: 2222, privateKeyFile: undefined, password: undefined,
    });
    expect(connectionOf('edu-proxy-01', inventoryVars(inventory, 'edu-proxy-01'))).toMatchObject({ address: 'edu-proxy-01', port: 22, user: 'root' });
  });

  it('merges group_vars files and directories, then host_vars, by precedence', () => {
    const v = inventoryVars(inventory, 'edu-proxy-01');
    // all (dir, files in name order) < frontend (depth 1) < lb (depth 2, child of frontend) < host
    expect(v.layer).toBe('lb');
    expect(v.ntp_server).toBe('pool.example');
    expect(v.keepalived_priority).toBe(150);
    expect(inventoryVars(inventory, 'edu-proxy-02').keepalived_priority).toBe(100);
    expect(inventoryVars(inventory, 'edu-web-01').layer).toBe('frontend');
    expect(inventoryVars(inventory, 'solo').layer).toBe('all-more');
    // frontend's inline http_port (depth 1) beats all's group_vars (depth 0)
    expect(inventoryVars(inventory, 'edu-web-01').http_port).toBe('80');
    expect(isSecret(v.vrrp_password)).toBe(true);
  });

  it('prints the ansible-inventory --list shape, masking secrets', () => {
    const list = inventoryList(inventory);
    expect(list.all).toEqual({ children: ['frontend', 'ungrouped'] });
    expect(list.frontend).toEqual({ children: ['lb', 'web'] });
    expect(list.lb).toEqual({ hosts: ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03'] });
    expect(list.ungrouped).toEqual({ hosts: ['solo'] });
    expect(list._meta.hostvars['edu-proxy-01'].vrrp_password).toBe('********');
    expect(list._meta.hostvars['edu-proxy-01'].vip).toBe('198.51.100.50');
    expect(inventoryList(inventory, { revealSecrets: true })._meta.hostvars['edu-proxy-01'].vrrp_password).toBe('s3cr3t-pass');
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
  });
});

describe('YAML inventory', () => {
  const { inventory, diagnostics } = readInventory(join(FIX, 'yaml/hosts.yml'));

  it('loads nested children, ranges and vars', () => {
    expect(diagnostics).toEqual([]);
    expect([...inventory.hosts.keys()]).toEqual(['solo', 'edu-proxy-01', 'edu-proxy-02', 'web-a', 'web-b']);
    expect(inventory.groups.get('web')!.children).toEqual(['web_eu']);
    expect(inventory.groups.get('web_eu')!.hosts).toEqual(['web-a', 'web-b']);
    expect(inventoryList(inventory).all).toEqual({ children: ['lb', 'web', 'ungrouped'] });
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['solo']);
  });

  it('applies all vars, group vars, group_vars/; plain host/port are not connection vars', () => {
    const v = inventoryVars(inventory, 'edu-proxy-02');
    expect(v).toMatchObject({ ansible_user: 'root', host: '198.51.100.52', port: 2200, vip: '198.51.100.50', from_group_vars: true, state: 'BACKUP' });
    expect(v.ansible_host).toBeUndefined();
    expect(v.ansible_port).toBeUndefined();
  });

  it('warns about group_vars/host_vars files that match no group or host', () => {
    const pb = mkdtempSync(join(tmpdir(), 'haweb-pb-'));
    mkdirSync(join(pb, 'group_vars'));
    writeFileSync(join(pb, 'group_vars', 'lbb.yml'), 'x: 1\n');
    mkdirSync(join(pb, 'host_vars', 'nohost'), { recursive: true });
    const r = readInventory(join(FIX, 'yaml/hosts.yml'), { playbookDir: pb });
    expect(r.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      `warning: ${join(pb, 'group_vars/lbb.yml')} is ignored: no group named 'lbb' in the inventory, did you mean 'lb'?`,
      `warning: ${join(pb, 'host_vars/nohost')} is ignored: no host named 'nohost' in the inventory`,
    ]);
  });

  it('applies group_vars next to the playbook over the inventory ones', () => {
    const pb = mkdtempSync(join(tmpdir(), 'haweb-pb-'));
    mkdirSync(join(pb, 'group_vars'));
    writeFileSync(join(pb, 'group_vars', 'lb.yml'), 'from_group_vars: playbook\n');
    mkdirSync(join(pb, 'host_vars'));
    writeFileSync(join(pb, 'host_vars', 'solo.yml'), 'only_solo: 1\n');
    const r = readInventory(join(FIX, 'yaml/hosts.yml'), { playbookDir: pb });
    expect(inventoryVars(r.inventory, 'edu-proxy-01').from_group_vars).toBe('playbook');
    expect(inventoryVars(r.inventory, 'solo').only_solo).toBe(1);
  });
});

describe('auto-detection and bad input', () => {
  it('reads an INI file with a .yml-less name even when its first line is a bare host', () => {
    const f = tmpInventory('inv', 'h1\nh2 ansible_port=2022\n');
    const r = readInventory(f);
    expect(r.diagnostics).toEqual([]);
    expect([...r.inventory.hosts.keys()]).toEqual(['h1', 'h2']);
  });

  it('accepts a comma-separated host list', () => {
    const r = readInventory('a.example,b.example,');
    expect([...r.inventory.hosts.keys()]).toEqual(['a.example', 'b.example']);
  });

  it('reports INI errors with file:line:col (golden)', () => {
    const f = tmpInventory('bad.ini', '[web]\nh1 ansible_port\n[web:bogus]\nh2\n[db:vars]\nnovalue\n[x:children]\nweb extra\n[a:children]\nb\n[b:children]\na\n');
    const r = readInventory(f);
    const lines = r.diagnostics.map(formatDiagnostic).map((l) => l.replace(f, 'bad.ini'));
    expect(lines).toEqual([
      "bad.ini:2:4: error: expected key=value after host 'h1', got 'ansible_port'",
      "bad.ini:3:1: error: invalid section type ':bogus' in '[web:bogus]' (expected :vars or :children)",
      "bad.ini:6:1: error: expected key=value in [db:vars], got 'novalue'",
      "bad.ini:8:1: error: expected one group name per line in [x:children], got 'web extra'",
      'bad.ini:9:1: error: group cycle: a -> b -> a',
    ]);
  });

  it('reports YAML inventory errors with file:line:col (golden)', () => {
    const f = tmpInventory('bad.yml', 'all:\n  host:\n    h1:\n  children:\n    web:\n      hosts:\n        - h2\n    db:\n      hosts:\n        h3: just-a-string\n');
    const r = readInventory(f);
    expect(r.diagnostics.map(formatDiagnostic).map((l) => l.replace(f, 'bad.yml'))).toEqual([
      "bad.yml:2:3: error: unknown key 'host' in group 'all', did you mean 'hosts'?",
      "bad.yml:7:9: error: 'hosts' of group 'web' must be a mapping, got a list",
      "bad.yml:10:13: error: host 'h3' must map to its variables (a mapping) or nothing, got a string",
    ]);
    expect(() => loadInventory(f)).toThrow(ValidationError);
  });

  it('reports a missing inventory', () => {
    const r = readInventory('/nonexistent/haweb/inventory');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['error: inventory /nonexistent/haweb/inventory does not exist']);
  });
});

describe('host ranges', () => {
  it.each([
    ['web[01:03]', ['web01', 'web02', 'web03']],
    ['db-[a:c].lan', ['db-a.lan', 'db-b.lan', 'db-c.lan']],
    ['n[1:7:3]', ['n1', 'n4', 'n7']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
    ['plain', ['plain']],
  ])('%s', (pattern, hosts) => {
    expect(expandHostRange(pattern)).toEqual(hosts);
  });

  it('rejects a backwards range', () => {
    expect(() => expandHostRange('h[3:1]')).toThrow(/start is after end/);
  });
});
