// The IP allowlist editor's checks, before the server's: each entry is an address or a CIDR, and
// the address this session comes from stays on the list (the server refuses a list without it,
// since saving it would lock the owner out at once).
import { parseCidr, parseIpAddress } from '@keyward/protocol/policy';
import { splitList } from './policy-form.js';

export function checkAllowlist(text: string, currentIp: string | null): { cidrs: string[] | null; errors: string[]; coversCurrent: boolean | null } {
  const cidrs = splitList(text);
  const errors = cidrs.filter((c) => parseCidr(c) === null).map((c) => `"${c.slice(0, 50)}" is not an address or CIDR (network bits only, e.g. 203.0.113.0/24)`);
  if (cidrs.length === 0) return { cidrs: null, errors, coversCurrent: null };
  const coversCurrent = currentIp === null ? null : covers(cidrs, currentIp);
  return { cidrs, errors, coversCurrent };
}

export function covers(cidrs: readonly string[], ip: string): boolean {
  const addr = parseIpAddress(ip);
  if (addr === null) return false;
  return cidrs.some((text) => {
    const c = parseCidr(text);
    if (c === null || c.family !== addr.family) return false;
    const bits = c.family === 4 ? 32 : 128;
    const shift = BigInt(bits - c.prefix);
    return (addr.value >> shift) === (c.value >> shift);
  });
}

/** What GET /session says is saved, against the address it saw: the editor's starting point. */
export function savedAllowlist(saved: readonly string[] | null, address: string): { text: string; entries: readonly string[]; coversAddress: boolean } {
  const entries = saved ?? [];
  return { text: entries.join('\n'), entries, coversAddress: entries.length === 0 || covers(entries, address) };
}
