// render(kind, facts) → {title, body}: pure, plain English, the same text for the inbox and the
// e-mail. Only allowlisted facts are read (kinds.ts), every one is cleaned first: control and
// format characters out (no forged lines, no right-to-left tricks), anything shaped like a kw_
// token removed, an accessor shown only if it is one, at most 200 characters each.
import { isAccessor } from '@keyward/protocol/token-format';
import { FACTS, type FactName, type NotificationFacts, type NotificationKind } from './kinds.js';

export interface RenderedNotification {
  readonly title: string;
  readonly body: string;
}

type Clean = { readonly [K in FactName]?: string };

interface Template {
  readonly title: string;
  readonly what: (f: Clean) => string;
  readonly advice: string;
}

const MAX_FACT_CHARS = 200;
const TOKEN_ANYWHERE = /kw_[A-Za-z0-9_-]{43}/g;
const WHOLE_NUMBER_FACTS: ReadonlySet<FactName> = new Set(['count', 'otherSessionsEnded', 'tokensRevoked', 'sessionsEnded']);
const NOT_YOU = 'If this was not you, change your password, and use break-glass in the security centre to stop every token and session at once.';

/** "the bot token “nightly” (kwa_…)", or as much of it as is known. */
const token = (f: Clean): string => `${f.tokenLabel === undefined ? 'a bot token' : `the bot token “${f.tokenLabel}”`}${f.accessor === undefined ? '' : ` (${f.accessor})`}`;
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const plural = (n: string, one: string, many: string): string => `${n} ${n === '1' ? one : many}`;

const TEMPLATES: Readonly<Record<NotificationKind, Template>> = {
  'sign-in': { title: 'New sign-in to your Keyward account', what: () => 'Someone signed in to your Keyward account from a device it has seen before.', advice: NOT_YOU },
  'new-device': { title: 'Sign-in from a new device', what: () => 'Someone signed in to your Keyward account from a device or address it has not seen before.', advice: NOT_YOU },
  'failed-attempts': {
    title: 'Failed sign-in attempts on your account',
    what: (f) => (f.count === undefined ? 'There were several failed sign-in attempts on your account.' : `There were ${plural(f.count, 'failed sign-in attempt', 'failed sign-in attempts')} on your account.`),
    advice: 'Your account is not locked: each failure makes the next attempt wait longer. If these were not you, someone is trying your e-mail address; a strong, unique password and a second factor keep them out.',
  },
  'second-factor-changed': {
    title: 'Your second factors changed',
    what: (f) => (f.change === undefined ? 'The second factors of your account changed.' : `The second factors of your account changed: ${f.change}.`),
    advice: 'If you did not do this, sign in, check your second factors in the security centre, and change your password.',
  },
  'password-changed': {
    title: 'Your password was changed',
    what: (f) => `The password of your Keyward account was changed.${f.otherSessionsEnded === undefined ? '' : ` ${plural(f.otherSessionsEnded, 'other session was', 'other sessions were')} signed out.`}`,
    advice: 'If you did not do this, someone else controls your account: use break-glass from any session you still have open, and tell the people who run this server.',
  },
  'token-created': {
    title: 'A bot token was created',
    what: (f) => `${capital(token(f))} was created.`,
    advice: 'A token is shown only once, to whoever created it; this message names it by its accessor. If you did not create it, revoke it in the security centre.',
  },
  'token-revoked': {
    title: 'A bot token was revoked',
    what: (f) => `${capital(token(f))} was revoked${f.count === undefined ? '' : `, together with the tokens it issued (${plural(f.count, 'token', 'tokens')} in all)`}. Bots using it stop at once.`,
    advice: 'If you did not do this, look at your sessions and the access log in the security centre.',
  },
  'policy-raised': {
    title: 'A bot token may now do more',
    what: (f) => `The policy of ${token(f)} was widened: it may now do more than before.`,
    advice: 'If you did not do this, revoke the token in the security centre.',
  },
  'break-glass': {
    title: 'Break-glass: everything was stopped',
    what: (f) => `Break-glass was used on your account: every token was revoked${f.tokensRevoked === undefined ? '' : ` (${f.tokensRevoked})`}, every unlocked key was wiped from the server's memory, and every session was ended${f.sessionsEnded === undefined ? '' : ` (${f.sessionsEnded})`}.`,
    advice: 'Sign in again to issue new tokens. If you did not do this, someone was signed in as you: change your password.',
  },
  'credential-refused': {
    title: 'An exchange key was refused',
    what: (f) => `The exchange key${f.name === undefined ? '' : ` “${f.name}”`}${f.exchange === undefined ? '' : ` on ${f.exchange}`} was refused${f.reason === undefined ? '' : ` (${f.reason})`}, so Keyward will not sign with it.`,
    advice: 'Keys that can withdraw or transfer funds are refused. Create a key with withdrawals and transfers switched off, then connect it again.',
  },
  'email-changed': {
    title: 'Your e-mail address was changed',
    what: (f) => `The e-mail address of your Keyward account was changed${f.to === undefined ? '' : ` to ${f.to}`}. Notifications go there from now on.`,
    advice: 'If you did not do this, someone else controls your account: use break-glass from any session you still have open, and tell the people who run this server.',
  },
  'ip-allowlist-changed': {
    title: 'Your IP allowlist changed',
    what: (f) => `The IP allowlist of your account was changed${f.count === undefined ? '' : `; it now holds ${plural(f.count, 'entry', 'entries')}`}.`,
    advice: 'The allowlist decides which addresses may use your account. If you did not do this, check it in the security centre.',
  },
};

export function render(kind: NotificationKind, facts: NotificationFacts): RenderedNotification {
  const template = TEMPLATES[kind];
  if (template === undefined) throw new RangeError('unknown notification kind');
  const f = cleanFacts(facts);
  const details = [
    f.at === undefined ? null : `When: ${f.at}`,
    f.ip === undefined ? null : `Address: ${f.ip}`,
    f.userAgent === undefined ? null : `Device: “${f.userAgent}”`,
  ].filter((line): line is string => line !== null);
  const paragraphs = [template.what(f), details.join('\n'), template.advice].filter((p) => p.length > 0);
  return { title: template.title, body: paragraphs.join('\n\n') };
}

function cleanFacts(facts: NotificationFacts): Clean {
  const out: Partial<Record<FactName, string>> = {};
  for (const name of Object.keys(FACTS) as FactName[]) {
    const value = Object.hasOwn(facts, name) ? facts[name] : undefined;
    const clean = name === 'at' ? cleanTime(value) : WHOLE_NUMBER_FACTS.has(name) ? cleanWhole(value) : cleanText(value);
    if (clean !== undefined) out[name] = clean;
  }
  if (out.accessor !== undefined && !isAccessor(out.accessor)) delete out.accessor;
  return out;
}

function cleanText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/[\t\n\r\u2028\u2029]/g, ' ')
    // Removed, not spaced: a token split by a control character joins up again and is caught below.
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(TOKEN_ANYWHERE, '[token removed]')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(text);
  const cut = chars.length > MAX_FACT_CHARS ? `${chars.slice(0, MAX_FACT_CHARS - 1).join('')}…` : text;
  return cut.length === 0 ? undefined : cut;
}

function cleanWhole(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? String(n) : undefined;
}

function cleanTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15) {
    return `${new Date(value).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  }
  return cleanText(value);
}
