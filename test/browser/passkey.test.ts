// Passkeys in a real browser, with Chromium's virtual authenticator (CDP WebAuthn domain): enrol a
// passkey in the Security centre (through the password re-confirmation), sign out, sign in with the
// password and the passkey, then confirm a sensitive change on the Exchanges screen with the
// password and the passkey in the one shared re-authentication dialog.
// The app is opened at http://localhost:PORT (harness.ts openApp({ host: 'localhost' })): Chromium
// refuses an IP address as a WebAuthn relying party id ("SecurityError: This is an invalid
// domain."), even though http://127.0.0.1 is a secure context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSkip, connectInWizard, openApp, sandboxKey, signUpInBrowser } from './harness.js';

const skip = browserSkip();
const PASSWORD = 'correct horse battery staple';
const FRESH_MS = 6 * 60_000;

interface VirtualCredential { credentialId: string; rpId: string; signCount: number; isResidentCredential: boolean }

test('passkeys (desktop): enrol in the Security centre, sign in with password + passkey, re-authenticate with a passkey', { skip, timeout: 240_000 }, async () => {
  const app = await openApp({ viewport: 'desktop', host: 'localhost' });
  const { page, server } = app;
  const email = 'passkey-owner@example.com';
  try {
    assert.match(page.url(), /^http:\/\/localhost:\d+\//);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    const credentials = async (): Promise<VirtualCredential[]> =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[];

    await signUpInBrowser(page, email, PASSWORD);
    await page.getByRole('button', { name: 'Binance' }).waitFor();
    await connectInWizard(page, await sandboxKey(server));
    await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Done' }).click();

    // Enrolment is a fresh change: past five minutes, the password is asked first.
    server.clock.advance(FRESH_MS);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
    await page.getByRole('navigation', { name: 'Security sections' }).getByRole('button', { name: 'Second factors' }).click();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByLabel('Name for this passkey').fill('Virtual key');
    await page.getByRole('button', { name: 'Create passkey' }).click();
    const enrolReauth = page.getByRole('dialog', { name: 'Confirm it is you' });
    await enrolReauth.getByLabel('Your password').fill(PASSWORD);
    await enrolReauth.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor({ timeout: 30_000 });
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Virtual key', { exact: true }).waitFor();
    const made = await credentials();
    assert.equal(made.length, 1, 'the virtual authenticator holds one passkey');
    assert.equal(made[0]?.rpId, 'localhost');
    await app.screenshot('passkey-enrolled');

    // Signing in again: the password, then the passkey (no code to type).
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Keyward' }).waitFor();
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Second step' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Use a recovery code' }).waitFor();
    await app.screenshot('passkey-second-step');
    const signCount = made[0]?.signCount ?? 0;
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
    assert.ok(((await credentials())[0]?.signCount ?? 0) > signCount, 'the passkey signed the sign-in challenge');
    await app.settled();
    const second = app.requests.filter((r) => r.url.endsWith('/api/v1/auth/signin/second-factor'));
    assert.equal(second.length, 1);
    const sent = JSON.parse(second[0]?.body?.toString('utf8') ?? '{}') as { passkey?: { id?: string; response?: Record<string, unknown> }; totp?: unknown };
    assert.equal(sent.passkey?.id, made[0]?.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'the answer names the enrolled passkey');
    assert.deepEqual(Object.keys(sent.passkey?.response ?? {}).sort(), ['authenticatorData', 'clientDataJSON', 'signature', 'userHandle']);
    assert.equal(sent.totp, undefined);

    // A fresh change elsewhere (a key's custody, on Exchanges) asks in the same dialog, with the passkey.
    server.clock.advance(FRESH_MS);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exchanges' }).click();
    await page.getByRole('button', { name: 'Change who can use it' }).click();
    await page.getByRole('radio', { name: /token-bound/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    const reauth = page.getByRole('dialog', { name: 'Confirm it is you' });
    await reauth.getByText('After the password, your browser asks for your passkey.').waitFor({ timeout: 30_000 });
    await reauth.getByLabel('Your password').fill(PASSWORD);
    await app.screenshot('passkey-reauth');
    await reauth.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('p', { hasText: 'Who can use it:' }).filter({ hasText: '(token-bound)' }).waitFor({ timeout: 30_000 });
    await app.settled();
    const reauthBody = JSON.parse(app.requests.filter((r) => r.url.endsWith('/api/v1/session/reauth')).at(-1)?.body?.toString('utf8') ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(reauthBody).sort(), ['authKey', 'passkey']);
  } catch (e) {
    await app.screenshot('passkey-failure').catch(() => undefined);
    throw e;
  } finally {
    await app.close();
  }
});
