// Passkeys end to end against a software authenticator: what a browser would send, checked the way
// the server will check it, and each forgery refused with its own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeywardError, type ErrorCode } from '@keyward/protocol/errors';
import { VirtualAuthenticator } from '../testing/index.js';
import {
  authenticationOptions, createChallengeStore, registrationOptions, verifyAuthentication, verifyRegistration,
  type AuthenticationResponseJSON, type RegisteredPasskey,
} from './index.js';

const RP = { rpId: 'keyward.test', rpName: 'Keyward', origin: 'https://keyward.test' };
const ACCOUNT = '0123456789abcdef0123456789abcdef';

async function register(authenticator: VirtualAuthenticator): Promise<RegisteredPasskey> {
  const options = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  return verifyRegistration({ response: authenticator.register(options, RP.origin), expectedChallenge: options.challenge, origin: RP.origin, rpId: RP.rpId });
}

/** One sign-in: options, the authenticator's answer, the challenge the server kept. */
async function signIn(authenticator: VirtualAuthenticator, passkey: RegisteredPasskey, origin = RP.origin) {
  const options = await authenticationOptions({ rpId: RP.rpId, allowCredentials: [passkey.credentialId] });
  return { options, response: authenticator.authenticate(options, origin), expectedChallenge: options.challenge as string | null };
}

function check(response: AuthenticationResponseJSON, expectedChallenge: string | null, passkey: RegisteredPasskey, counter = passkey.counter) {
  return verifyAuthentication({
    response, expectedChallenge, origin: RP.origin, rpId: RP.rpId,
    credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter },
  });
}

