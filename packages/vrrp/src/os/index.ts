/**
 * The production I/O edge: raw sockets and AF_PACKET through koffi, `ip` for addresses, sysfs for
 * links, detached process groups for scripts, the monotonic clock.
 */
import { IpAddressManager } from './addresses.js';
import { SystemClock } from './clock.js';
import { execFileRunner, warmIpRunner } from './command.js';
import { PacketGarpSender } from './garp.js';
import { loadLibc } from './libc.js';
import { NetlinkLinkEvents } from './link-events.js';
import { PollingLinkMonitor, ioctlLinkReader } from './links.js';
import { Poller } from './poller.js';
import { RawVrrpNetwork } from './raw-vrrp.js';
import { ProcessScriptRunner } from './scripts.js';
import { ProcfsProcessMonitor } from './processes.js';
import type { SystemDeps } from './types.js';

export type * from './types.js';
export { IpAddressManager, parseAddressList, isAlreadyAssigned, isNotAssigned } from './addresses.js';
export { SystemClock } from './clock.js';
export { execFileRunner, warmIpRunner, recordingRunner, type CommandRunner, type CommandResult } from './command.js';
export { PacketGarpSender } from './garp.js';
export { gratuitousArpFrame, vrrpIpv4Header, withVrrpV3Checksum, internetChecksum } from './frames.js';
export { loadLibc, SyscallError } from './libc.js';
export { PollingLinkMonitor, ioctlLinkReader, sysfsLinkReader, readLinkState, type LinkState, type LinkStateReader } from './links.js';
export { Poller } from './poller.js';
export { NetlinkLinkEvents, type LinkEventSource } from './link-events.js';
export { RawVrrpNetwork } from './raw-vrrp.js';
export { ProcessScriptRunner, resolveCredentials } from './scripts.js';
export { ProcfsProcessMonitor, parseStat, parseCmdline, processMatches } from './processes.js';

export interface SystemDepsOptions {
  /** Path of the `ip` binary (default: found on PATH). */
  ipPath?: string;
  /** Link safety-poll period in ms (default 2000; changes are reported at once through rtnetlink). */
  linkPollMs?: number;
}

/** Production SystemDeps with concrete classes, so the daemon can reach extras (filters, close). */
export interface ProductionSystemDeps extends SystemDeps {
  network: RawVrrpNetwork;
  garp: PacketGarpSender;
  addresses: IpAddressManager;
  links: PollingLinkMonitor;
  scripts: ProcessScriptRunner;
  clock: SystemClock;
  processes: ProcfsProcessMonitor;
}

export function createSystemDeps(options: SystemDepsOptions = {}): ProductionSystemDeps {
  const libc = loadLibc();
  const clock = new SystemClock();
  const ipPath = options.ipPath ?? 'ip';
  const addresses = new IpAddressManager(warmIpRunner(ipPath, execFileRunner()), ipPath);
  const reader = ioctlLinkReader(libc);
  // One poller for every socket of the process: VRRP sockets and the rtnetlink link socket.
  const poller = new Poller(libc);
  return {
    network: new RawVrrpNetwork({ libc, poller, now: () => clock.now() }),
    garp: new PacketGarpSender(libc, reader),
    addresses,
    links: new PollingLinkMonitor({ reader, addresses, intervalMs: options.linkPollMs, events: new NetlinkLinkEvents(poller, libc) }),
    scripts: new ProcessScriptRunner(),
    clock,
    processes: new ProcfsProcessMonitor(libc, poller),
  };
}
