// CIDR matching and containment over protocol's parsed form (32- or 128-bit integers; IPv4-mapped
// IPv6 already read as IPv4). A network contains another when it is as short or shorter and the
// other's network bits agree with it on its own prefix; families never contain each other.
import { parseCidr, parseIpAddress, type Cidr, type IpAddress } from '@keyward/protocol/policy';

function width(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function networkOf(value: bigint, family: 4 | 6, prefix: number): bigint {
  const hostBits = BigInt(width(family) - prefix);
  return (value >> hostBits) << hostBits;
}

export function cidrMatches(cidr: Cidr, address: IpAddress): boolean {
  return cidr.family === address.family && networkOf(address.value, address.family, cidr.prefix) === cidr.value;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix
    && networkOf(inner.value, inner.family, outer.prefix) === outer.value;
}

/** False for an address or a CIDR that does not parse: fail closed. */
export function isAddressAllowed(cidrs: readonly string[], address: string): boolean {
  const ip = parseIpAddress(address);
  if (ip === null) return false;
  return cidrs.some((text) => {
    const c = parseCidr(text);
    return c !== null && cidrMatches(c, ip);
  });
}

/**
 * The child CIDRs that do not lie inside any one parent CIDR (empty = contained). A child covered only by the union of several
 * parent CIDRs (10.0.0.0/8 under 10.0.0.0/9 + 10.128.0.0/9) is refused: conservative, never wider.
 */
export function cidrsOutside(child: readonly string[], parent: readonly string[]): string[] {
  const parents = parent.map(parseCidr);
  const outside: string[] = [];
  for (const text of child) {
    const c = parseCidr(text);
    if (c === null || !parents.some((p) => p !== null && cidrContains(p, c))) outside.push(text);
  }
  return outside;
}
