/** Dotted-quad IPv4 helpers (no DNS, no IPv6: VRRP here is IPv4 only). */

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(text: string): boolean {
  const m = DOTTED_QUAD.exec(text);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255 && String(Number(octet)) === octet);
}

export function ipv4ToBytes(address: string): Buffer {
  if (!isIpv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

export function bytesToIpv4(buf: Buffer, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Numeric value, for comparisons such as "the higher primary address wins". */
export function ipv4ToNumber(address: string): number {
  return ipv4ToBytes(address).readUInt32BE(0);
}

export function compareIpv4(a: string, b: string): number {
  return Math.sign(ipv4ToNumber(a) - ipv4ToNumber(b));
}

export function isMulticastIpv4(address: string): boolean {
  const first = ipv4ToBytes(address)[0];
  return first >= 224 && first <= 239;
}
