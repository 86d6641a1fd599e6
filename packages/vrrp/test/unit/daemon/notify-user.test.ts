import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/index.js';
import { VrrpDaemon } from '../../../src/daemon/daemon.js';
import { memoryLogger } from '../../../src/daemon/logger.js';
import { notifyCommandUsers } from '../../../src/daemon/notify.js';
import { FakeWire } from '../helpers/fake-system.js';

const VIP = '198.51.100.50';
const B = '198.51.100.52';

describe('notify_* SCRIPT USER [GROUP]', () => {
  it('each command runs as its own user, the generic notify as its own, else script_user', () => {
    const notify = { master: ['/m.sh', 'x'], generic: ['/n.sh'], users: { master: 'nobody nogroup' } };
    expect(notifyCommandUsers('MASTER', notify)).toEqual(['nobody nogroup', undefined]);
    expect(notifyCommandUsers('BACKUP', notify)).toEqual([undefined]);
    expect(notifyCommandUsers('MASTER_RX_LOWER_PRI', notify)).toEqual([]);
  });

  it('the daemon runs notify_master as the user written after the script', async () => {
    const wire = new FakeWire();
    const h = wire.host('x', B);
    const text = `global_defs {\n script_user root\n}\nvrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 255\n virtual_ipaddress {\n  ${VIP}\n }\n notify_master "/etc/keepalived/m.sh up" nobody nogroup\n notify /etc/keepalived/all.sh\n}\n`;
    const r = parseConfigText(text, '/x.conf', { readFile: () => text, glob: () => [] });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.instances[0].notify).toEqual({ master: ['/etc/keepalived/m.sh', 'up'], generic: ['/etc/keepalived/all.sh'], users: { master: 'nobody nogroup' } });
    const daemon = new VrrpDaemon({ deps: h, log: memoryLogger() });
    await daemon.start(r.config!);
    await wire.clock.advanceAsync(5000);
    const master = h.scriptsRun.findIndex((argv) => argv[0] === '/etc/keepalived/m.sh');
    const generic = h.scriptsRun.findIndex((argv) => argv[0] === '/etc/keepalived/all.sh' && argv[3] === 'MASTER');
    expect(h.scriptsRun[master]).toEqual(['/etc/keepalived/m.sh', 'up']);
    expect(h.scriptUsers[master]).toBe('nobody nogroup');
    expect(h.scriptUsers[generic]).toBe('root');
    await daemon.stop();
  });
});
