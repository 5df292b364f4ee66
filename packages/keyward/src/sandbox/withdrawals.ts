// Every withdrawal the sandbox accepted, in order. Tests read this record to prove that nothing
// sent through Keyward's gateway ever moved funds out: the gateway must never sign one.
import type { ExchangeName } from './keys.js';

export interface WithdrawalRecord {
  readonly id: string;
  readonly exchange: ExchangeName;
  readonly apiKey: string;
  readonly accountId: string;
  readonly asset: string;
  /** Amount debited, as a plain decimal string. */
  readonly amount: string;
  readonly address: string;
  readonly network: string | undefined;
  readonly time: number;
}

export interface WithdrawalLedger {
  record(entry: Omit<WithdrawalRecord, 'id'>): WithdrawalRecord;
  list(): readonly WithdrawalRecord[];
}

export function createWithdrawalLedger(): WithdrawalLedger {
  const entries: WithdrawalRecord[] = [];
  return {
    record(entry) {
      const rec = Object.freeze({ id: `wd-${String(entries.length + 1).padStart(6, '0')}`, ...entry });
      entries.push(rec);
      return rec;
    },
    list: () => [...entries],
  };
}
