import { describe, expect, it } from 'vitest';
import { FakeHost, fakeContext } from '@haweb/hostkit/testing';
import { firewallOpenModule } from '../../src/modules/firewall_open.js';

// Host-profile probe output (see @haweb/hostkit's test fixtures for the sources of each value).
const ROCKY9 = 'id=rocky\nversion=9.4\ninit=systemd\ntool=firewall-cmd\nfirewalld=running\nrun=yes\nselinux=Enforcing\nglibc=glibc 2.34\n';
const CENTOS6 = 'redhat_release=CentOS release 6.10 (Final)\ninit=sysvinit\ntool=chkconfig\ntool=iptables\niptables_check=yes\niptables_rules=1\nrestore=iptables\nrun=no\nselinux=Enforcing\nglibc=glibc 2.12\n';
const DEBIAN12 = 'id=debian\nversion=12\ndebian=yes\ninit=sysvinit\ntool=update-rc.d\ntool=iptables\niptables_check=yes\niptables_wait=yes\niptables_rules=0\nrestore=netfilter-persistent\nrun=yes\nselinux=Disabled\nglibc=glibc 2.36\n';
const C6_INPUT = '@@input\n-P INPUT ACCEPT\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p icmp -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\n';
const RICH = 'rule family="ipv4" source address="10.0.0.2" destination address="224.0.0.18" protocol value="vrrp" accept';

function host(profile: string, firewall: string): FakeHost {
  return new FakeHost('lb1').on(/^\. \/etc\/os-release/, { stdout: profile }).on(/^echo @@(runtime_ports|input)/, { stdout: firewall });
}

describe('firewall_open: the host firewall, its way', () => {
  it.each([
    ['Rocky 9 (firewalld)', ROCKY9, '@@runtime_ports\n\n@@runtime_rich\n\n@@permanent_ports\n\n@@permanent_rich\n', [
      'firewall-cmd --permanent --add-port=88/tcp',
      'firewall-cmd --add-port=88/tcp',
      `firewall-cmd --permanent '--add-rich-rule=${RICH}'`,
      `firewall-cmd '--add-rich-rule=${RICH}'`,
    ]],
    ['CentOS 6 (iptables ending in REJECT)', CENTOS6, C6_INPUT, [
      'iptables -I INPUT 5 -p tcp -m tcp --dport 88 -j ACCEPT',
      'iptables -I INPUT 6 -s 10.0.0.2/32 -d 224.0.0.18/32 -p 112 -j ACCEPT',
      expect.stringMatching(/^mkdir -p \/etc\/sysconfig && .*iptables-save > "\$t" .*\/etc\/sysconfig\/iptables/),
    ]],
    ['Debian 12 (open)', DEBIAN12, '', []],
  ] as const)('%s', async (_name, profile, firewall, commands) => {
    const h = host(profile, firewall);
    const result = await firewallOpenModule.run(firewallOpenModule.args.parse({ ports: [88], vrrp_peers: ['10.0.0.2'] }), fakeContext(h));
    expect(result.failed).toBeUndefined();
    expect(result.changed).toBe(commands.length > 0);
    expect(h.commands.slice(2)).toEqual(commands);
  });

  it('check mode reads the facts and changes nothing', async () => {
    const h = host(ROCKY9, '@@runtime_ports\n\n@@runtime_rich\n\n@@permanent_ports\n\n@@permanent_rich\n');
    const result = await firewallOpenModule.run(firewallOpenModule.args.parse({ ports: ['88'] }), fakeContext(h, { check: true }));
    expect(result).toMatchObject({ changed: true, msg: 'would: firewalld (permanent): allow 88/tcp; firewalld (runtime): allow 88/tcp', firewall: 'firewalld' });
    expect(h.commands).toHaveLength(2);
  });
});
