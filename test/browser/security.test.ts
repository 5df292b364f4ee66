// The Security centre in a real browser, at desktop and phone sizes: sign up and connect a sandbox
// key, enrol an authenticator app (through the password re-confirmation), sign out and back in
// with the TOTP step, issue a token, use it with unmodified ccxt through the gateway, find that
// request in the token's access log, revoke the token, and break glass: every session ends (this
// tab goes back to sign-in, and a second session of the account is refused too).
// Screenshots of each screen go to test/browser/screenshots/<viewport>-security-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { binanceBot, signIn, totpNow } from '../helpers/server.js';
import { browserSkip, connectInWizard, openApp, sandboxKey, signUpInBrowser, VIEWPORTS } from './harness.js';

const skip = browserSkip();
const PASSWORD = 'correct horse battery staple';
const TOTP_STEP_MS = 30_000;

async function noSideways(page: Page, where: string): Promise<void> {
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `${where}: no horizontal scrolling (${String(overflow)} px too wide)`);
}

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Security sections' }).getByRole('button', { name }).click();
}

for (const viewport of VIEWPORTS) {
  test(`security centre (${viewport}): TOTP, token, access log, revoke, break-glass`, { skip, timeout: 240_000 }, async () => {
    const app = await openApp({ viewport });
    const { page, server } = app;
    const email = `owner-${viewport}@example.com`;
    try {
      await signUpInBrowser(page, email, PASSWORD);
      await page.getByRole('button', { name: 'Binance' }).waitFor();
      await connectInWizard(page, await sandboxKey(server));
      await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
      await page.getByRole('navigation', { name: 'Security sections' }).waitFor();
      await page.getByText(/Audit log verified/).waitFor({ timeout: 30_000 });
      await noSideways(page, 'tokens');
      await app.screenshot('security-tokens-empty');

      // Enrolment is a "fresh" change: past the five minutes after sign-in, the password is asked.
      server.clock.advance(6 * 60_000);
      await openSection(page, 'Second factors');
      await page.getByText('Only your password protects this account.').waitFor();
      await page.getByRole('button', { name: 'Add an authenticator app' }).click();
      await page.getByRole('button', { name: 'Show the QR code' }).click();
      const reauth = page.getByRole('dialog', { name: 'Confirm it is you' });
      await reauth.getByLabel('Your password').fill(PASSWORD);
      await app.screenshot('security-reauth');
      await reauth.getByRole('button', { name: 'Confirm' }).click();
      const qr = page.getByRole('img', { name: /QR code/ });
      await qr.waitFor({ timeout: 30_000 });
      assert.match(await qr.getAttribute('src') ?? '', /^data:image\/svg\+xml/, 'the QR code is an image, not markup in the page');
      assert.ok(((await qr.boundingBox())?.width ?? 0) > 100, 'the QR code is drawn');
      await page.getByText('Cannot scan? Enter the key by hand').click();
      const uri = await page.getByLabel('Setup link (otpauth URI)').inputValue();
      assert.match(uri, /^otpauth:\/\/totp\//);
      await noSideways(page, 'TOTP enrolment');
      await app.screenshot('security-totp');
      await page.getByLabel('Code from the app').fill(totpNow(uri, server.clock.now()));
      await page.getByRole('button', { name: 'Turn on' }).click();

      const codes = page.getByRole('list', { name: 'Recovery codes' });
      await codes.waitFor({ timeout: 30_000 });
      assert.ok((await codes.getByRole('listitem').count()) >= 8, 'recovery codes are shown');
      const done = page.getByRole('button', { name: 'Done' });
      assert.equal(await done.isDisabled(), true, 'the codes cannot be dismissed before "I have saved these codes"');
      await app.screenshot('security-recovery-codes');
      await page.getByLabel('I have saved these codes').check();
      await done.click();
      await page.getByText('Authenticator app', { exact: true }).waitFor();

      // Signing in again now takes the second step.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Keyward' }).waitFor();
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const code = page.getByLabel('Code from your authenticator app');
      await code.waitFor({ timeout: 30_000 });
      server.clock.advance(TOTP_STEP_MS); // each code is single-use: the next step's code
      await code.fill(totpNow(uri, server.clock.now()));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click({ timeout: 30_000 });

      // A token, shown once.
      await page.getByRole('button', { name: 'New token' }).click();
      await page.getByLabel('Token name').fill('grid bot');
      await page.getByLabel('Trade (place orders)').check();
      await page.getByLabel('Max per order (quote currency)').fill('500');
      await page.getByLabel('Symbols').fill('BTCUSDT, ETHUSDT');
      await noSideways(page, 'token form');
      await app.screenshot('security-token-form');
      await page.getByRole('button', { name: 'Issue token' }).click();
      const tokenField = page.getByLabel('Your new token');
      await tokenField.waitFor({ timeout: 30_000 });
      const token = await tokenField.inputValue();
      assert.match(token, /^kw_/);
      await page.getByText('It is shown only this once').waitFor();
      await app.screenshot('security-token-once');
      await page.getByRole('button', { name: 'I have saved it' }).click();
      assert.equal(await page.getByLabel('Your new token').count(), 0, 'the token leaves the page once saved');
      const item = page.getByRole('listitem', { name: 'grid bot' });
      await item.getByText('Only BTCUSDT and ETHUSDT').waitFor();
      await item.getByText('At most 500 (quote currency) per order').waitFor();

      // The token at work through the gateway, and that request in its access log.
      const balance = await binanceBot(token, server.server.gatewayUrl).fetchBalance();
      assert.ok(balance.total !== undefined);
      await item.getByRole('button', { name: 'Access log' }).click();
      const log = page.getByRole('region', { name: 'Access log of grid bot' });
      const row = log.getByRole('row').filter({ hasText: 'GET /api/v3/account' }).first();
      await row.waitFor({ timeout: 30_000 });
      assert.match(await row.innerText(), /allowed/);
      // The outcome is written within 20 ms of the answer (audit-log.ts groups them): a log opened
      // sooner shows it pending, and the user refreshes it, as here (for at most 10 s).
      for (let i = 0; i < 100 && /pending/.test(await row.innerText()); i++) {
        await new Promise((r) => setTimeout(r, 100));
        await log.getByRole('button', { name: 'Refresh log' }).click();
        await row.waitFor({ timeout: 30_000 });
      }
      assert.match(await row.innerText(), /200 in \d+ ms/);
      await noSideways(page, 'access log');
      await app.screenshot('security-access-log');

      // Revoke, confirmed; the bot is refused from its next request.
      await item.getByRole('button', { name: 'Revoke' }).click();
      await app.screenshot('security-revoke-confirm');
      await page.getByRole('button', { name: 'Yes, revoke' }).click();
      await page.getByText('No tokens yet.').waitFor({ timeout: 30_000 });
      await assert.rejects(binanceBot(token, server.server.gatewayUrl).fetchBalance(), /KW_TOKEN_REVOKED/);

      // The other screens.
      await openSection(page, 'Sessions and devices');
      await page.getByText('this session').waitFor({ timeout: 30_000 });
      await app.screenshot('security-sessions');
      await openSection(page, 'Notifications');
      await page.getByText(/token/i).first().waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Mark all read' }).click();
      await page.getByRole('button', { name: 'Mark all read' }).and(page.locator(':disabled')).waitFor();
      await app.screenshot('security-notifications');
      await openSection(page, 'Password and e-mail');
      await page.getByText(/You are connecting from /).waitFor({ timeout: 30_000 });
      await noSideways(page, 'account');
      await app.screenshot('security-account');

      // A second session of the same account, to see break-glass end it too.
      const other = server.client();
      server.clock.advance(TOTP_STEP_MS);
      const signedIn = await signIn(other, email, () => ({ totp: totpNow(uri, server.clock.now()) }), PASSWORD);
      assert.equal(signedIn.status, 200);
      assert.equal((await other.get('/api/v1/session')).status, 200);

      await openSection(page, 'Break glass');
      const glass = page.getByRole('button', { name: 'Break glass now' });
      assert.equal(await glass.isDisabled(), true, 'break-glass waits for the typed phrase');
      await page.getByLabel('Type BREAK GLASS to confirm').fill('break glass');
      assert.equal(await glass.isDisabled(), true, 'the phrase is typed exactly');
      await page.getByLabel('Type BREAK GLASS to confirm').fill('BREAK GLASS');
      await noSideways(page, 'break-glass');
      await app.screenshot('security-break-glass');
      await glass.click();
      await page.getByRole('heading', { name: 'Sign in to Keyward' }).waitFor({ timeout: 30_000 });
      assert.equal((await page.request.get('/api/v1/session')).status(), 401, 'this tab’s session ended');
      assert.equal((await other.get('/api/v1/session')).status, 401, 'every other session ended');
      await app.screenshot('security-after-break-glass');
    } finally {
      await app.close();
    }
  });
}
