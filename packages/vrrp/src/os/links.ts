/**
 * LinkMonitor. Link state is read with interface ioctls on a socket (SIOCGIFFLAGS for IFF_UP and
 * IFF_RUNNING, SIOCGIFHWADDR, if_nametoindex): they answer for the network namespace the process is
 * in, even when /sys belongs to another one (a process entered with `nsenter --net` still sees the
 * original namespace's /sys/class/net). Watching polls those cheap syscalls on an interval timer on
 * the main thread, keeping the libuv threadpool free for the socket poller; `ip` is only run by
 * get(), for the primary address. A sysfs reader is kept for tests and tools.
 */
import { readFileSync } from 'node:fs';
import { IpAddressManager } from './addresses.js';
import { loadLibc, type Libc } from './libc.js';
import type { LinkEventSource } from './link-events.js';
import {
  AF_INET,
  IFF_RUNNING,
  IFF_UP,
  SIOCGIFFLAGS,
  SIOCGIFHWADDR,
  SIOCGIFINDEX,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  ifreq,
  ifreqFlags,
  ifreqHardwareAddress,
  ifreqIndex,
} from './structs.js';
import type { InterfaceInfo, LinkMonitor } from './types.js';

export interface LinkState {
  exists: boolean;
  index: number;
  up: boolean;
  mac: string;
}

export const MISSING_LINK: LinkState = Object.freeze({ exists: false, index: 0, up: false, mac: '' });

export type LinkStateReader = (interfaceName: string) => LinkState;

/** Up means administratively up and running (operstate up/unknown, carrier present). */
export function flagsAreUp(flags: number): boolean {
  return (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0;
}

/** Reads link state through ioctls on one close-on-exec datagram socket of the current namespace. */
export function ioctlLinkReader(libc: Libc = loadLibc()): LinkStateReader {
  let fd: number | undefined;
  return (name) => {
    fd ??= libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    // SIOCGIFINDEX on our socket rather than if_nametoindex, which opens and closes one per call:
    // this runs on the way to every gratuitous ARP.
    let byIndex: Buffer;
    try {
      byIndex = ifreq(name);
    } catch {
      return MISSING_LINK; // not a possible interface name
    }
    if (libc.ioctl(fd, SIOCGIFINDEX, byIndex) < 0) return MISSING_LINK;
    const index = ifreqIndex(byIndex);
    const flags = ifreq(name);
    if (libc.ioctl(fd, SIOCGIFFLAGS, flags) < 0) return MISSING_LINK;
    const hw = ifreq(name);
    const mac = libc.ioctl(fd, SIOCGIFHWADDR, hw) < 0 ? '' : ifreqHardwareAddress(hw);
    return { exists: true, index, up: flagsAreUp(ifreqFlags(flags)), mac };
  };
}

/** Up means operationally up (or "unknown", what drivers without operstate report) with carrier. */
export function linkIsUp(operstate: string | undefined, carrier: string | undefined): boolean {
  const state = (operstate ?? '').trim();
  return (state === 'up' || state === 'unknown') && (carrier ?? '').trim() === '1';
}

function readSysfs(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined; // missing interface, or carrier of an administratively down one (EINVAL)
  }
}

/** Reads /sys/class/net/<if>/{ifindex,operstate,carrier,address} (right only if /sys is this netns'). */
export function readLinkState(interfaceName: string, sysfsRoot = '/sys/class/net'): LinkState {
  const dir = `${sysfsRoot}/${interfaceName}`;
  const index = readSysfs(`${dir}/ifindex`);
  if (index === undefined) return MISSING_LINK;
  return {
    exists: true,
    index: Number(index),
    up: linkIsUp(readSysfs(`${dir}/operstate`), readSysfs(`${dir}/carrier`)),
    mac: readSysfs(`${dir}/address`) ?? '',
  };
}

export function sysfsLinkReader(sysfsRoot = '/sys/class/net'): LinkStateReader {
  return (name) => readLinkState(name, sysfsRoot);
}

export interface PollingLinkMonitorOptions {
  /** How link state is read (default: ioctls in the current network namespace). */
  reader?: LinkStateReader;
  /**
   * Poll period of watch(). Without an event source, 100-200 ms keeps link-down detection well under
   * one advert interval; with one, this is only a safety net (default 2000 ms).
   */
  intervalMs?: number;
  /** Kernel notifications (rtnetlink); when given, changes are reported as they happen. */
  events?: LinkEventSource;
  addresses?: IpAddressManager;
  /** Addresses never reported as primary (our VIPs). */
  isVirtualAddress?: (address: string) => boolean;
}

export class PollingLinkMonitor implements LinkMonitor {
  private readonly reader: LinkStateReader;
  private readonly intervalMs: number;
  private readonly addresses: IpAddressManager;
  private readonly events?: LinkEventSource;
  private isVirtualAddress: (address: string) => boolean;

  constructor(options: PollingLinkMonitorOptions = {}) {
    this.reader = options.reader ?? ioctlLinkReader();
    this.events = options.events;
    this.intervalMs = options.intervalMs ?? (options.events ? 2000 : 150);
    this.addresses = options.addresses ?? new IpAddressManager();
    this.isVirtualAddress = options.isVirtualAddress ?? (() => false);
  }

  /** Tells the monitor which addresses are VIPs, so they are never taken as the primary address. */
  setVirtualAddressFilter(isVirtualAddress: (address: string) => boolean): void {
    this.isVirtualAddress = isVirtualAddress;
  }

  /** Link state only, synchronously (no `ip`). */
  state(interfaceName: string): LinkState {
    return this.reader(interfaceName);
  }

  async get(interfaceName: string): Promise<InterfaceInfo> {
    const state = this.reader(interfaceName);
    const info: InterfaceInfo = { name: interfaceName, index: state.index, up: state.up, mac: state.mac };
    if (!state.exists) return info;
    const addresses = await this.addresses.details(interfaceName);
    const primary = addresses.find((a) => !a.secondary && !this.isVirtualAddress(a.address))
      ?? addresses.find((a) => !this.isVirtualAddress(a.address));
    if (primary) info.primaryAddress = primary.address;
    return info;
  }

  watch(interfaceNames: readonly string[], onChange: (info: InterfaceInfo) => void): () => void {
    const last = new Map<string, LinkState>();
    for (const name of interfaceNames) last.set(name, this.reader(name));
    let stopped = false;
    const check = () => {
      if (stopped) return;
      for (const name of interfaceNames) {
        const now = this.reader(name);
        const before = last.get(name)!;
        if (now.up === before.up && now.index === before.index) continue;
        last.set(name, now);
        onChange({ name, index: now.index, up: now.up, mac: now.mac });
      }
    };
    const unsubscribe = this.events?.subscribe(check);
    const timer = setInterval(check, this.intervalMs);
    // The VRRP sockets keep the daemon alive; a watch's timer alone must not.
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
    };
  }
}
