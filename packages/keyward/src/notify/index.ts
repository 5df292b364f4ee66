/**
 * @module notify
 * Security notifications: an in-app inbox entry always, and an e-mail over SMTP when configured,
 * sent in the background with bounded retries and at most one per account and kind per minute.
 * Imports nothing from src but protocol. See README.md.
 */
export { NOTIFICATION_KINDS, FACTS, isNotificationKind, type NotificationKind, type NotificationFacts, type FactName } from './kinds.js';
export { render, type RenderedNotification } from './render.js';
export { createNotifier, NOTIFY_DEFAULTS, type Notifier, type NotifierOptions, type NotifyOptions, type NotifyResult } from './notifier.js';
export { MailDeliveryError, type Inbox, type InboxEntry, type Mailer, type OutgoingMail, type NotifyLog, type NotifyLogFields } from './ports.js';
export { createSmtpMailer, smtpServerFromUrl, isPlainAddress, type SmtpMailerOptions, type SmtpSecurity, type SmtpServer } from './smtp-mailer.js';
export type { SecretBytes } from './smtp-auth.js';
