// Does locking really work? libsodium's sodium_malloc calls mlock() but carries on silently when
// it fails (RLIMIT_MEMLOCK too low, no CAP_IPC_LOCK), which would let secrets reach swap without a
// word. So at start-up we allocate a probe and read the kernel's own count of locked memory
// (VmLck in /proc/self/status) before and after. Returns a report; never exits by itself.
import { readFileSync } from 'node:fs';
import { sodium } from './sodium.js';
import { arenaStats } from './secure-arena.js';

export interface MemoryLockReport {
  /** True only when the kernel counted the probe's pages as locked. */
  readonly locked: boolean;
  /** 'unsupported' off Linux, where /proc/self/status does not exist. */
  readonly platform: 'linux' | 'unsupported';
  readonly vmLckKiB: number | null;
  /** RLIMIT_MEMLOCK soft limit in KiB, or 'unlimited'. */
  readonly memlockLimitKiB: number | 'unlimited' | null;
  /** Secure memory mapped for secrets (arenas) and the part of it in use now. */
  readonly secureArenaBytes: number;
  readonly secureBytesInUse: number;
  /** One line for humans, e.g. the CLI's warning. */
  readonly summary: string;
}

function readVmLckKiB(): number | null {
  try {
    const m = /^VmLck:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] === undefined ? null : Number(m[1]);
  } catch {
    return null;
  }
}

function readMemlockLimitKiB(): number | 'unlimited' | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max locked memory'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === undefined) return null;
    return soft === 'unlimited' ? 'unlimited' : Math.floor(Number(soft) / 1024);
  } catch {
    return null;
  }
}

export function checkMemoryLocking(): MemoryLockReport {
  const { arenaBytes: secureArenaBytes, slotBytesInUse: secureBytesInUse } = arenaStats();
  const before = readVmLckKiB();
  const limit = readMemlockLimitKiB();
  if (before === null) {
    return {
      locked: false, platform: 'unsupported', vmLckKiB: null, memlockLimitKiB: limit, secureArenaBytes, secureBytesInUse,
      summary: 'cannot verify memory locking on this platform (no /proc/self/status)',
    };
  }
  // A probe of several pages: any successful mlock of it must raise VmLck by at least a page.
  const probe = sodium.sodium_malloc(16 * 1024);
  const after = readVmLckKiB() ?? before;
  sodium.sodium_free(probe);
  const locked = after > before;
  const limitText = limit === 'unlimited' ? 'unlimited' : `${String(limit)} KiB`;
  return {
    locked, platform: 'linux', vmLckKiB: after, memlockLimitKiB: limit, secureArenaBytes, secureBytesInUse,
    summary: locked
      ? `secure memory is locked (VmLck ${String(after)} KiB, RLIMIT_MEMLOCK ${limitText})`
      : `secure memory could NOT be locked (RLIMIT_MEMLOCK ${limitText}, VmLck ${String(after)} KiB): secrets may be swapped to disk; raise the limit (ulimit -l, or LimitMEMLOCK= in systemd)`,
  };
}
