/**
 * LinkMonitor reading /sys/class/net/<if>/{ifindex,operstate,carrier,address}. Watching polls those
 * small files on an interval timer (synchronous reads of sysfs are cheap and keep the libuv threadpool
 * free for the socket poller); `ip` is only run by get(), for the primary address.
 */
import { readFileSync } from 'node:fs';
import { IpAddressManager } from './addresses.js';
import type { InterfaceInfo, LinkMonitor } from './types.js';

export interface LinkState {
  exists: boolean;
  index: number;
  up: boolean;
  mac: string;
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

export function readLinkState(interfaceName: string, sysfsRoot = '/sys/class/net'): LinkState {
  const dir = `${sysfsRoot}/${interfaceName}`;
  const index = readSysfs(`${dir}/ifindex`);
  if (index === undefined) return { exists: false, index: 0, up: false, mac: '' };
  return {
    exists: true,
    index: Number(index),
    up: linkIsUp(readSysfs(`${dir}/operstate`), readSysfs(`${dir}/carrier`)),
    mac: readSysfs(`${dir}/address`) ?? '',
  };
}

export interface SysfsLinkMonitorOptions {
  sysfsRoot?: string;
  /** Poll period of watch(); 100-200 ms keeps link-down detection well under one advert interval. */
  intervalMs?: number;
  addresses?: IpAddressManager;
  /** Addresses never reported as primary (our VIPs). */
  isVirtualAddress?: (address: string) => boolean;
}

export class SysfsLinkMonitor implements LinkMonitor {
  private readonly sysfsRoot: string;
  private readonly intervalMs: number;
  private readonly addresses: IpAddressManager;
  private isVirtualAddress: (address: string) => boolean;

  constructor(options: SysfsLinkMonitorOptions = {}) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys/class/net';
    this.intervalMs = options.intervalMs ?? 150;
    this.addresses = options.addresses ?? new IpAddressManager();
    this.isVirtualAddress = options.isVirtualAddress ?? (() => false);
  }

  /** Tells the monitor which addresses are VIPs, so they are never taken as the primary address. */
  setVirtualAddressFilter(isVirtualAddress: (address: string) => boolean): void {
    this.isVirtualAddress = isVirtualAddress;
  }

  async get(interfaceName: string): Promise<InterfaceInfo> {
    const state = readLinkState(interfaceName, this.sysfsRoot);
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
    for (const name of interfaceNames) last.set(name, readLinkState(name, this.sysfsRoot));
    const timer = setInterval(() => {
      for (const name of interfaceNames) {
        const now = readLinkState(name, this.sysfsRoot);
        const before = last.get(name)!;
        if (now.up === before.up && now.index === before.index) continue;
        last.set(name, now);
        onChange({ name, index: now.index, up: now.up, mac: now.mac });
      }
    }, this.intervalMs);
    // The VRRP sockets keep the daemon alive; a watch alone must not.
    timer.unref();
    return () => clearInterval(timer);
  }
}