function refusedWith(code: ErrorCode, detail?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isKeywardError(e), `expected a KeywardError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (detail !== undefined) assert.match(e.message, detail);
    return true;
  };
}

function tamper(base64url: string, index: number): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

test('options require user verification, ask for no attestation and exclude passkeys already registered', async () => {
  const options = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: ['AAEC'] });
  assert.equal(options.authenticatorSelection?.userVerification, 'required');
  assert.equal(options.attestation, 'none');
  assert.deepEqual(options.excludeCredentials?.map((c) => c.id), ['AAEC']);
  assert.deepEqual(options.pubKeyCredParams.map((p) => p.alg).sort((a, b) => a - b), [-257, -8, -7]);
  assert.equal(Buffer.from(options.user.id, 'base64url').toString('utf8'), ACCOUNT);
  const signIn = await authenticationOptions({ rpId: RP.rpId, allowCredentials: ['AAEC'] });
  assert.equal(signIn.userVerification, 'required');
  assert.notEqual(signIn.challenge, options.challenge);
});

test('a passkey registers, then signs in, and its counter goes up each time', async () => {
  const authenticator = new VirtualAuthenticator();
  const passkey = await register(authenticator);
  assert.equal(passkey.credentialId, authenticator.credentialId);
  assert.equal(passkey.counter, 0);
  assert.deepEqual(passkey.transports, ['internal']);
  const options = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [passkey.credentialId] });
  const odd = new VirtualAuthenticator().register(options, RP.origin);
  const hinted = await verifyRegistration({
    response: { ...odd, response: { ...odd.response, transports: ['usb', 'telepathy', 'usb'.repeat(9)] } }, expectedChallenge: options.challenge, origin: RP.origin, rpId: RP.rpId,
  });
  assert.deepEqual(hinted.transports, ['usb']);
  const first = await signIn(authenticator, passkey);
  assert.deepEqual(await check(first.response, first.expectedChallenge, passkey), { newCounter: 1 });
  const second = await signIn(authenticator, passkey);
  assert.deepEqual(await check(second.response, second.expectedChallenge, passkey, 1), { newCounter: 2 });
});

test('a response made for another origin or another site is refused', async () => {
  const authenticator = new VirtualAuthenticator();
  const options = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  await assert.rejects(verifyRegistration({
    response: authenticator.register(options, 'https://keyward.test.evil.example'), expectedChallenge: options.challenge, origin: RP.origin, rpId: RP.rpId,
  }), refusedWith('KW_PASSKEY_INVALID', /another origin/));

  const passkey = await register(authenticator);
  const phished = await signIn(authenticator, passkey, 'https://keyward-login.example');
  await assert.rejects(check(phished.response, phished.expectedChallenge, passkey), refusedWith('KW_PASSKEY_INVALID', /another origin/));
  const otherSite = await authenticationOptions({ rpId: 'evil.example', allowCredentials: [passkey.credentialId] });
  await assert.rejects(check(authenticator.authenticate(otherSite, RP.origin), otherSite.challenge, passkey), refusedWith('KW_PASSKEY_INVALID', /another site/));
});

test('a response to another challenge is refused, at registration and at sign-in', async () => {
  const authenticator = new VirtualAuthenticator();
  const issued = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  const attackers = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  await assert.rejects(verifyRegistration({
    response: authenticator.register(attackers, RP.origin), expectedChallenge: issued.challenge, origin: RP.origin, rpId: RP.rpId,
  }), refusedWith('KW_PASSKEY_CHALLENGE_INVALID', /another challenge/));

  const passkey = await register(authenticator);
  const kept = await signIn(authenticator, passkey);
  const other = await signIn(authenticator, passkey);
  await assert.rejects(check(other.response, kept.expectedChallenge, passkey, 1), refusedWith('KW_PASSKEY_CHALLENGE_INVALID'));
});

test('a challenge is taken once: a replayed response finds no challenge, or the wrong one', async () => {
  const challenges = createChallengeStore({ now: () => 1_000 });
  const authenticator = new VirtualAuthenticator();
  const passkey = await register(authenticator);
  const { options, response } = await signIn(authenticator, passkey);
  challenges.put('ticket-1', options.challenge);

  const { newCounter } = await check(response, challenges.take('ticket-1'), passkey);
  await assert.rejects(check(response, challenges.take('ticket-1'), { ...passkey, counter: newCounter }), refusedWith('KW_PASSKEY_CHALLENGE_INVALID', /no open challenge/));
  const fresh = await authenticationOptions({ rpId: RP.rpId, allowCredentials: [passkey.credentialId] });
  challenges.put('ticket-2', fresh.challenge);
  await assert.rejects(check(response, challenges.take('ticket-2'), { ...passkey, counter: newCounter }), refusedWith('KW_PASSKEY_CHALLENGE_INVALID', /another challenge/));
});

test('a cloned authenticator is caught when its counter falls behind the original\'s', async () => {
  const original = new VirtualAuthenticator();
  const passkey = await register(original);
  const clone = original.clone();
  let stored = passkey.counter;
  for (let i = 0; i < 2; i++) {
    const { response, expectedChallenge } = await signIn(original, passkey);
    stored = (await check(response, expectedChallenge, passkey, stored)).newCounter;
  }
  const copied = await signIn(clone, passkey);
  assert.equal(clone.signCount, 1);
  await assert.rejects(check(copied.response, copied.expectedChallenge, passkey, stored), refusedWith('KW_PASSKEY_CLONED'));
  // A counter equal to the stored one is no better.
  const again = await signIn(clone, passkey);
  await assert.rejects(check(again.response, again.expectedChallenge, passkey, stored), refusedWith('KW_PASSKEY_CLONED', /is 2, and it was already 2/));
});

test('a tampered signature, or authenticator data altered to raise the counter, does not verify', async () => {
  const authenticator = new VirtualAuthenticator();
  const passkey = await register(authenticator);
  const { response, expectedChallenge } = await signIn(authenticator, passkey);
  const badSignature = { ...response, response: { ...response.response, signature: tamper(response.response.signature, 20) } };
  await assert.rejects(check(badSignature, expectedChallenge, passkey), refusedWith('KW_PASSKEY_INVALID', /did not verify|does not verify/));
  // A clone that edits its counter upwards breaks the signature, which covers authenticator data.
  const raised = { ...response, response: { ...response.response, authenticatorData: tamper(response.response.authenticatorData, 35) } };
  await assert.rejects(check(raised, expectedChallenge, passkey), refusedWith('KW_PASSKEY_INVALID'));
  // An unsigned low counter is a forgery, not evidence about the owner's passkey: no clone alarm.
  const lowered = { ...response, response: { ...response.response, authenticatorData: tamper(response.response.authenticatorData, 36) } };
  await assert.rejects(check(lowered, expectedChallenge, passkey, 1), refusedWith('KW_PASSKEY_INVALID'));
  assert.deepEqual(await check(response, expectedChallenge, passkey), { newCounter: 1 });
});

test('an authenticator that does not verify the user is refused at registration and at sign-in', async () => {
  const weak = new VirtualAuthenticator({ userVerified: false });
  const options = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  await assert.rejects(verifyRegistration({ response: weak.register(options, RP.origin), expectedChallenge: options.challenge, origin: RP.origin, rpId: RP.rpId }),
    refusedWith('KW_PASSKEY_INVALID', /did not verify the user/));
  // As if it had been registered anyway (say, before this rule): sign-in still asks for verification.
  const stored: RegisteredPasskey = { credentialId: weak.credentialId, publicKey: weak.publicKey, counter: 0, transports: [] };
  const { response, expectedChallenge } = await signIn(weak, stored);
  await assert.rejects(check(response, expectedChallenge, stored), refusedWith('KW_PASSKEY_INVALID', /did not verify the user/));
});

test('a response from another passkey, or whose id is not the signed one, is refused', async () => {
  const mine = new VirtualAuthenticator();
  const passkey = await register(mine);
  const someoneElses = new VirtualAuthenticator();
  await register(someoneElses);
  const options = await authenticationOptions({ rpId: RP.rpId, allowCredentials: [] });
  await assert.rejects(check(someoneElses.authenticate(options, RP.origin), options.challenge, passkey), refusedWith('KW_PASSKEY_INVALID', /another passkey/));

  const reg = await registrationOptions({ ...RP, accountId: ACCOUNT, userName: 'ada@example.com', existingCredentialIds: [] });
  const response = new VirtualAuthenticator().register(reg, RP.origin);
  const renamed = { ...response, id: mine.credentialId, rawId: mine.credentialId };
  await assert.rejects(verifyRegistration({ response: renamed, expectedChallenge: reg.challenge, origin: RP.origin, rpId: RP.rpId }),
    refusedWith('KW_PASSKEY_INVALID', /not the one the authenticator signed/));
});

test('malformed responses are refused with KW_PASSKEY_INVALID before any decoding', async () => {
  const authenticator = new VirtualAuthenticator();
  const passkey = await register(authenticator);
  const { response, expectedChallenge } = await signIn(authenticator, passkey);
  const cases: unknown[] = [
    null,
    { ...response, rawId: 'AAAA' },
    { ...response, type: 'password' },
    { ...response, response: { ...response.response, clientDataJSON: 'not base64url!' } },
    { ...response, response: { ...response.response, signature: 'A'.repeat(70_000) } },
    { ...response, response: { ...response.response, clientDataJSON: Buffer.from('{"type":').toString('base64url') } },
    { ...response, response: { ...response.response, authenticatorData: 'AAAA' } },
  ];
  for (const bad of cases) {
    await assert.rejects(check(bad as AuthenticationResponseJSON, expectedChallenge, passkey), refusedWith('KW_PASSKEY_INVALID'));
  }
});
