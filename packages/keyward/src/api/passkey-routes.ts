// Passkeys (WebAuthn) as a second factor: enrolment here; sign-in and re-authentication answer
// passkey challenges in auth-routes.ts. The server keeps each passkey's public key and signature
// counter; a counter that goes backwards means a cloned authenticator and is refused.
import { KeywardError } from '@keyward/protocol/errors';
import { z } from 'zod';
import { createChallengeStore, registrationOptions, verifyRegistration } from '../accounts/index.js';
import { randomBytes } from '../crypto/index.js';
import type { ApiDeps } from './deps.js';
import { ensureRecoveryCodes } from './security-routes.js';
import { route, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

const MAX_PASSKEYS = 10;

export function passkeyRoutes(deps: ApiDeps): RouteDef[] {
  const { store } = deps;
  const challenges = createChallengeStore({ now: deps.now });
  const passkeysOf = async (accountId: string) => (await store.secondFactors.list(accountId)).filter((f) => f.kind === 'passkey');

  return [
    route({
      method: 'POST', url: '/api/v1/account/passkeys/options', tag: 'security', access: 'fresh',
      summary: 'WebAuthn registration options for adding a passkey (needs a fresh re-authentication)',
      handler: async ({ session }) => {
        const s = session as ActiveSession;
        const existing = await passkeysOf(s.accountId);
        if (existing.length >= MAX_PASSKEYS) throw new KeywardError('KW_INPUT_INVALID', `At most ${String(MAX_PASSKEYS)} passkeys per account.`);
        const options = await registrationOptions({
          rpId: deps.passkeys.rpId, rpName: deps.passkeys.rpName, accountId: s.accountId, userName: s.account.email ?? s.accountId,
          existingCredentialIds: existing.flatMap((f) => (f.credentialId === null ? [] : [f.credentialId])),
        });
        challenges.put(`register:${s.id}`, options.challenge);
        return options;
      },
    }),
    route({
      method: 'POST', url: '/api/v1/account/passkeys', tag: 'security', access: 'fresh', status: 201,
      summary: "Add a passkey from the authenticator's registration response",
      body: z.object({
        label: z.string().trim().min(1).max(60),
        response: z.record(z.string(), z.unknown()).refine((o) => JSON.stringify(o).length < 16_384, 'too large'),
      }).strict(),
      handler: async ({ session, body }) => {
        const s = session as ActiveSession;
        const registered = await verifyRegistration({
          response: body.response as unknown as Parameters<typeof verifyRegistration>[0]['response'],
          expectedChallenge: challenges.take(`register:${s.id}`), origin: deps.passkeys.origin, rpId: deps.passkeys.rpId,
        });
        if (await store.secondFactors.findByCredentialId(registered.credentialId) !== undefined) {
          throw new KeywardError('KW_PASSKEY_INVALID', 'This passkey is already registered.');
        }
        const id = randomBytes(16).toString('hex');
        await store.secondFactors.insert({
          id, accountId: s.accountId, kind: 'passkey', label: body.label, secret: registered.publicKey, credentialId: registered.credentialId,
          counter: registered.counter, lastStep: null, transports: JSON.stringify(registered.transports), createdAt: deps.now(), usedAt: null,
        });
        deps.notify(s.accountId, 'second-factor-changed', { change: `passkey "${body.label}" added` });
        // The first second factor, whichever kind, comes with recovery codes (shown this once).
        return { id, label: body.label, kind: 'passkey', recoveryCodes: await ensureRecoveryCodes(deps, s.accountId, false) };
      },
    }),
  ];
}
