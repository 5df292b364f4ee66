// What each token has spent: quote notional today (UTC) and orders in the last minute. Counted per
// token and added to every ancestor too, so a parent's limits bound its whole subtree (policy's
// decideChain reads them). Reserved when an order is allowed, before it is forwarded, so requests
// racing each other cannot both fit under a cap. Kept in memory: a restart forgets today's spend,
// which the audit log still holds (docs/threat-model.md).
import type { Usage } from '../policy/index.js';

const DAY_MS = 86_400_000;

export function createUsageTracker(now: () => number) {
  const spend = new Map<string, { day: number; notional: number }>();
  const orders = new Map<string, number[]>();

  return {
    usage(accessor: string): Usage {
      const t = now();
      const s = spend.get(accessor);
      const notionalToday = s !== undefined && s.day === Math.floor(t / DAY_MS) ? s.notional : 0;
      const placed = orders.get(accessor);
      // A token that has placed no order (every read) costs no allocation.
      if (placed === undefined || placed.length === 0) return { notionalToday, ordersLastMinute: 0 };
      const recent = placed.filter((at) => at > t - 60_000);
      orders.set(accessor, recent);
      return { notionalToday, ordersLastMinute: recent.length };
    },
    /** One order of `notional` placed by a token whose chain (itself and ancestors) is `accessors`. */
    record(accessors: readonly string[], notional: number): void {
      const t = now();
      const day = Math.floor(t / DAY_MS);
      for (const a of accessors) {
        const s = spend.get(a);
        spend.set(a, { day, notional: (s !== undefined && s.day === day ? s.notional : 0) + notional });
        orders.set(a, [...(orders.get(a) ?? []).filter((at) => at > t - 60_000), t]);
      }
    },
  };
}

export type UsageTracker = ReturnType<typeof createUsageTracker>;
