// The security centre's account side: sessions and devices, second factors, password and e-mail,
// the IP allowlist, the notification inbox, and break-glass. Every change that could lock the owner
// out or let an intruder stay needs a fresh password confirmation ('fresh' access).
import { KDF_SALT_BYTES, WRAPPED_KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { z } from 'zod';
import { enrolmentQr, generateRecoveryCodes, newTotpSeed, otpauthUri, verifyTotp } from '../accounts/index.js';
import { randomBytes, type SecureBuffer } from '../crypto/index.js';
import { isAddressAllowed } from '../policy/index.js';
import type { ApiDeps } from './deps.js';
import { clientAddress } from './http.js';
import { emailSchema, hashAuthKeyField } from './auth-routes.js';
import { route, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

const b64url = (bytes: number) => z.string().regex(/^[A-Za-z0-9_-]+$/).refine((s) => Buffer.from(s, 'base64url').length === bytes, `${String(bytes)} bytes, base64url`);
const cidr = z.string().max(50).refine((c) => isAddressAllowed([c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`], c.split('/')[0] ?? ''), 'an IPv4 or IPv6 address or CIDR');

/** What break-glass does besides revoking tokens and ending sessions (wipes, token-bound caches). */
export type BreakGlassHook = (accountId: string) => void;

export function securityRoutes(deps: ApiDeps, breakGlassHook: BreakGlassHook): RouteDef[] {
  const { store } = deps;
  const s = (x: ActiveSession | null): ActiveSession => x as ActiveSession;
  // Enrolment seeds wait here (sealed) until the first code proves the authenticator has them.
  const enrolling = new Map<string, { sealed: Uint8Array; factorId: string; expiresAt: number }>();

  return [
    route({
      method: 'GET', url: '/api/v1/sessions', tag: 'security', access: 'session',
      summary: 'Sessions and devices of the account, this one marked',
      handler: async ({ session }) => ({
        sessions: (await store.sessions.list(s(session).accountId)).map((r) => ({
          id: r.id.slice(0, 16), current: r.id === s(session).id, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt, expiresAt: r.expiresAt,
          ip: r.ip, userAgent: r.userAgent, device: r.device.slice(0, 12), endedAt: r.endedAt, endReason: r.endReason,
          unlocked: deps.keyRing.hasSession(r.id),
        })),
      }),
    }),
    route({
      method: 'DELETE', url: '/api/v1/sessions/:id', tag: 'security', access: 'session',
      summary: 'End one session (by the id prefix the list shows); its unlocked keys are wiped',
      params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }).strict(),
      handler: async ({ session, params }) => {
        const target = (await store.sessions.list(s(session).accountId)).find((r) => r.id.startsWith(params.id) && r.endedAt === null);
        if (target === undefined) throw new KeywardError('KW_NOT_FOUND', 'No live session with that id.');
        await deps.sessions.end(target.id, 'revoked by the owner');
        return undefined;
      },
    }),
    route({
      method: 'GET', url: '/api/v1/notifications', tag: 'security', access: 'session',
      summary: 'The notification inbox, newest first',
      query: z.object({ unread: z.enum(['1', '0', 'true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      handler: async ({ session, query }) => ({
        notifications: await store.notifications.list(s(session).accountId, { limit: query.limit, unreadOnly: query.unread === '1' || query.unread === 'true' }),
      }),
    }),
    route({
      method: 'POST', url: '/api/v1/notifications/read', tag: 'security', access: 'session',
      summary: 'Mark notifications read (ids, or all)',
      body: z.object({ ids: z.union([z.array(z.string().max(64)).max(500), z.literal('all')]) }).strict(),
      handler: async ({ session, body }) => {
        const accountId = s(session).accountId;
        const ids = body.ids === 'all' ? (await store.notifications.list(accountId, { limit: 1000, unreadOnly: true })).map((n) => n.id) : body.ids;
        return { marked: await store.notifications.markRead(accountId, ids, deps.now()) };
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/account/ip-allowlist', tag: 'security', access: 'fresh',
      summary: 'Set the addresses that may sign in and use the app API (null or [] for any); your current address must be on it',
      body: z.object({ cidrs: z.array(cidr).max(100).nullable() }).strict(),
      handler: async ({ session, body, req }) => {
        const list = body.cidrs === null || body.cidrs.length === 0 ? null : body.cidrs.map((c) => (c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`));
        const ip = clientAddress(req);
        if (list !== null && !isAddressAllowed(list, ip)) throw new KeywardError('KW_INPUT_INVALID', `Your current address ${ip} is not on the list; you would be locked out.`);
        await store.accounts.setIpAllowlist(s(session).accountId, list);
        deps.notify(s(session).accountId, 'ip-allowlist-changed', { ip, count: list?.length ?? 0 });
        return { cidrs: list };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/account/second-factors', tag: 'security', access: 'session',
      summary: 'Second factors: TOTP, passkeys, and how many recovery codes are left',
      handler: async ({ session }) => {
        const rows = await store.secondFactors.list(s(session).accountId);
        return {
          totp: rows.filter((r) => r.kind === 'totp').map((r) => ({ id: r.id, label: r.label, createdAt: r.createdAt, usedAt: r.usedAt })),
          passkeys: rows.filter((r) => r.kind === 'passkey').map((r) => ({ id: r.id, label: r.label, createdAt: r.createdAt, usedAt: r.usedAt })),
          recoveryCodesLeft: rows.filter((r) => r.kind === 'recovery' && r.usedAt === null).length,
        };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/account/totp', tag: 'security', access: 'fresh',
      summary: 'Start TOTP enrolment: a new seed as an otpauth URI and QR code (SVG), shown once',
      handler: async ({ session }) => {
        const a = s(session).account;
        const seed: SecureBuffer = newTotpSeed();
        const factorId = randomBytes(16).toString('hex');
        try {
          enrolling.set(a.id, { sealed: deps.keys.sealTotpSeed(seed, a.id, factorId), factorId, expiresAt: deps.now() + 10 * 60_000 });
          const uri = otpauthUri(seed, a.email ?? a.id);
          return { otpauthUri: uri, qrSvg: await enrolmentQr(uri), confirmBy: deps.now() + 10 * 60_000 };
        } finally {
          seed.release();
        }
      },
    }),
    route({
      method: 'POST', url: '/api/v1/account/totp/confirm', tag: 'security', access: 'fresh',
      summary: 'Finish TOTP enrolment with the first code; answers recovery codes (shown once) if the account had none',
      body: z.object({ code: z.string().max(10), label: z.string().trim().max(60).default('Authenticator app') }).strict(),
      handler: async ({ session, body }) => {
        const a = s(session).account;
        const e = enrolling.get(a.id);
        if (e === undefined || e.expiresAt < deps.now()) throw new KeywardError('KW_SECOND_FACTOR_INVALID', 'Start the enrolment again.');
        const seed = deps.keys.openTotpSeed(e.sealed, a.id, e.factorId);
        let step: number;
        try {
          const r = verifyTotp(seed, body.code, deps.now(), null);
          if (!r.ok) throw new KeywardError('KW_SECOND_FACTOR_INVALID', 'That code does not match; check the clock of the device.');
          step = r.step;
        } finally {
          seed.release();
        }
        enrolling.delete(a.id);
        await store.secondFactors.insert({
          id: e.factorId, accountId: a.id, kind: 'totp', label: body.label, secret: e.sealed, credentialId: null, counter: null,
          lastStep: step, transports: null, createdAt: deps.now(), usedAt: null,
        });
        const recovery = await ensureRecoveryCodes(deps, a.id, false);
        deps.notify(a.id, 'second-factor-changed', { change: 'authenticator app added' });
        return { enrolled: true, recoveryCodes: recovery };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/account/recovery-codes', tag: 'security', access: 'fresh',
      summary: 'Replace the recovery codes; the new ones are shown once',
      handler: async ({ session }) => {
        const codes = await ensureRecoveryCodes(deps, s(session).accountId, true);
        deps.notify(s(session).accountId, 'second-factor-changed', { change: 'recovery codes replaced' });
        return { recoveryCodes: codes };
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/account/second-factors/:id', tag: 'security', access: 'fresh',
      summary: 'Remove a TOTP authenticator or passkey',
      params: z.object({ id: z.string().max(64) }).strict(),
      handler: async ({ session, params }) => {
        const row = (await store.secondFactors.list(s(session).accountId)).find((r) => r.id === params.id && r.kind !== 'recovery');
        if (row === undefined) throw new KeywardError('KW_NOT_FOUND', 'No such second factor.');
        await store.secondFactors.remove(row.id);
        const left = (await store.secondFactors.list(s(session).accountId)).filter((r) => r.kind !== 'recovery');
        if (left.length === 0) await store.secondFactors.removeKind(s(session).accountId, 'recovery');
        deps.notify(s(session).accountId, 'second-factor-changed', { change: `${row.kind} removed` });
        return undefined;
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/account/password', tag: 'security', access: 'fresh',
      summary: 'Change the password: the client sends the user key rewrapped under the new password; nothing else changes',
      body: z.object({ salt: b64url(KDF_SALT_BYTES), kdf: z.object({ memoryKiB: z.number().int(), iterations: z.number().int() }).strict(), authKey: b64url(32), wrappedUserKey: b64url(WRAPPED_KEY_BYTES) }).strict(),
      handler: async ({ session, body }) => {
        const a = s(session).account;
        if (body.kdf.memoryKiB < a.kdfMemoryKiB || body.kdf.iterations < a.kdfIterations) throw new KeywardError('KW_KDF_PARAMS_REFUSED', 'A new password keeps at least the current parameters.');
        const hash = await hashAuthKeyField(body.authKey, deps.authHash);
        const ok = await store.accounts.updateKeyWrap(a.id, a.revision, {
          kdfMemoryKiB: body.kdf.memoryKiB, kdfIterations: body.kdf.iterations, salt: Buffer.from(body.salt, 'base64url'),
          wrappedUserKey: Buffer.from(body.wrappedUserKey, 'base64url'), authKeyHash: hash, updatedAt: deps.now(),
        });
        if (!ok) throw new KeywardError('KW_VAULT_CONFLICT');
        const ended = await deps.sessions.endAll(a.id, 'password changed', s(session).id);
        deps.notify(a.id, 'password-changed', { otherSessionsEnded: ended });
        return { otherSessionsEnded: ended };
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/account/email', tag: 'security', access: 'fresh',
      summary: "Change the account's e-mail address (the old address is told)",
      body: z.object({ email: emailSchema }).strict(),
      handler: async ({ session, body }) => {
        const a = s(session).account;
        await store.accounts.setEmail(a.id, body.email);
        // Told at the old address, so a hijacker changing it cannot hide the change.
        if (a.email !== null) deps.notify(a.id, 'email-changed', { to: body.email }, { address: a.email });
        return { email: body.email };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/account/break-glass', tag: 'security', access: 'session', rateLimitPerMinute: 10,
      summary: 'Emergency stop: revoke every token, wipe every unlocked key of the account, end every session (this one too), notify',
      body: z.object({ confirm: z.literal('BREAK GLASS') }).strict(),
      handler: async ({ session }) => {
        const accountId = s(session).accountId;
        const started = performance.now();
        const revoked = await store.tokens.revokeAll(accountId, deps.now());
        breakGlassHook(accountId);
        deps.keyRing.dropAccount(accountId);
        const ended = await deps.sessions.endAll(accountId, 'break-glass');
        const tookMs = performance.now() - started;
        deps.notify(accountId, 'break-glass', { tokensRevoked: revoked, sessionsEnded: ended });
        return { tokensRevoked: revoked, sessionsEnded: ended, tookMs: Math.round(tookMs * 10) / 10 };
      },
    }),
  ];
}

/** Recovery codes: made once with the first second factor, or replaced on request. */
export async function ensureRecoveryCodes(deps: ApiDeps, accountId: string, replace: boolean): Promise<readonly string[] | null> {
  const { store } = deps;
  const existing = (await store.secondFactors.list(accountId)).filter((r) => r.kind === 'recovery');
  if (existing.length > 0 && !replace) return null;
  await store.secondFactors.removeKind(accountId, 'recovery');
  const { codes, hashes } = generateRecoveryCodes(deps.keys.recoveryKey, accountId);
  for (const h of hashes) {
    await store.secondFactors.insert({
      id: randomBytes(16).toString('hex'), accountId, kind: 'recovery', label: 'recovery code', secret: h, credentialId: null, counter: null,
      lastStep: null, transports: null, createdAt: deps.now(), usedAt: null,
    });
  }
  return codes;
}
