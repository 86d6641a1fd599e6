import { describe, expect, it } from 'vitest';
import { InventoryBuilder } from '../../../src/inventory/builder.js';
import { parseIniInventory, iniLiteral } from '../../../src/inventory/ini.js';
import { inventoryVars } from '../../../src/vars/precedence.js';
import { inventoryList } from '../../../src/inventory/list.js';
import { connectionOf } from '../../../src/inventory/connection.js';
import { isSecret } from '../../../src/vars/secret.js';

function ini(text: string) {
  const b = new InventoryBuilder();
  parseIniInventory('inv', text, b);
  const inventory = b.finish();
  return { inventory, diagnostics: b.diagnostics };
}

describe('INI quirks Ansible users hit', () => {
  it('CRLF line endings, comments after section headers, # inside quotes', () => {
    const { inventory, diagnostics } = ini('[web] # front\r\nh1 motd="a # b" x=1 # real comment\r\n');
    expect(diagnostics).toEqual([]);
    expect(inventory.hosts.get('h1')!.vars).toMatchObject({ motd: 'a # b', x: 1 });
  });

  it(':vars keeps the whole rest of the line as a string, spaces around = allowed', () => {
    const { inventory } = ini('[g]\nh1\n[g:vars]\nhttp_port = 80\nopts=-a -b=c\nflag=True\nq=\'single\'\n');
    expect(inventory.groups.get('g')!.vars).toEqual({ http_port: '80', opts: '-a -b=c', flag: 'True', q: 'single' });
  });

  it('inline values are Python literals: numbers, True/False/None, quoted numbers too', () => {
    expect(iniLiteral('22')).toBe(22);
    expect(iniLiteral('-1.5')).toBe(-1.5);
    expect(iniLiteral('True')).toBe(true);
    expect(iniLiteral('true')).toBe('true'); // Python's literal_eval: only True is a boolean
    expect(iniLiteral('None')).toBeNull();
    expect(iniLiteral("['a', 'b']")).toEqual(['a', 'b']);
    expect(iniLiteral('0644')).toBe('0644'); // not a Python 3 literal: stays a string
    const { inventory } = ini('h1 port="2222" mode=0644\n');
    // Like Ansible, quotes are removed by shell-style splitting before the literal is read: "2222" is a number.
    expect(inventory.hosts.get('h1')!.vars).toMatchObject({ port: 2222, mode: '0644' });
    expect(inventory.hosts.get('h1')!.vars.ansible_port).toBeUndefined(); // plain `port` is the author's variable, as in Ansible
  });

  it('a :vars section may come before its group, and groups may be declared only as children', () => {
    const { inventory, diagnostics } = ini('[lb:vars]\nvip=198.51.100.50\n[lb]\nh1\n[ha:children]\nlb\nspare\n');
    expect(diagnostics).toEqual([]);
    expect(inventoryVars(inventory, 'h1').vip).toBe('198.51.100.50');
    expect(inventory.groups.get('spare')).toMatchObject({ hosts: [], children: [] });
    expect(inventoryList(inventory).all).toEqual({ children: ['ha', 'ungrouped'] });
  });

  it('a host in several groups gets vars from all of them; later host lines add vars', () => {
    const { inventory } = ini('[a]\nh1 x=1\n[b]\nh1 y=2\n[a:vars]\nva=a\n[b:vars]\nvb=b\n');
    expect(inventoryVars(inventory, 'h1')).toMatchObject({ x: 1, y: 2, va: 'a', vb: 'b' });
    expect(inventoryList(inventory).ungrouped).toBeUndefined();
  });

  it('IPv6 addresses are host names, not host:port', () => {
    const { inventory } = ini('[v6]\n2001:db8::1 ansible_port=2200\n');
    expect([...inventory.hosts.keys()]).toEqual(['2001:db8::1']);
    expect(connectionOf('2001:db8::1', inventoryVars(inventory, '2001:db8::1')).port).toBe(2200);
  });

  it('passwords are secrets even without the !secret tag', () => {
    const { inventory } = ini('h1 ansible_ssh_pass=hunter2 ansible_become_password=sudo-pw\n');
    const v = inventoryVars(inventory, 'h1');
    expect(isSecret(v.ansible_password)).toBe(true);
    expect(isSecret(v.ansible_become_password)).toBe(true);
    expect(connectionOf('h1', v).password).toBe('hunter2');
    expect(JSON.stringify(inventoryList(inventory))).not.toContain('hunter2');
  });

  it('reports an unterminated quote and a bad range at their line', () => {
    const { diagnostics } = ini('h1 x="open\nweb[3:1]\n');
    expect(diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual([
      `1:1 unterminated " quote in 'h1 x="open'`,
      "2:1 bad host range in 'web[3:1]': start is after end",
    ]);
  });

  it('rejects a bad port', () => {
    expect(() => connectionOf('h1', { ansible_port: 'ssh' })).toThrow('host h1: ansible_port must be a port number, got "ssh"');
  });
});
