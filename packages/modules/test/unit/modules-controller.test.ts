import { describe, expect, it } from 'vitest';
import { UnreachableError, type ModuleDefinition, type ModuleRegistry } from '@haweb/core';
import { assertModule, batch2Modules, batch3Modules, batch4Modules, batch5Modules, corModules, postgresqlModules, lampModules, debModules, builtinModules, debugModule, failModule, metaModule, plugin, setFactModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const ctx = () => fakeContext(new FakeHost('fake-host', REAL_FOLDERS), { vars: { vip: '198.51.100.50', peers: ['a', 'b'], ansible_os_family: 'Debian' } });

describe('controller modules', () => {
  it('debug msg and var', async () => {
    expect(await runModule(debugModule, { msg: 'hi' }, ctx())).toEqual({ changed: false, msg: 'hi' });
    expect(await runModule(debugModule, { var: 'peers | length' }, ctx())).toEqual({ changed: false, 'peers | length': 2 });
    expect(await runModule(debugModule, { msg: ['a', 1] }, ctx())).toMatchObject({ msg: '[\n  "a",\n  1\n]' });
    expect(debugModule.args.safeParse({ msg: 'a', var: 'b' }).success).toBe(false);
  });

  it('debug above the run\'s verbosity is skipped, as Ansible ("Verbosity threshold not met."); at or below it runs', async () => {
    const skipped = { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.' };
    expect(await runModule(debugModule, { var: 'peers', verbosity: 2 }, ctx())).toEqual(skipped);
    expect(await runModule(debugModule, { msg: 'hi', verbosity: 2 }, { ...ctx(), verbosity: 1 })).toEqual(skipped);
    expect(await runModule(debugModule, { msg: 'hi', verbosity: 2 }, { ...ctx(), verbosity: 2 })).toEqual({ changed: false, msg: 'hi' });
    expect(await runModule(debugModule, { msg: 'hi', verbosity: 0 }, ctx())).toEqual({ changed: false, msg: 'hi' });
  });

  it('assert evaluates every condition', async () => {
    expect(await runModule(assertModule, { that: ["ansible_os_family == 'Debian'", 'peers | length == 2'], success_msg: 'fine' }, ctx())).toEqual({ changed: false, msg: 'fine' });
    const r = await runModule(assertModule, { that: ['vip is defined', "vip == '1.2.3.4'"], fail_msg: 'wrong VIP' }, ctx());
    expect(r).toMatchObject({ failed: true, msg: 'wrong VIP', assertion: "vip == '1.2.3.4'" });
    const u = await runModule(assertModule, { that: 'undefined_thing > 1' }, ctx());
    expect(u).toMatchObject({ failed: true });
  });

  it('fail, set_fact, meta', async () => {
    expect(await runModule(failModule, { msg: 'stop' }, ctx())).toEqual({ changed: false, failed: true, msg: 'stop' });
    expect(await runModule(failModule, {}, ctx())).toMatchObject({ failed: true, msg: 'Failed as requested from task' });
    expect(await runModule(setFactModule, { a: 1, b: [2], cacheable: true }, ctx())).toMatchObject({ changed: false, facts: { a: 1, b: [2] }, facts_cacheable: true });
    // cacheable as Ansible's boolean reads it: `set_fact: "cacheable=no x=1"` gives the text no
    for (const [cacheable, expected] of [['no', undefined], ['yes', true], ['True', true], [false, undefined]] as const) {
      expect((await runModule(setFactModule, { x: 1, cacheable }, ctx())).facts_cacheable).toBe(expected);
    }
    // the text true/false/yes/no becomes a boolean, as Ansible's set_fact without jinja2_native
    expect(await runModule(setFactModule, { a: 'yes', b: 'No', c: 'TRUE', d: 'false', e: 'y', f: 'on', g: ['yes'] }, ctx())).toMatchObject({
      facts: { a: true, b: false, c: true, d: false, e: 'y', f: 'on', g: ['yes'] },
    });
    expect(setFactModule.args.safeParse({ 'bad-name': 1 }).success).toBe(false);
    expect(setFactModule.args.safeParse({}).success).toBe(false);
    expect(await runModule(metaModule, { action: 'flush_handlers' }, ctx())).toMatchObject({ changed: false, action: 'flush_handlers' });
    expect(metaModule.args.safeParse({ action: 'explode' }).success).toBe(false);
  });
});

describe('plugin', () => {
  it('registers every built-in module once, with its spec, and aliases resolve', () => {
    const map = new Map<string, ModuleDefinition>();
    const registry: ModuleRegistry = {
      register: (m) => {
        if (map.has(m.name)) throw new Error(`duplicate ${m.name}`);
        map.set(m.name, m);
      },
      get: (n) => map.get(n),
      names: () => [...map.keys()],
    };
    plugin(registry);
    expect(registry.names().sort()).toEqual(
      ['apt', 'assert', 'async_status', 'blockinfile', 'command', 'copy', 'debug', 'fail', 'file', 'firewall_open', 'get_url', 'group', 'iptables', 'lineinfile', 'meta', 'package', 'pause', 'replace', 'service', 'set_fact', 'setup', 'shell', 'stat', 'systemd', 'template', 'unarchive', 'user', 'wait_for', 'yum', ...batch2Modules.map((m) => m.name), ...batch3Modules.map((m) => m.name), ...corModules.map((m) => m.name), ...batch4Modules.map((m) => m.name), ...batch5Modules.map((m) => m.name), ...postgresqlModules.map((m) => m.name), ...lampModules.map((m) => m.name), ...debModules.map((m) => m.name)].sort(),
    );
    for (const m of builtinModules) {
      expect(m.description.length).toBeGreaterThan(10);
      expect(['full', 'none']).toContain(m.checkMode);
      // firewall_open is haweb's own (Ansible has none that picks firewalld or iptables): its alias is haweb.*.
      // Collection modules (sysctl...) answer to their collection's name instead; a module known only by
      // its full name (DebOps' debops.debops.dpkg_divert) has it as its name.
      if (m.name.startsWith('debops.debops.')) continue;
      const collection = m.aliases?.find((a) => /^(ansible\.posix|community\.general|community\.postgresql|community\.mysql)\./.test(a));
      expect(m.aliases).toContain(m.name === 'firewall_open' ? 'haweb.firewall_open' : collection ?? `ansible.builtin.${m.name}`);
    }
    const aliases = builtinModules.flatMap((m) => [m.name, ...(m.aliases ?? [])]);
    expect(new Set(aliases).size).toBe(aliases.length);
  });

  it('a lost connection stays an exception (the executor reports the host unreachable); other errors fail the task', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => {
      throw new UnreachableError('fake-host', 'connection to fake-host lost: ECONNRESET', 'lost');
    });
    await expect(runModule(builtinModules.find((m) => m.name === 'shell')!, { cmd: 'true' }, fakeContext(host))).rejects.toBeInstanceOf(UnreachableError);
    const broken = new FakeHost('fake-host', REAL_FOLDERS);
    broken.respond(() => {
      throw new Error('channel exploded');
    });
    expect(await runModule(builtinModules.find((m) => m.name === 'shell')!, { cmd: 'true' }, fakeContext(broken))).toEqual({ changed: false, failed: true, msg: 'channel exploded' });
  });

  it('every spec rejects unknown keys', () => {
    for (const m of builtinModules) {
      if (m.name === 'set_fact') continue; // set_fact takes any variable names
      const r = m.args.safeParse({ definitely_not_an_option: 1 });
      expect(r.success, m.name).toBe(false);
    }
  });
});

describe('assert: an empty entry in that', () => {
  it.each([
    [['1 == 1', null], false],
    [[null, '1 == 2'], true],
    [[null], false],
  ])('%j fails: %s', async (that, fails) => {
    const { assertModule } = await import('../../src/modules/assert.js');
    const parsed = assertModule.args.safeParse({ that });
    expect(parsed.success).toBe(true);
    const ctx = { evaluate: (e: string) => e === '1 == 1' } as never;
    const r = await assertModule.run(parsed.data as never, ctx);
    expect(r.failed === true).toBe(fails);
  });
});
