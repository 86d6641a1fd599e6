/**
 * seboolean on an SELinux host, which the lab (Debian, no SELinux) cannot show: the runtime and
 * persistent values read (getsebool, semanage boolean -l), the change made with setsebool [-P] only
 * when the value differs, check mode, and the module's failures in Ansible's words.
 */
import { describe, expect, it } from 'vitest';
import { sebooleanModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext, runModule } from '@haweb/hostkit/testing';

const M = '@@haweb-sebool@@';

/** A host whose fact script answers with these sections; setsebool succeeds. */
function host(sections: { tools?: boolean; enabled?: boolean; runtime?: string; semanage?: string }): FakeHost {
  const h = new FakeHost('sel', REAL_FOLDERS);
  h.respond((c, text) => {
    if (text.includes(M)) {
      const out = [
        ...(sections.tools === false ? [] : [`${M}tools`]),
        ...(sections.tools !== false && sections.enabled !== false ? [`${M}enabled`] : []),
        ...(sections.tools === false ? [] : [`${M}getsebool`, sections.runtime ?? 'httpd_can_network_connect_db --> off']),
        ...(sections.semanage !== undefined ? [`${M}semanage`, sections.semanage] : []),
      ];
      return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
    }
    if ('argv' in c && c.argv[0] === 'setsebool') return { code: 0, stdout: '', stderr: '' };
    return undefined;
  });
  return h;
}

const NAME = 'httpd_can_network_connect_db';

describe('seboolean', () => {
  it.each<[string, Parameters<typeof host>[0], Record<string, unknown>, boolean, string[]]>([
    ['runtime off -> on', {}, { state: true }, true, [`setsebool ${NAME} on`]],
    ['runtime already on', { runtime: `${NAME} --> on` }, { state: true }, false, []],
    ['persistent: the store says off although the runtime is on', { runtime: `${NAME} --> on`, semanage: `${NAME} (on , off) Allow` }, { state: true, persistent: true }, true, [`setsebool -P ${NAME} on`]],
    ['persistent: the store already on', { semanage: `${NAME} (off , on) Allow` }, { state: 'yes', persistent: 'yes' }, false, []],
    ['persistent without semanage: the runtime value decides', { runtime: `${NAME} --> on` }, { state: true, persistent: true }, false, []],
  ])('%s', async (_why, sections, args, changed, ran) => {
    const h = host(sections);
    const r = await runModule(sebooleanModule, { name: NAME, ...args }, fsContext(h));
    expect(r).toMatchObject({ changed, name: NAME, persistent: args.persistent === undefined ? false : true, state: true });
    expect(h.ran().filter((l) => l.startsWith('setsebool'))).toEqual(ran);
  });

  it('check mode says changed and sets nothing', async () => {
    const h = host({});
    const r = await runModule(sebooleanModule, { name: NAME, state: true }, fsContext(h, { check: true }));
    expect(r.changed).toBe(true);
    expect(h.ran().filter((l) => l.startsWith('setsebool'))).toEqual([]);
  });

  it.each<[string, Parameters<typeof host>[0], Record<string, unknown>, RegExp]>([
    ['SELinux disabled', { enabled: false }, {}, /^SELinux is disabled on this host\.$/],
    ['no such boolean', { runtime: `Error getting active value for ${NAME}` }, {}, new RegExp(`^SELinux boolean ${NAME} does not exist\\.$`)],
    ['no libselinux at all (Debian)', { tools: false }, { ignore_selinux_state: true }, /^Failed to import the required Python library \(libselinux-python\) on web1's Python \/usr\/bin\/python3\./],
  ])('fails: %s', async (_why, sections, args, msg) => {
    const r = await runModule(sebooleanModule, { name: NAME, state: true, ...args }, fsContext(host(sections), { vars: { inventory_hostname: 'web1' } }));
    expect(r.failed).toBe(true);
    expect(String(r.msg)).toMatch(msg);
  });

  it('SELinux disabled but ignore_selinux_state: the boolean is still set', async () => {
    const h = host({ enabled: false });
    const r = await runModule(sebooleanModule, { name: NAME, state: true, ignore_selinux_state: true }, fsContext(h));
    expect(r.changed).toBe(true);
  });
});
