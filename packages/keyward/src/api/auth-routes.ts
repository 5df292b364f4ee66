// Sign-up, sign-in and the session's keys (docs/server.md "Sign-up and sign-in"). The server sees the
// client's auth key (checked against an Argon2id hash) and, for sealed custody, the user key at
// unlock; never the password, the master key or the encryption key. Throttling answers before any
// Argon2id work, and an unknown address gets the same kind of answer as a known one.
import { KDF_DEFAULTS, KDF_SALT_BYTES, WRAPPED_KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { z } from 'zod';
import { authenticationOptions, createChallengeStore, verifyAuthentication, verifyTotp, verifyRecoveryCode, type AttemptKey } from '../accounts/index.js';
import { SecureBuffer, equal, hashAuthKey, randomBytes, verifyAuthKey, type AuthHashParams } from '../crypto/index.js';
import { userKeyCheckOf } from '../vault/index.js';
import type { AccountRow } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { DEVICE_COOKIE, SESSION_COOKIE, clientAddress } from './http.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

const b64url = (bytes: number) => z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url').refine((s) => Buffer.from(s, 'base64url').length === bytes, `${String(bytes)} bytes, base64url`);
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
const kdfSchema = z.object({ memoryKiB: z.number().int(), iterations: z.number().int() }).strict();

/** A base64url field decoded into secure memory; the decoding buffer is wiped. */
export function secureField(text: string): SecureBuffer {
  return SecureBuffer.from(Buffer.from(text, 'base64url'), { wipeSource: true });
}

/** The Argon2id hash stored for a client's auth key (a base64url field); the decoded key is wiped. */
export async function hashAuthKeyField(text: string, params: AuthHashParams): Promise<string> {
  const authKey = secureField(text);
  try {
    return await hashAuthKey(authKey, params);
  } finally {
    authKey.release();
  }
}

/** Whether an auth key field matches a stored hash (false for a malformed one); the decoded key is wiped. */
export async function authKeyMatches(stored: string, text: string): Promise<boolean> {
  const authKey = secureField(text);
  try {
    return await verifyAuthKey(stored, authKey);
  } finally {
    authKey.release();
  }
}

const TICKET_TTL_MS = 5 * 60_000;

interface SecondFactorBody { totp?: string | undefined; recoveryCode?: string | undefined; passkey?: Record<string, unknown> | undefined }
const passkeyResponse = z.record(z.string(), z.unknown()).refine((o) => JSON.stringify(o).length < 16_384, 'too large');
const oneFactor = (b: SecondFactorBody): boolean => [b.totp, b.recoveryCode, b.passkey].filter((x) => x !== undefined).length === 1;

interface PendingSignIn { accountId: string; factors: string[]; expiresAt: number; known: boolean }

export function publicAccount(a: AccountRow): { id: string; email: string | null; kdf: { memoryKiB: number; iterations: number }; salt: string; wrappedUserKey: string } {
  return {
    id: a.id, email: a.email, kdf: { memoryKiB: a.kdfMemoryKiB, iterations: a.kdfIterations },
    salt: Buffer.from(a.salt).toString('base64url'), wrappedUserKey: Buffer.from(a.wrappedUserKey).toString('base64url'),
  };
}

export function authRoutes(deps: ApiDeps): RouteDef[] {
  const { store } = deps;
  const pending = new Map<string, PendingSignIn>();
  // A hash of random bytes under this server's own parameters, verified against when the address
  // is unknown: the same Argon2id work as for a real account. Made on first use, not at start.
  let dummyHash: Promise<string> | null = null;
  const dummy = (): Promise<string> => (dummyHash ??= hashAuthKeyField(randomBytes(32).toString('base64url'), deps.authHash));
  // Passkey challenges, each answerable once: keyed by sign-in ticket or by session (re-auth).
  const challenges = createChallengeStore({ now: deps.now });

  const userAgentOf = (ctx: RouteContext<unknown, unknown, unknown>): string => String(ctx.req.headers['user-agent'] ?? '').slice(0, 300);

  /** A device id cookie that outlives sessions, so a sign-in from a new browser can be told apart. */
  function deviceOf(ctx: RouteContext<unknown, unknown, unknown>): { id: string; isNew: boolean } {
    const existing = ctx.req.cookies[DEVICE_COOKIE];
    if (existing !== undefined && /^[A-Za-z0-9_-]{22}$/.test(existing)) return { id: existing, isNew: false };
    const id = randomBytes(16).toString('base64url');
    void ctx.reply.setCookie(DEVICE_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, path: '/', maxAge: 400 * 24 * 3600 });
    return { id, isNew: true };
  }

  async function attemptKey(ctx: RouteContext<unknown, unknown, unknown>, account: string, device: { id: string }): Promise<AttemptKey> {
    const acct = await store.accounts.findByEmail(account);
    const knownDevice = acct !== undefined && (await store.sessions.knownDevice(acct.id, deps.keys.sessionHash(Buffer.from(device.id))));
    return { account, address: clientAddress(ctx.req), knownDevice };
  }

  function throttled(key: AttemptKey): void {
    const d = deps.throttle.check(key);
    if (!d.allowed) {
      throw Object.assign(new KeywardError('KW_AUTH_THROTTLED', `Try again in ${String(d.retryAfterSeconds)} s.`), { retryAfterSeconds: d.retryAfterSeconds });
    }
  }

  async function factorsOf(accountId: string): Promise<string[]> {
    const rows = await store.secondFactors.list(accountId);
    const kinds = new Set(rows.filter((r) => r.kind !== 'recovery' || r.usedAt === null).map((r) => r.kind));
    return ['totp', 'passkey', 'recovery'].filter((k) => kinds.has(k as 'totp'));
  }

  async function beginSession(ctx: RouteContext<unknown, unknown, unknown>, account: AccountRow, device: { id: string; isNew: boolean }) {
    const ip = clientAddress(ctx.req);
    const deviceHash = deps.keys.sessionHash(Buffer.from(device.id));
    const knownDevice = await store.sessions.knownDevice(account.id, deviceHash);
    const knownAddress = await store.sessions.knownAddress(account.id, ip);
    const started = await deps.sessions.start(account.id, { ip, userAgent: userAgentOf(ctx), device: device.id });
    void ctx.reply.setCookie(SESSION_COOKIE, started.cookie, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, path: '/' });
    const facts = { ip, userAgent: userAgentOf(ctx).slice(0, 120), at: deps.now() };
    deps.notify(account.id, !knownDevice || !knownAddress ? 'new-device' : 'sign-in', facts);
    return {
      account: publicAccount(account),
      csrfToken: started.csrf,
      session: { expiresAt: started.row.expiresAt, unlocked: false },
    };
  }

  async function passkeyOptions(accountId: string, challengeKey: string) {
    const keys = (await store.secondFactors.list(accountId)).filter((f) => f.kind === 'passkey' && f.credentialId !== null);
    if (keys.length === 0) throw new KeywardError('KW_PASSKEY_INVALID', 'This account has no passkey.');
    const options = await authenticationOptions({ rpId: deps.passkeys.rpId, allowCredentials: keys.map((k) => k.credentialId as string) });
    challenges.put(challengeKey, options.challenge);
    return options;
  }

  async function checkSecondFactor(account: AccountRow, body: SecondFactorBody, challengeKey: string): Promise<boolean> {
    const factors = await store.secondFactors.list(account.id);
    if (body.passkey !== undefined) {
      const response = body.passkey as unknown as Parameters<typeof verifyAuthentication>[0]['response'];
      const f = factors.find((x) => x.kind === 'passkey' && x.credentialId === response.id);
      if (f === undefined) return false;
      const { newCounter } = await verifyAuthentication({
        response, expectedChallenge: challenges.take(challengeKey), origin: deps.passkeys.origin, rpId: deps.passkeys.rpId,
        credential: { id: f.credentialId as string, publicKey: f.secret, counter: f.counter ?? 0 },
      });
      if (!await store.secondFactors.updatePasskeyCounter(f.id, newCounter, deps.now())) throw new KeywardError('KW_PASSKEY_CLONED');
      return true;
    }
    if (body.totp !== undefined) {
      for (const f of factors.filter((x) => x.kind === 'totp' && x.secret !== null)) {
        const seed = deps.keys.openTotpSeed(f.secret as Uint8Array, account.id, f.id);
        try {
          const r = verifyTotp(seed, body.totp, deps.now(), f.lastStep);
          // The conditional write is what makes a code single-use, across processes too.
          if (r.ok && await store.secondFactors.advanceTotpStep(f.id, r.step)) return true;
        } finally {
          seed.release();
        }
      }
      return false;
    }
    if (body.recoveryCode !== undefined) {
      const codes = factors.filter((x) => x.kind === 'recovery');
      const i = verifyRecoveryCode(deps.keys.recoveryKey, account.id, body.recoveryCode, codes.map((c) => (c.usedAt === null ? c.secret : null)));
      const hit = i === null ? undefined : codes[i];
      return hit !== undefined && await store.secondFactors.consumeRecovery(hit.id, deps.now());
    }
    return false;
  }

  return [
    route({
      method: 'POST', url: '/api/v1/auth/prelogin', tag: 'auth', access: 'none', rateLimitPerMinute: 60,
      summary: 'Key-derivation parameters for an e-mail address (the same shape whether or not it has an account)',
      body: z.object({ email: emailSchema }).strict(),
      handler: async ({ body }) => {
        const a = await store.accounts.findByEmail(body.email);
        if (a !== undefined) return { accountId: a.id, salt: Buffer.from(a.salt).toString('base64url'), kdf: { memoryKiB: a.kdfMemoryKiB, iterations: a.kdfIterations } };
        return {
          accountId: deps.keys.fakeAccountId(body.email), salt: Buffer.from(deps.keys.fakeSalt(body.email)).toString('base64url'),
          kdf: { memoryKiB: KDF_DEFAULTS.memoryKiB, iterations: KDF_DEFAULTS.iterations },
        };
      },
    }),

    route({
      method: 'POST', url: '/api/v1/auth/signup', tag: 'auth', access: 'none', rateLimitPerMinute: 20, status: 201,
      summary: 'Create an account from client-derived keys; starts a session',
      body: z.object({
        email: emailSchema,
        accountId: z.string().regex(/^[0-9a-f]{32}$/, '32 hex characters'),
        salt: b64url(KDF_SALT_BYTES),
        kdf: kdfSchema,
        authKey: b64url(32),
        wrappedUserKey: b64url(WRAPPED_KEY_BYTES),
        userKeyCheck: b64url(32),
      }).strict(),
      handler: async (ctx) => {
        const { body } = ctx;
        if (body.kdf.memoryKiB < KDF_DEFAULTS.memoryKiB || body.kdf.iterations < KDF_DEFAULTS.iterations) {
          throw new KeywardError('KW_KDF_PARAMS_REFUSED', `New accounts use at least m=${String(KDF_DEFAULTS.memoryKiB)} KiB, t=${String(KDF_DEFAULTS.iterations)}.`);
        }
        const hash = await hashAuthKeyField(body.authKey, deps.authHash);
        const at = deps.now();
        const account: AccountRow = {
          id: body.accountId, name: body.email, email: body.email, kdfMemoryKiB: body.kdf.memoryKiB, kdfIterations: body.kdf.iterations,
          salt: Buffer.from(body.salt, 'base64url'), wrappedUserKey: Buffer.from(body.wrappedUserKey, 'base64url'), authKeyHash: hash,
          userKeyCheck: Buffer.from(body.userKeyCheck, 'base64url'), ipAllowlist: null, revision: 0, createdAt: at, updatedAt: at,
        };
        await store.accounts.insert(account);
        await deps.tokens.root(account.id);
        ctx.reply.code(201);
        return beginSession(ctx as RouteContext<unknown, unknown, unknown>, account, deviceOf(ctx as RouteContext<unknown, unknown, unknown>));
      },
    }),

    route({
      method: 'POST', url: '/api/v1/auth/signin', tag: 'auth', access: 'none', rateLimitPerMinute: 60,
      summary: 'Sign in with the client-derived auth key; answers a session or a second-factor ticket',
      body: z.object({ email: emailSchema, authKey: b64url(32) }).strict(),
      handler: async (ctx) => {
        const c = ctx as RouteContext<unknown, unknown, unknown>;
        const device = deviceOf(c);
        const key = await attemptKey(c, ctx.body.email, device);
        throttled(key);
        const account = await store.accounts.findByEmail(ctx.body.email);
        // An unknown address still costs one Argon2id verification, so timing does not tell.
        const ok = await authKeyMatches(account?.authKeyHash ?? await dummy(), ctx.body.authKey) && account !== undefined;
        if (!ok || account === undefined) {
          deps.throttle.fail(key);
          throw new KeywardError('KW_AUTH_FAILED');
        }
        const factors = await factorsOf(account.id);
        if (factors.length > 0) {
          const ticket = randomBytes(32).toString('base64url');
          pending.set(ticket, { accountId: account.id, factors, expiresAt: deps.now() + TICKET_TTL_MS, known: key.knownDevice });
          for (const [t, p] of pending) if (p.expiresAt < deps.now()) pending.delete(t);
          return { secondFactor: factors, ticket };
        }
        deps.throttle.succeed(key);
        return beginSession(c, account, device);
      },
    }),

    route({
      method: 'POST', url: '/api/v1/auth/signin/second-factor', tag: 'auth', access: 'none', rateLimitPerMinute: 60,
      summary: 'Finish signing in with a TOTP code or a recovery code',
      body: z.object({ ticket: z.string().min(10).max(100), totp: z.string().max(10).optional(), recoveryCode: z.string().max(40).optional(), passkey: passkeyResponse.optional() }).strict()
        .refine(oneFactor, 'give exactly one of totp, recoveryCode or passkey'),
      handler: async (ctx) => {
        const c = ctx as RouteContext<unknown, unknown, unknown>;
        const p = pending.get(ctx.body.ticket);
        if (p === undefined || p.expiresAt < deps.now()) throw new KeywardError('KW_SECOND_FACTOR_INVALID', 'The sign-in ticket expired; sign in again.');
        const account = await store.accounts.findById(p.accountId);
        if (account === undefined) throw new KeywardError('KW_SECOND_FACTOR_INVALID');
        const key: AttemptKey = { account: account.email ?? account.id, address: clientAddress(c.req), knownDevice: p.known };
        throttled(key);
        if (!await checkSecondFactor(account, ctx.body, `signin:${ctx.body.ticket}`)) {
          deps.throttle.fail(key);
          throw new KeywardError('KW_SECOND_FACTOR_INVALID');
        }
        pending.delete(ctx.body.ticket);
        deps.throttle.succeed(key);
        return beginSession(c, account, deviceOf(c));
      },
    }),

    route({
      method: 'POST', url: '/api/v1/auth/signin/passkey-options', tag: 'auth', access: 'none', rateLimitPerMinute: 60,
      summary: 'WebAuthn options for finishing a sign-in with a passkey (answer them in /auth/signin/second-factor)',
      body: z.object({ ticket: z.string().min(10).max(100) }).strict(),
      handler: async ({ body }) => {
        const p = pending.get(body.ticket);
        if (p === undefined || p.expiresAt < deps.now()) throw new KeywardError('KW_SECOND_FACTOR_INVALID', 'The sign-in ticket expired; sign in again.');
        return passkeyOptions(p.accountId, `signin:${body.ticket}`);
      },
    }),

    route({
      method: 'POST', url: '/api/v1/session/passkey-options', tag: 'auth', access: 'session',
      summary: 'WebAuthn options for re-authenticating this session with a passkey (answer them in /session/reauth)',
      handler: async ({ session }) => {
        const s = session as ActiveSession;
        return passkeyOptions(s.accountId, `reauth:${s.id}`);
      },
    }),

    route({
      method: 'POST', url: '/api/v1/auth/signout', tag: 'auth', access: 'session',
      summary: 'End this session and wipe the keys it unlocked',
      handler: async ({ session, reply }) => {
        await deps.sessions.end((session as ActiveSession).id, 'signed out');
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return undefined;
      },
    }),

    route({
      method: 'GET', url: '/api/v1/session', tag: 'auth', access: 'session',
      summary: 'This session, its account, a fresh CSRF token, and whether its keys are unlocked',
      handler: async ({ session, ip }) => {
        const s = session as ActiveSession;
        return {
          account: publicAccount(s.account), csrfToken: await deps.sessions.rotateCsrf(s),
          ipAllowlist: s.account.ipAllowlist, address: ip,
          session: { id: s.id.slice(0, 16), expiresAt: s.row.expiresAt, unlocked: deps.keyRing.hasSession(s.id), fresh: deps.sessions.isFresh(s) },
        };
      },
    }),

    route({
      method: 'POST', url: '/api/v1/session/unlock', tag: 'auth', access: 'session',
      summary: 'Hand this session the user key (sealed custody); it is held in locked memory until the session ends',
      body: z.object({ userKey: b64url(32) }).strict(),
      handler: async ({ session, body }) => {
        const s = session as ActiveSession;
        const userKey = secureField(body.userKey);
        const check = s.account.userKeyCheck;
        let ok = false;
        try {
          ok = check !== null && equal(userKeyCheckOf(userKey), check);
        } catch {
          ok = false;
        }
        if (!ok) {
          userKey.release();
          throw new KeywardError('KW_VAULT_WRONG_PASSWORD', 'That key does not belong to this account.');
        }
        deps.keyRing.put(s.accountId, s.id, userKey);
        return { unlocked: true };
      },
    }),

    route({
      method: 'POST', url: '/api/v1/session/reauth', tag: 'auth', access: 'session', rateLimitPerMinute: 30,
      summary: 'Confirm the password (and second factor) again before a sensitive change',
      body: z.object({ authKey: b64url(32), totp: z.string().max(10).optional(), recoveryCode: z.string().max(40).optional(), passkey: passkeyResponse.optional() }).strict(),
      handler: async (ctx) => {
        const s = ctx.session as ActiveSession;
        const key: AttemptKey = { account: s.account.email ?? s.accountId, address: clientAddress(ctx.req), knownDevice: true };
        throttled(key);
        let ok = s.account.authKeyHash !== null && await authKeyMatches(s.account.authKeyHash, ctx.body.authKey);
        if (ok && (await factorsOf(s.accountId)).length > 0) ok = oneFactor(ctx.body) && await checkSecondFactor(s.account, ctx.body, `reauth:${s.id}`);
        if (!ok) {
          deps.throttle.fail(key);
          throw new KeywardError('KW_AUTH_FAILED');
        }
        deps.throttle.succeed(key);
        await deps.sessions.markFresh(s.id);
        return { freshUntil: deps.now() + 5 * 60_000 };
      },
    }),
  ];
}

