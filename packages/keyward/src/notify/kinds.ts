// What a notification can be about, and the facts that may be told about it. Facts are an
// allowlist (fastify's habit for logs): render() reads only these names, so a caller that passes
// anything else (a request body, a token) cannot get it into an inbox or an e-mail.

export const NOTIFICATION_KINDS = Object.freeze([
  'sign-in', 'new-device', 'failed-attempts', 'second-factor-changed', 'password-changed', 'token-created',
  'token-revoked', 'policy-raised', 'break-glass', 'credential-refused', 'email-changed', 'ip-allowlist-changed',
] as const);

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Every fact render() knows, with what it means. */
export const FACTS = Object.freeze({
  at: 'when it happened, in milliseconds since the Unix epoch',
  ip: 'the client address the server saw',
  userAgent: 'the browser or program, as it described itself (untrusted text, shown quoted)',
  tokenLabel: 'a token\'s label',
  accessor: 'a token\'s accessor (kwa_…): tokens are named only by accessor, never told',
  count: 'how many: failed attempts, tokens revoked with a subtree, addresses on an allowlist',
  change: 'which second factor changed and how, in a few words ("authenticator app added")',
  otherSessionsEnded: 'sessions ended by a password change',
  tokensRevoked: 'tokens revoked by break-glass',
  sessionsEnded: 'sessions ended by break-glass',
  to: 'the new e-mail address, after an e-mail change',
  name: 'a credential\'s name',
  exchange: 'a credential\'s exchange',
  reason: 'why an exchange key was refused',
} as const);

export type FactName = keyof typeof FACTS;

export type NotificationFacts = { readonly [K in FactName]?: string | number };
