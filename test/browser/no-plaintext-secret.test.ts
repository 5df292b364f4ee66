// The exchange secret typed into the wizard never leaves the browser in the clear: no request the
// page sends holds it (url, headers, body; raw, hex, base64, base64url), nor does page storage.
// A key that can withdraw is refused, and the wizard says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSkip, connectInWizard, leaksOf, openApp, sandboxKey, signUpInBrowser } from './harness.js';

const skip = browserSkip();

test('web app: the typed exchange secret never appears in any request; a withdraw-enabled key is refused', { skip, timeout: 180_000 }, async () => {
  const app = await openApp({ viewport: 'desktop' });
  const { page } = app;
  try {
    await signUpInBrowser(page, 'sealer@example.com', 'a long enough password');
    const key = await sandboxKey(app.server);
    await connectInWizard(page, key);
    await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });

    // The secret fields were emptied once read.
    await app.settled();
    const upload = app.requests.find((r) => r.method === 'POST' && r.url.endsWith('/api/v1/credentials'));
    assert.ok(upload?.body, 'the credential was uploaded');
    const sent = JSON.parse(upload.body.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sent).sort(), ['ciphertext', 'custody', 'exchange', 'fingerprint', 'id', 'name', 'wrappedDek'].sort(), 'only sealed fields');
    assert.deepEqual(leaksOf(app.requests, key.secret), []);
    // Control: the search finds a value that is sent (the e-mail address, in the sign-up body).
    assert.ok(leaksOf(app.requests, 'sealer@example.com').length > 0, 'the leak search finds a value that is sent');

    // A withdraw-enabled key: refused, with the reason, and not kept.
    const withdrawing = await sandboxKey(app.server, ['read', 'trade', 'withdraw']);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'Exchanges' }).click();
    await page.getByRole('button', { name: 'Connect an exchange' }).click();
    await connectInWizard(page, withdrawing, 'withdrawer');
    await page.getByRole('alert').filter({ hasText: 'This key can withdraw funds' }).first().waitFor({ timeout: 30_000 });
    await page.getByText('Create a new key on Binance with withdrawals and transfers switched off').waitFor();
    assert.equal(await page.getByLabel('Secret Key').inputValue(), '', 'the secret field is empty after the attempt');
    await app.screenshot('wizard-refused');

    await app.settled();
    assert.deepEqual(leaksOf(app.requests, key.secret), []);
    assert.deepEqual(leaksOf(app.requests, withdrawing.secret), []);
    const storage = await page.evaluate<string>('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])');
    for (const s of [key.secret, withdrawing.secret]) assert.ok(!storage.includes(s), 'no secret in page storage');
    const credentials = await (await page.request.get('/api/v1/credentials')).json() as { credentials: { name: string }[] };
    assert.deepEqual(credentials.credentials.map((c) => c.name), ['binance'], 'the refused key was not kept');
  } finally {
    await app.close();
  }
});
