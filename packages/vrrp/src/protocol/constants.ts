/** Wire constants of VRRP over IPv4 (RFC 3768 for version 2, RFC 5798 for version 3). */

export const IPPROTO_VRRP = 112;
export const VRRP_MULTICAST_GROUP = '224.0.0.18';
/** Adverts must be sent with TTL 255 so a receiver can tell they did not cross a router. */
export const VRRP_TTL = 255;
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** The fixed VRRP header: version/type, VRID, priority, address count, auth type/interval, checksum. */
export const VRRP_HEADER_LENGTH = 8;
/** VRRPv2 always carries 8 bytes of authentication data after the addresses (zeros unless PASS). */
export const VRRP_V2_AUTH_LENGTH = 8;
/** Minimum IPv4 header. */
export const IPV4_MIN_HEADER_LENGTH = 20;
/** Ethernet pads short frames to 60 bytes, i.e. 46 bytes of IP datagram. */
export const ETHERNET_MIN_PAYLOAD = 46;

export const AUTH_NONE = 0;
export const AUTH_PASS = 1;
/** IP Authentication Header (deprecated by RFC 3768, still a known type value). */
export const AUTH_AH = 2;

export type VrrpVersion = 2 | 3;
