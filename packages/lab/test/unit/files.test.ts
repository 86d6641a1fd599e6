import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseBootLog, renderEtcHosts } from '../../src/host.js';
import { BOOTED_MARKER } from '../../src/image-prep.js';
import { renderInventory, renderKnownHosts } from '../../src/inventory.js';
import { planLab } from '../../src/plan.js';
import { pickOrigTarball, aptOptions } from '../../src/sources.js';

describe('inventory', () => {
  const text = renderInventory({
    vip: '198.51.100.50',
    clientAddress: '198.51.100.180',
    subnet: '198.51.100.0/24',
    privateKey: '/var/lib/haweb/lab/haweb/id_ed25519',
    knownHosts: '/var/lib/haweb/lab/haweb/known_hosts',
    hosts: [
      { name: 'edu-proxy-01', address: '198.51.100.51' },
      { name: 'edu-proxy-02', address: '198.51.100.52' },
    ],
  });
  const doc = parse(text);

  it('puts the hosts in group proxies with address, user and key', () => {
    expect(doc.all.children.proxies.hosts['edu-proxy-02']).toEqual({
      ansible_host: '198.51.100.52',
      ansible_user: 'root',
      ansible_ssh_private_key_file: '/var/lib/haweb/lab/haweb/id_ed25519',
    });
    expect(Object.keys(doc.all.children)).toEqual(['proxies']);
  });

  it('carries the lab facts as variables', () => {
    expect(doc.all.vars).toMatchObject({ lab_vip: '198.51.100.50', lab_client_address: '198.51.100.180', lab_interface: 'eth1' });
    expect(doc.all.vars.ansible_ssh_common_args).toContain('StrictHostKeyChecking=yes');
  });
});

describe('known_hosts', () => {
  it('matches each host by name and address, without the key comment', () => {
    expect(renderKnownHosts([{ name: 'edu-proxy-01', address: '198.51.100.51', hostKey: 'ssh-ed25519 AAAAC3Nza root@edu-proxy-01' }])).toBe(
      'edu-proxy-01,198.51.100.51 ssh-ed25519 AAAAC3Nza\n',
    );
  });
});

describe('/etc/hosts of a host', () => {
  it('lists every lab host and the client', () => {
    const text = renderEtcHosts(planLab({ name: 'haweb', subnet: '198.51.100.0/24', hosts: 3 }));
    expect(text).toContain('198.51.100.53\tedu-proxy-03\n');
    expect(text).toContain('198.51.100.180\tclient\n');
    expect(text.startsWith('127.0.0.1\tlocalhost\n')).toBe(true);
  });
});

describe('parseBootLog', () => {
  const start = (n: number) => `2026-01-01T00:00:00 haweb-supervisor: boot ${n} starting`;
  it.each([
    ['empty', '', { boots: 0, booted: false, ended: false }],
    ['booting', [start(1), 'INIT: Entering runlevel: 2'].join('\n'), { boots: 1, booted: false, ended: false }],
    ['booted', [start(1), `2026 ${BOOTED_MARKER}`].join('\n'), { boots: 1, booted: true, ended: false }],
    ['rebooting', [start(1), BOOTED_MARKER, 'haweb-supervisor: host stopped (exit status 129)', start(2)].join('\n'), { boots: 2, booted: false, ended: false }],
    ['gave up', [start(5), 'haweb-supervisor: 5 boots in a row ended within 10 s; giving up'].join('\n'), { boots: 1, booted: false, ended: true }],
    ['halted', [start(1), BOOTED_MARKER, 'haweb-supervisor: host halted; not booting again'].join('\n'), { boots: 1, booted: true, ended: true }],
  ])('%s', (_name, log, expected) => {
    expect(parseBootLog(log)).toEqual(expected);
  });
});

describe('sources', () => {
  it.each([
    ['nginx', ['nginx_1.22.1-9.dsc', 'nginx_1.22.1.orig.tar.gz', 'nginx_1.22.1-9.debian.tar.xz'], 'nginx_1.22.1.orig.tar.gz'],
    ['nginx', ['nginx_1.9.1.orig.tar.gz', 'nginx_1.22.1.orig.tar.gz'], 'nginx_1.22.1.orig.tar.gz'],
    ['nginx', ['nginx_1.22.1.orig-module.tar.gz'], undefined],
    ['keepalived', ['nginx_1.22.1.orig.tar.gz', 'keepalived_2.2.7.orig.tar.gz'], 'keepalived_2.2.7.orig.tar.gz'],
    ['keepalived', [], undefined],
  ])('picks the upstream tarball of %s from %j', (pkg, names, expected) => {
    expect(pickOrigTarball(pkg, names)).toBe(expected);
  });

  it('keeps apt state private (never the machine configuration)', () => {
    const opts = aptOptions('/var/cache/haweb/apt').filter((o) => o !== '-o');
    expect(opts).toContain('Dir::Etc::SourceList=/var/cache/haweb/apt/sources.list');
    expect(opts).toContain('Dir::Etc::SourceParts=/var/cache/haweb/apt/sources.list.d');
    expect(opts).toContain('Dir::State::Lists=/var/cache/haweb/apt/lists');
  });
});
