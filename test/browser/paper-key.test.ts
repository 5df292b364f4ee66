// A first-time user on a sandbox server connects an exchange without any account anywhere: the
// wizard fills in a paper key of the built-in sandbox, which is sealed in the browser and verified
// like a real one; a paper key that can withdraw is refused, and the user is told why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, openApp, signUpInBrowser } from './harness.js';

test('sandbox server: the wizard fills in a paper key, connects it, and refuses a withdraw-enabled one', { skip: browserSkip(), timeout: 120_000 }, async () => {
  const app = await openApp({ viewport: 'desktop' });
  const { page } = app;
  // The paper key arrives from the server and lands in the form: wait until the secret field holds it.
  const filled = async (): Promise<void> => {
    for (let i = 0; i < 100 && (await page.getByLabel('Secret Key').inputValue()) === ''; i++) await page.waitForTimeout(100);
    assert.notEqual(await page.getByLabel('Secret Key').inputValue(), '', 'the paper key was filled in');
  };
  try {
    await signUpInBrowser(page, 'paper@example.com', 'a long enough password');
    await page.getByRole('button', { name: 'Binance' }).click();
    await page.getByRole('button', { name: 'I have the key' }).click();

    await page.getByRole('button', { name: 'one that can withdraw' }).click();
    await filled();
    await page.getByRole('button', { name: 'Seal and connect' }).click();
    await page.getByText(/can withdraw/i).first().waitFor({ timeout: 30_000 });
    await app.screenshot('paper-key-refused');

    await page.getByRole('button', { name: 'Fill in a paper key' }).click();
    await filled();
    const apiKey = await page.getByLabel('API Key').inputValue();
    assert.ok(apiKey.length > 10);
    await page.getByRole('button', { name: 'Seal and connect' }).click();
    await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });
    await page.getByText('Cannot withdraw funds').waitFor();
    await app.screenshot('paper-key-connected');
  } finally {
    await app.close();
  }
});
