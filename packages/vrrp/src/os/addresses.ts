/**
 * AddressManager through iproute2's `ip`, run without a shell. Adding an address that is already
 * there and deleting one that is not are successes (the operation is idempotent); every other
 * failure is an error quoting ip's message.
 */
import { execFileRunner, type CommandRunner } from './command.js';
import type { AddressManager, VirtualAddress } from './types.js';

export interface InterfaceAddress {
  address: string;
  prefixLength: number;
  label?: string;
  secondary: boolean;
}

export function addAddressArgs(vip: VirtualAddress): string[] {
  const args = ['-4', 'addr', 'add', `${vip.address}/${vip.prefixLength}`, 'dev', vip.interface];
  if (vip.broadcast) args.push('broadcast', vip.broadcast);
  if (vip.label) args.push('label', vip.label);
  return args;
}

export function deleteAddressArgs(vip: VirtualAddress): string[] {
  return ['-4', 'addr', 'del', `${vip.address}/${vip.prefixLength}`, 'dev', vip.interface];
}

export function listAddressesArgs(interfaceName: string): string[] {
  return ['-j', '-4', 'addr', 'show', 'dev', interfaceName];
}

/** "Already assigned" (iproute2 >= 5 with extended acks) or "File exists" (older kernels). */
export function isAlreadyAssigned(stderr: string): boolean {
  return /Address already assigned|File exists/i.test(stderr);
}

/** "Address not found" (extended acks) or "Cannot assign requested address" (EADDRNOTAVAIL). */
export function isNotAssigned(stderr: string): boolean {
  return /Address not found|Cannot assign requested address/i.test(stderr);
}

/** Parses `ip -j -4 addr show dev IF`: the IPv4 addresses in kernel order (primary first). */
export function parseAddressList(stdout: string): InterfaceAddress[] {
  const text = stdout.trim();
  if (text === '') return [];
  const links = JSON.parse(text) as Array<{ addr_info?: Array<Record<string, unknown>> }>;
  const out: InterfaceAddress[] = [];
  for (const link of links) {
    for (const info of link.addr_info ?? []) {
      if (info.family !== 'inet' || typeof info.local !== 'string') continue;
      out.push({
        address: info.local,
        prefixLength: Number(info.prefixlen),
        label: typeof info.label === 'string' ? info.label : undefined,
        secondary: info.secondary === true,
      });
    }
  }
  return out;
}

export class IpAddressManager implements AddressManager {
  constructor(
    private readonly run: CommandRunner = execFileRunner(),
    private readonly ipPath = 'ip',
  ) {}

  async add(vip: VirtualAddress): Promise<void> {
    const args = addAddressArgs(vip);
    const result = await this.run(this.ipPath, args);
    if (result.code === 0 || isAlreadyAssigned(result.stderr)) return;
    throw commandError(this.ipPath, args, result.stderr);
  }

  async remove(vip: VirtualAddress): Promise<void> {
    const args = deleteAddressArgs(vip);
    const result = await this.run(this.ipPath, args);
    if (result.code === 0 || isNotAssigned(result.stderr)) return;
    throw commandError(this.ipPath, args, result.stderr);
  }

  async list(interfaceName: string): Promise<string[]> {
    return (await this.details(interfaceName)).map((a) => a.address);
  }

  /** The IPv4 addresses with prefix, label and secondary flag. */
  async details(interfaceName: string): Promise<InterfaceAddress[]> {
    const args = listAddressesArgs(interfaceName);
    const result = await this.run(this.ipPath, args);
    if (result.code !== 0) throw commandError(this.ipPath, args, result.stderr);
    return parseAddressList(result.stdout);
  }
}

function commandError(file: string, args: readonly string[], stderr: string): Error {
  return new Error(`${file} ${args.join(' ')}: ${stderr.trim() || 'failed'}`);
}
