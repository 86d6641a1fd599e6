import { describe, expect, it } from 'vitest';
import { connectionTarget } from '../../../src/executor/connections.js';

const defaults = { hostKeyPolicy: 'strict' as const, connectTimeoutMs: 5000, defaultKnownHostsFile: '/home/u/.ssh/known_hosts' };

describe('connectionTarget', () => {
  it.each([
    ['prefixed names', { ansible_host: '198.51.100.51', ansible_port: 2222, ansible_user: 'root', ansible_ssh_private_key_file: '/k' }, { address: '198.51.100.51', port: 2222, user: 'root', privateKeyFile: '/k' }],
    ['old ansible_ssh_* names', { ansible_ssh_host: '198.51.100.52', ansible_ssh_port: '2200', ansible_ssh_user: 'admin', ansible_private_key_file: '/k2' }, { address: '198.51.100.52', port: 2200, user: 'admin', privateKeyFile: '/k2' }],
    // As in Ansible: plain host/port/user are the author's variables (a role's `port: 8088`), not connection settings.
    ['plain host, port and user are not connection settings', { host: '198.51.100.52', port: '8088', user: 'nginx', ansible_user: 'root' }, { address: 'web1', port: 22, user: 'root' }],
    ['known hosts from the inventory var', { ansible_ssh_known_hosts_file: '/lab/known_hosts' }, { knownHostsFile: '/lab/known_hosts', hostKeyPolicy: 'strict' }],
    ['known hosts and policy from ssh args', { ansible_ssh_common_args: '-o UserKnownHostsFile=/lab/kh -o StrictHostKeyChecking=accept-new' }, { knownHostsFile: '/lab/kh', hostKeyPolicy: 'accept-new' }],
    ['ansible_host_key_checking false means accept-new', { ansible_host_key_checking: false }, { hostKeyPolicy: 'accept-new' }],
    ['ansible_host_key_checking "no" means accept-new', { ansible_host_key_checking: 'no' }, { hostKeyPolicy: 'accept-new' }],
    ['default known hosts', {}, { knownHostsFile: '/home/u/.ssh/known_hosts', address: 'web1', port: 22 }],
  ])('%s', (_name, vars, expected) => {
    expect(connectionTarget('web1', vars, defaults)).toMatchObject(expected);
  });

  it('--known-hosts and --accept-new-host-keys override the inventory', () => {
    const t = connectionTarget('web1', { ansible_ssh_known_hosts_file: '/inv' }, {
      ...defaults,
      knownHostsFile: '/cli',
      hostKeyPolicy: 'accept-new',
    });
    expect(t).toMatchObject({ knownHostsFile: '/cli', hostKeyPolicy: 'accept-new' });
  });

  it('rejects a bad port as unreachable', () => {
    expect(() => connectionTarget('web1', { ansible_port: 'x' }, defaults)).toThrow(/invalid ansible_port/);
  });
});
