// notify(account, kind, facts): the inbox entry is written first and always; the e-mail follows in
// the background, a few attempts with growing pauses, and is then marked as sent in the inbox. A
// failing SMTP server, a missing address or a burst never fails the caller and never loses the
// inbox entry: the inbox is the record, the e-mail a copy.
//
// If the inbox itself cannot be written, the e-mail is still sent (this may be the only way the
// owner hears of a break-glass) and notify() rejects with the inbox's error.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBurstGate } from './burst-gate.js';
import { isNotificationKind, type NotificationFacts, type NotificationKind } from './kinds.js';
import { MailDeliveryError, type Inbox, type Mailer, type NotifyLog, type NotifyLogFields } from './ports.js';
import { render } from './render.js';

export const NOTIFY_DEFAULTS = Object.freeze({
  /** Pauses before the second and third attempts: three attempts in all, over about 12 s. */
  retryDelaysMs: Object.freeze([2_000, 10_000]) as readonly number[],
  burstWindowMs: 60_000,
  maxBurstKeys: 100_000,
});

export interface NotifierOptions {
  readonly inbox: Inbox;
  readonly mailer: Mailer | null;
  /** The account's e-mail address now, or null for none. */
  readonly addressOf: (accountId: string) => Promise<string | null>;
  /** Milliseconds since the Unix epoch. */
  readonly now: () => number;
  readonly log?: NotifyLog;
  /** One pause per retry: its length + 1 is the number of attempts. */
  readonly retryDelaysMs?: readonly number[];
  readonly burstWindowMs?: number;
  /** How a pause is taken (tests act during it). It must settle when `signal` aborts. */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

export interface NotifyResult {
  readonly id: string;
  /** queued: an e-mail is on its way; suppressed: one of this kind went out within the window; off: no mailer. */
  readonly email: 'queued' | 'suppressed' | 'off';
}

export interface NotifyOptions {
  /**
   * E-mail this address instead of addressOf's. For 'email-changed', pass the old address: the
   * account's address is already the new one, and whoever lost the account must hear of it.
   */
  readonly address?: string;
}

export interface Notifier {
  notify(accountId: string, kind: NotificationKind, facts?: NotificationFacts, options?: NotifyOptions): Promise<NotifyResult>;
  /** Resolves when every queued e-mail was sent or given up on (retries included). */
  flush(): Promise<void>;
  /** Stops retry pauses, waits for sends in flight, closes the mailer. Unsent mail stays unmarked in the inbox. */
  close(): Promise<void>;
}

interface Pending {
  readonly id: string | undefined;
  readonly address: string | undefined;
  readonly accountId: string;
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
  readonly at: number;
}

const QUIET: NotifyLog = { info: () => undefined, warn: () => undefined };

export function createNotifier(options: NotifierOptions): Notifier {
  const { inbox, mailer, addressOf, now, log = QUIET } = options;
  const retryDelaysMs = options.retryDelaysMs ?? NOTIFY_DEFAULTS.retryDelaysMs;
  // An aborted pause settles quietly: close() is not a delivery error.
  const wait = options.wait ?? ((ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined));
  const gate = createBurstGate(options.burstWindowMs ?? NOTIFY_DEFAULTS.burstWindowMs, NOTIFY_DEFAULTS.maxBurstKeys);
  const inFlight = new Set<Promise<void>>();
  const stop = new AbortController();

  async function deliver(via: Mailer, n: Pending): Promise<void> {
    const fields: NotifyLogFields = { accountId: n.accountId, kind: n.kind, ...(n.id === undefined ? {} : { notificationId: n.id }) };
    const to = n.address ?? await addressOf(n.accountId);
    if (to === null) {
      log.info({ ...fields, event: 'notify-no-address' }, 'no e-mail address; inbox only');
      return;
    }
    const mail = { to, subject: n.title, text: n.body, kind: n.kind, id: n.id ?? randomUUID(), at: n.at };
    for (let attempt = 1; ; attempt++) {
      try {
        await via.send(mail);
        break;
      } catch (e) {
        const err = e instanceof MailDeliveryError ? e : null;
        const pause = retryDelaysMs[attempt - 1];
        const retry = err?.permanent !== true && pause !== undefined && !stop.signal.aborted;
        log.warn({
          ...fields, event: 'notify-mail-failed', attempt, code: err?.code ?? 'EUNKNOWN', retry,
          ...(err?.responseCode === undefined ? {} : { responseCode: err.responseCode }),
        }, retry ? 'notification e-mail not delivered; will retry' : 'notification e-mail not delivered; giving up');
        if (!retry) return;
        await wait(pause, stop.signal);
        if (stop.signal.aborted) return;
      }
    }
    log.info({ ...fields, event: 'notify-mail-sent' }, 'notification e-mailed');
    if (n.id !== undefined) await inbox.markEmailed(n.id, now());
  }

  function track(via: Mailer, n: Pending): void {
    const p = deliver(via, n).catch((e: unknown) => {
      // Only the address lookup, the log or markEmailed can get here; the mail itself never throws out.
      try {
        log.warn({ accountId: n.accountId, kind: n.kind, event: 'notify-delivery-error', error: e instanceof Error ? e.name : 'unknown' }, 'notification delivery step failed');
      } catch {
        // A broken log must not turn into an unhandled rejection.
      }
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  async function flush(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    async notify(accountId, kind, facts = {}, options = {}) {
      if (!isNotificationKind(kind)) throw new RangeError('unknown notification kind');
      if (typeof accountId !== 'string' || accountId.length === 0) throw new TypeError('accountId must be a non-empty string');
      const at = now();
      const { title, body } = render(kind, { at, ...facts });
      let id: string | undefined;
      let inboxError: unknown = null;
      try {
        const added = await inbox.add({ accountId, kind, title, body, at });
        if (typeof added.id !== 'string' || added.id.length === 0) throw new TypeError('the inbox gave no id');
        id = added.id;
      } catch (e) {
        inboxError = e;
        log.warn({ accountId, kind, event: 'notify-inbox-failed' }, 'notification not written to the inbox');
      }
      const email = mailer === null || stop.signal.aborted ? 'off' : gate.allow(accountId, kind, at) ? 'queued' : 'suppressed';
      if (email === 'queued' && mailer !== null) track(mailer, { id, address: options.address, accountId, kind, title, body, at });
      if (id === undefined) throw inboxError;
      return { id, email };
    },
    flush,
    async close() {
      stop.abort();
      await flush();
      mailer?.close();
    },
  };
}
