// The throttle's key for a client address. One IPv6 subscriber usually holds a whole /64 (RFC 6177
// and common ISP practice), so counting single IPv6 addresses would give an attacker 2^64 fresh
// buckets: IPv6 is counted per /64. IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket
// reports for IPv4 clients) counts as the IPv4 address.
import { isIPv4, isIPv6 } from 'node:net';

export function sourceAddressKey(address: string): string {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '').toLowerCase();
  if (isIPv4(bare)) return bare;
  if (isIPv6(bare)) {
    const groups = expandIpv6(bare);
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      const hi = groups[6] ?? 0;
      const lo = groups[7] ?? 0;
      return `${String(hi >> 8)}.${String(hi & 0xff)}.${String(lo >> 8)}.${String(lo & 0xff)}`;
    }
    return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
  }
  // Not an address (a proxy said something odd): its own bucket, never an error on this path.
  return `other:${bare}`;
}

/** The eight 16-bit groups of a valid IPv6 address. */
function expandIpv6(address: string): number[] {
  // The WHATWG URL parser canonicalises IPv6 (an embedded dotted IPv4 tail becomes two groups).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16));
}
