// A small process that drives the built I/O edge (dist/os) inside a network namespace, for the
// integration tests: `ip netns exec NS node os-agent.mjs`. One JSON request per stdin line
// ({id, op, ...}); one JSON line per answer ({id, ok, result|error}) or event ({event, ...}) on stdout.
// It exits by itself once everything is closed and stdin ends, which is what the "poller stops
// cleanly" test checks.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSystemDeps, loadLibc } from '../../../dist/os/index.js';

// Link changes must arrive through rtnetlink: the safety poll is made too slow to matter.
const deps = createSystemDeps({ linkPollMs: 60_000 });
const sockets = new Map();
const watches = new Map();
let nextSocket = 1;
let rawTx;

const emit = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const ops = {
  async open({ options }) {
    const handle = nextSocket++;
    const socket = await deps.network.open(options, (packet) =>
      emit({ event: 'packet', socket: handle, hex: packet.datagram.toString('hex'), ifindex: packet.ifindex, receivedAt: packet.receivedAt }),
    );
    sockets.set(handle, socket);
    return handle;
  },
  async send({ socket, hex }) {
    await sockets.get(socket).send(Buffer.from(hex, 'hex'));
  },
  async close({ socket }) {
    sockets.get(socket).close();
    sockets.get(socket).close(); // idempotent
    sockets.delete(socket);
  },
  /** Sends a whole IPv4 datagram as given (IP_HDRINCL), for malformed-header tests. */
  async sendRaw({ interface: name, hex, destination }) {
    const libc = loadLibc();
    rawTx ??= libc.socket(2 /* AF_INET */, 3 /* SOCK_RAW */ | 0o2000000 /* CLOEXEC */, 112);
    libc.setsockoptInt(rawTx, 0, 3 /* IP_HDRINCL */, 1);
    libc.setsockopt(rawTx, 1, 25 /* SO_BINDTODEVICE */, Buffer.from(`${name}\0`));
    const ll = Buffer.alloc(16);
    ll.writeUInt16LE(2, 0);
    Buffer.from(destination.split('.').map(Number)).copy(ll, 4);
    return libc.sendto(rawTx, Buffer.from(hex, 'hex'), 0, ll);
  },
  async garp({ interface: name, address, count }) {
    await deps.garp.send(name, address, count);
  },
  async addrAdd({ vip }) {
    await deps.addresses.add(vip);
  },
  async addrDel({ vip }) {
    await deps.addresses.remove(vip);
  },
  async addrList({ interface: name }) {
    return deps.addresses.list(name);
  },
  async linkGet({ interface: name }) {
    return deps.links.get(name);
  },
  async watch({ interfaces }) {
    const id = watches.size + 1;
    watches.set(id, deps.links.watch(interfaces, (info) => emit({ event: 'link', info })));
    return id;
  },
  async unwatch({ watch }) {
    watches.get(watch)();
    watches.delete(watch);
  },
  async script({ argv, timeoutMs, user }) {
    return deps.scripts.run(argv, { timeoutMs, user });
  },
  /** Lists the fds a child process inherits; with `leakyControl`, first opens a socket without CLOEXEC. */
  async childFds({ leakyControl }) {
    if (leakyControl) loadLibc().socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
    // The child writes to a file, not a pipe: Node's stdio pipes are socketpairs and would show up.
    const dir = mkdtempSync(join(tmpdir(), 'vrrp-fds-'));
    const list = (path) => {
      const fd = openSync(join(dir, 'out'), 'w');
      spawnSync('ls', ['-l', path], { stdio: ['ignore', fd, 'ignore'] });
      closeSync(fd);
      return readFileSync(join(dir, 'out'), 'utf8');
    };
    const child = list('/proc/self/fd');
    const parent = list(`/proc/${process.pid}/fd`);
    rmSync(dir, { recursive: true, force: true });
    return { child, parent };
  },
  async poller() {
    return { active: deps.network.poller.active, size: deps.network.poller.size };
  },
  async end() {
    deps.garp.close();
    return 'bye';
  },
};

const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const request = JSON.parse(line);
  try {
    const result = await ops[request.op](request);
    emit({ id: request.id, ok: true, result });
  } catch (error) {
    emit({ id: request.id, ok: false, error: String(error?.message ?? error), code: error?.code });
  }
});
emit({ event: 'ready', pid: process.pid });
