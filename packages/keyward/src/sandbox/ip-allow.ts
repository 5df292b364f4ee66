// A key's IP allowlist (Binance "restrict access to trusted IPs", Kraken's IP allowlist, OKX's
// bound IPs). node:net's BlockList does the CIDR arithmetic for both address families.
import { BlockList, isIP } from 'node:net';

export type IpCheck = (ip: string) => boolean;

/** IPv4 clients often arrive as ::ffff:a.b.c.d on a dual-stack socket. */
function normalise(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** Entries are addresses or CIDR ranges; a malformed entry throws rather than allowing anyone. */
export function createIpCheck(entries: readonly string[]): IpCheck {
  const list = new BlockList();
  for (const raw of entries) {
    const [addr = '', bits] = raw.trim().split('/');
    const family = isIP(addr);
    if (family === 0) throw new RangeError(`sandbox: not an IP address or range: ${raw}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new RangeError(`sandbox: bad prefix in ${raw}`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return (ip) => {
    const a = normalise(ip);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}
