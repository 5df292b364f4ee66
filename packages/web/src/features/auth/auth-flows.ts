// Sign-up and sign-in from the password to an unlocked session, joining ../../crypto and
// ../../api. Each key is wiped as soon as its step is done; the encryption key waits in this
// closure only while a second factor is asked for.
import { isSecondFactor, prelogin, signIn, signInPasskeyOptions, signInSecondFactor, signUp, unlock, type SecondFactor, type SessionAnswer } from '../../api/auth.js';
import { deriveSignIn, openUserKey, prepareSignUp, secretJsonBody, wipe, type KdfProgress } from '../../crypto/index.js';
import { getPasskeyAssertion } from '../../webauthn/index.js';
import { holdUserKey } from './held-keys.js';

async function unlockSession(userKey: Uint8Array): Promise<void> {
  const body = secretJsonBody({ userKey });
  try {
    await unlock(body);
  } finally {
    wipe(body);
  }
  holdUserKey(userKey);
}

/** The password bytes belong to the caller, who wipes them when this settles. */
export async function signUpAndUnlock(email: string, password: Uint8Array, onProgress: KdfProgress): Promise<SessionAnswer> {
  const { body, userKey } = await prepareSignUp(password, email, { onProgress });
  try {
    const session = await signUp(body);
    await unlockSession(userKey);
    return session;
  } catch (e) {
    wipe(userKey);
    throw e;
  }
}

async function openAndUnlock(session: SessionAnswer, encryptionKey: Uint8Array): Promise<SessionAnswer> {
  try {
    const userKey = await openUserKey(encryptionKey, session.account.wrappedUserKey, session.account.id);
    try {
      await unlockSession(userKey);
    } catch (e) {
      wipe(userKey);
      throw e;
    }
    return session;
  } finally {
    wipe(encryptionKey);
  }
}

export interface PendingSecondFactor {
  readonly factors: readonly string[];
  complete(factor: SecondFactor): Promise<SessionAnswer>;
  /** Asks the server for a challenge bound to this ticket, the browser for the passkey, then completes. */
  completeWithPasskey(): Promise<SessionAnswer>;
  cancel(): void;
}

export async function signInAndUnlock(email: string, password: Uint8Array, onProgress: KdfProgress): Promise<SessionAnswer | PendingSecondFactor> {
  const keys = await deriveSignIn(password, await prelogin(email), { onProgress });
  let answer;
  try {
    answer = await signIn(email, keys.authKey);
  } catch (e) {
    wipe(keys.encryptionKey);
    throw e;
  }
  if (!isSecondFactor(answer)) return openAndUnlock(answer, keys.encryptionKey);
  const { ticket, secondFactor } = answer;
  // A wrong code may be retried with the same ticket, so the key is kept until success or cancel.
  const complete = async (factor: SecondFactor): Promise<SessionAnswer> => openAndUnlock(await signInSecondFactor(ticket, factor), keys.encryptionKey);
  return {
    factors: secondFactor,
    complete,
    completeWithPasskey: async () => complete({ passkey: await getPasskeyAssertion(await signInPasskeyOptions(ticket)) }),
    cancel: () => wipe(keys.encryptionKey),
  };
}
