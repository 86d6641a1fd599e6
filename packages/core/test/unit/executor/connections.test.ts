import { describe, expect, it } from 'vitest';
import { ConnectionPool, connectionTarget } from '../../../src/executor/connections.js';
import { UnreachableError, type Connection, type ConnectionTarget, type Connector } from '../../../src/contract/connector.js';

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

describe('ConnectionPool: a host that reboots', () => {
  /** A connector whose n-th connect is refused when listed, and whose connections can be lost. */
  function connector(refuse: number[]) {
    let n = 0;
    const opened: { lost: boolean; closed: boolean }[] = [];
    const c: Connector = {
      async connect(t: ConnectionTarget): Promise<Connection> {
        n += 1;
        if (refuse.includes(n)) throw new UnreachableError(t.hostName, 'connection refused');
        const state = { lost: false, closed: false };
        opened.push(state);
        const id = opened.length;
        return {
          hostName: t.hostName,
          async run() {
            if (state.lost) throw new UnreachableError(t.hostName, 'connection lost: reset', 'lost');
            return { code: 0, stdout: `connection ${id}`, stderr: '' };
          },
          async writeFile() {},
          async putFile() {},
          async readFile() {
            return undefined;
          },
          async close() {
            state.closed = true;
          },
        };
      },
    };
    return { c, opened, connects: () => n };
  }
  const target = () => connectionTarget('web1', {}, defaults);

  it('reuses one connection while it lives', async () => {
    const { c, connects } = connector([]);
    const remote = new ConnectionPool(c).lazyRemote('web1', target);
    await remote.run({ argv: ['true'] });
    expect((await remote.run({ argv: ['true'] })).stdout).toBe('connection 1');
    expect(connects()).toBe(1);
  });

  it('forgets a lost connection (closing it) and a refused connect, then opens a new one', async () => {
    const { c, opened, connects } = connector([2]);
    const remote = new ConnectionPool(c).lazyRemote('web1', target);
    await remote.run({ argv: ['true'] });
    opened[0].lost = true;
    await expect(remote.run({ argv: ['true'] })).rejects.toMatchObject({ reason: 'lost' });
    expect(opened[0].closed).toBe(true);
    await expect(remote.run({ argv: ['true'] })).rejects.toThrow('connection refused');
    expect((await remote.run({ argv: ['true'] })).stdout).toBe('connection 2');
    expect(connects()).toBe(3);
  });
});
