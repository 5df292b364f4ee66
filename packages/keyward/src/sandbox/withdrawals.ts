// Withdrawals, recorded twice over so tests can prove that nothing sent through Keyward's
// gateway ever left: `withdrawals` lists those that moved funds; `attempts` lists every request
// that reached a withdrawal-like path at all (known endpoint or not, signed or not, refused or
// not). A gateway that keeps its promise leaves both lists empty.
import type { ExchangeName } from './keys.js';

export interface WithdrawalRecord {
  readonly id: string;
  readonly exchange: ExchangeName;
  readonly apiKey: string;
  readonly accountId: string;
  readonly asset: string;
  /** Amount sent, as a plain decimal string (the network fee is debited on top). */
  readonly amount: string;
  readonly address: string;
  readonly network: string | undefined;
  readonly time: number;
}

export interface WithdrawalAttempt {
  readonly exchange: ExchangeName;
  readonly method: string;
  /** Native path, prefix removed. */
  readonly path: string;
  /** The key the request presented, whether or not it verified. */
  readonly apiKey: string | undefined;
  readonly time: number;
  /** True when the sandbox moved funds for it (then it is also in the withdrawal list). */
  readonly accepted: boolean;
  /** HTTP status and body of the sandbox's answer. */
  readonly status: number;
  readonly response: unknown;
}

export interface WithdrawalLedger {
  record(entry: Omit<WithdrawalRecord, 'id'>): WithdrawalRecord;
  attempt(entry: WithdrawalAttempt): void;
  list(): readonly WithdrawalRecord[];
  attempts(): readonly WithdrawalAttempt[];
}

export function createWithdrawalLedger(): WithdrawalLedger {
  const entries: WithdrawalRecord[] = [];
  const tries: WithdrawalAttempt[] = [];
  return {
    record(entry) {
      const rec = Object.freeze({ id: `wd-${String(entries.length + 1).padStart(6, '0')}`, ...entry });
      entries.push(rec);
      return rec;
    },
    attempt(entry) {
      tries.push(Object.freeze({ ...entry }));
    },
    list: () => [...entries],
    attempts: () => [...tries],
  };
}
