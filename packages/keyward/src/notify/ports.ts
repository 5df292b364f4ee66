// What the notifier needs from outside: an inbox (the server backs it with the store's
// notification rows), a mailer (SMTP, or none), and a log. Narrow on purpose, so tests and the
// server can each bring their own.
import type { NotificationKind } from './kinds.js';

export interface InboxEntry {
  readonly accountId: string;
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
}

export interface Inbox {
  add(entry: InboxEntry): Promise<{ readonly id: string }>;
  markEmailed(id: string, at: number): Promise<void>;
}

export interface OutgoingMail {
  /** One bare address (local@domain): no display name, no list. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly kind: NotificationKind;
  /** The inbox entry's id: the Message-ID is built from it, the same on every retry. */
  readonly id: string;
  readonly at: number;
}

export interface Mailer {
  /** Resolves once the server accepted the message; rejects with a MailDeliveryError. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A failed delivery, told by code only: the server's own words can echo addresses and are not logged. */
export class MailDeliveryError extends Error {
  readonly code: string;
  readonly responseCode: number | undefined;
  /** The server said no for good (5xx), or the address is unusable: retrying cannot help. */
  readonly permanent: boolean;

  constructor(code: string, options: { responseCode?: number | undefined; permanent: boolean; cause?: unknown }) {
    super(`mail not delivered (${code}${options.responseCode === undefined ? '' : ` ${String(options.responseCode)}`})`, { cause: options.cause });
    this.name = 'MailDeliveryError';
    this.code = code;
    this.responseCode = options.responseCode;
    this.permanent = options.permanent;
  }
}

export type NotifyLogFields = Readonly<Record<string, string | number | boolean>>;

/** pino's logger fits this shape. Fields are ids, kinds, counts and codes: never addresses or text. */
export interface NotifyLog {
  info(fields: NotifyLogFields, message: string): void;
  warn(fields: NotifyLogFields, message: string): void;
}
