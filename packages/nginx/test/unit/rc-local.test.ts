import { describe, expect, it } from 'vitest';
import { planRcLocal, rcLocal } from '../../src/index.js';
import { DEBIAN_FACTS, FakeHost, RHEL_FACTS, fakeContext } from '@haweb/hostkit/testing';

const LINE = '/usr/local/nginx/sbin/nginx';

describe('planRcLocal', () => {
  it.each([
    {
      name: 'Debian, no rc.local: a new one with #!/bin/sh -e, the line, exit 0',
      family: 'Debian' as const, current: undefined, exec: false,
      content: `#!/bin/sh -e\n#\n# rc.local: run at the end of each multiuser runlevel (managed lines by haweb).\n\n${LINE}\nexit 0\n`, makeExecutable: true,
    },
    {
      name: 'Debian, existing file: inserted before the last exit 0',
      family: 'Debian' as const, current: '#!/bin/sh -e\n/opt/x start\nexit 0\n', exec: true,
      content: `#!/bin/sh -e\n/opt/x start\n${LINE}\nexit 0\n`, makeExecutable: false,
    },
    {
      name: 'Debian, already there and executable: nothing',
      family: 'Debian' as const, current: `#!/bin/sh -e\n${LINE}\nexit 0\n`, exec: true, content: undefined, makeExecutable: false,
    },
    {
      name: 'Debian, already there but not executable: chmod only',
      family: 'Debian' as const, current: `#!/bin/sh -e\n${LINE}\nexit 0\n`, exec: false, content: undefined, makeExecutable: true,
    },
    {
      name: 'RHEL, stock rc.local (not executable): appended, chmod +x',
      family: 'RedHat' as const, current: '#!/bin/bash\ntouch /var/lock/subsys/local\n\n', exec: false,
      content: `#!/bin/bash\ntouch /var/lock/subsys/local\n${LINE}\n`, makeExecutable: true,
    },
    {
      name: 'RHEL, no rc.local',
      family: 'RedHat' as const, current: undefined, exec: false,
      content: `#!/bin/bash\n# rc.local: run at the end of boot (managed lines by haweb).\n\ntouch /var/lock/subsys/local\n${LINE}\n`, makeExecutable: true,
    },
  ])('$name', ({ family, current, exec, content, makeExecutable }) => {
    const plan = planRcLocal(family, current, exec, LINE, 'present');
    expect(plan).toEqual({ path: family === 'RedHat' ? '/etc/rc.d/rc.local' : '/etc/rc.local', content, makeExecutable });
  });

  it('absent removes the line', () => {
    expect(planRcLocal('Debian', `#!/bin/sh -e\n${LINE}\nexit 0\n`, true, LINE, 'absent').content).toBe('#!/bin/sh -e\nexit 0\n');
  });
  it('refuses a multi-line line', () => {
    expect(() => planRcLocal('Debian', undefined, false, 'a\nb', 'present')).toThrow(/single line/);
  });
});

describe('rc_local module', () => {
  it('RHEL: writes /etc/rc.d/rc.local 0755, then is idempotent', async () => {
    const host = new FakeHost().file('/etc/rc.d/rc.local', '#!/bin/bash\ntouch /var/lock/subsys/local\n', '0644');
    const ctx = fakeContext(host, { facts: RHEL_FACTS });
    const first = await rcLocal.run(rcLocal.args.parse({ line: LINE }), ctx);
    expect(first.changed).toBe(true);
    expect(host.stored('/etc/rc.d/rc.local')).toEqual({ content: Buffer.from(`#!/bin/bash\ntouch /var/lock/subsys/local\n${LINE}\n`), mode: '0755' });
    const second = await rcLocal.run(rcLocal.args.parse({ line: LINE }), ctx);
    expect(second.changed).toBe(false);
  });
  it('Debian: creates /etc/rc.local', async () => {
    const host = new FakeHost();
    await rcLocal.run(rcLocal.args.parse({ line: LINE }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(host.text('/etc/rc.local')).toMatch(/^#!\/bin\/sh -e\n[\s\S]*\/usr\/local\/nginx\/sbin\/nginx\nexit 0\n$/);
    expect(host.stored('/etc/rc.local')?.mode).toBe('0755');
  });
});

describe('rc_local under systemd', () => {
  it('adds the rc-local.service drop-in (after network-online) and reloads systemd, once', async () => {
    const { RC_LOCAL_DROP_IN } = await import('@haweb/hostkit');
    const host = new FakeHost().on(/^\[ -d \/run\/systemd\/system \]/, () => ({ stdout: `systemd\n${host.text('/etc/systemd/system/rc-local.service.d/haweb.conf') ?? ''}` }));
    const first = await rcLocal.run(rcLocal.args.parse({ line: LINE }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(first.changed).toBe(true);
    expect(host.text('/etc/systemd/system/rc-local.service.d/haweb.conf')).toBe(RC_LOCAL_DROP_IN);
    expect(host.commands).toContain('systemctl daemon-reload');
    expect(host.stored('/etc/rc.d/rc.local')?.mode).toBe('0755');
    host.log.length = 0;
    const second = await rcLocal.run(rcLocal.args.parse({ line: LINE }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(second.changed).toBe(false);
    expect(host.commands).not.toContain('systemctl daemon-reload');
  });
});
