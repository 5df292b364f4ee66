// The trading path in a real browser, at desktop and phone sizes: sign up, connect a sandbox
// exchange through the wizard, see the portfolio, place a limit order below the market, cancel it.
// Screenshots of each main screen go to test/browser/screenshots/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSkip, connectInWizard, openApp, sandboxKey, signUpInBrowser, VIEWPORTS } from './harness.js';

const skip = browserSkip();

for (const viewport of VIEWPORTS) {
  test(`web app (${viewport}): sign up, connect an exchange, portfolio, limit order placed and cancelled`, { skip, timeout: 180_000 }, async () => {
    const app = await openApp({ viewport });
    const { page } = app;
    try {
      await app.screenshot('sign-in');
      await signUpInBrowser(page, `trader-${viewport}@example.com`, 'a long enough password');

      // A first-time user lands on the welcome path with the wizard.
      await page.getByRole('heading', { name: 'Welcome to Keyward' }).waitFor();
      await app.screenshot('welcome');
      const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
      assert.ok(nav !== null);
      if (viewport === 'phone') assert.ok(nav.y > 700, `the phone's navigation is a bottom bar (y = ${String(nav.y)})`);
      else assert.ok(nav.y < 60, 'the desktop navigation is in the header');
      // Every icon is inline SVG that draws (no glyph that needs a font, which showed as an empty box).
      const icons = await page.getByRole('navigation', { name: 'Main' }).locator('.nav-icon').evaluateAll((spans) => spans.map((span) => {
        const path = span.querySelector('svg path');
        const box = (path as unknown as { getBBox?: () => { width: number; height: number } } | null)?.getBBox?.() ?? null;
        return { text: span.textContent, drawn: box !== null && box.width > 4 && box.height > 4 };
      }));
      assert.equal(icons.length, 4);
      assert.deepEqual(icons, icons.map(() => ({ text: '', drawn: true })), 'each navigation icon is a drawn SVG path, with no text');

      const key = await sandboxKey(app.server);
      await page.getByRole('button', { name: 'Binance' }).waitFor();
      await app.screenshot('wizard-pick');
      await connectInWizard(page, key);
      await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });
      await page.getByText('Cannot withdraw funds').waitFor();
      await page.getByText(/Restrict it on the exchange to \S+/).first().waitFor();
      await app.screenshot('wizard-verified');
      await page.getByRole('button', { name: 'Done' }).click();

      // Portfolio: the sandbox account's balances, valued.
      const total = page.getByTestId('portfolio-total');
      await total.waitFor({ timeout: 30_000 });
      assert.match(await total.innerText(), /^[\d,]+\.\d\d USDT$/);
      await page.getByRole('heading', { name: 'Allocation' }).waitFor();
      await page.getByRole('cell', { name: 'BTC', exact: true }).waitFor();
      // Value over time comes from the server's snapshots (the reading just made recorded one).
      await page.getByRole('heading', { name: 'Value over 30 days' }).waitFor();
      assert.match(await page.getByTestId('history-count').innerText(), /point.* from the server's records/);
      await app.screenshot('portfolio');

      // Trade: a limit buy 10% under the market, reviewed, confirmed, then cancelled.
      await page.getByRole('link', { name: 'Trade' }).click();
      await page.getByTestId('last-price').waitFor({ timeout: 30_000 });
      const ticker = await (await page.request.get('/api/v1/markets/binance/BTC-USDT/ticker')).json() as { bid: string };
      const price = (Math.floor(Number(ticker.bid) * 0.9 * 100) / 100).toFixed(2);
      // Candles when the exchange serves them, else the "no chart data" state over polled prices.
      await page.getByRole('img', { name: 'BTC/USDT candles' }).or(page.getByText('No chart data from this exchange')).first().waitFor({ timeout: 30_000 });
      // Review asks the server: an order the balance cannot pay is stopped before Confirm, with why.
      await page.getByLabel('Limit price (USDT)').fill(price);
      await page.getByLabel('Amount (BTC)').fill('100000');
      await page.getByRole('button', { name: 'Review order' }).click();
      const review = page.getByRole('region', { name: 'Order preview' });
      await review.getByText('This order would not go through').waitFor({ timeout: 30_000 });
      await review.getByRole('list', { name: 'Why not' }).getByText(/^Not enough USDT/).waitFor();
      assert.equal(await review.getByRole('button', { name: 'Confirm buy' }).isDisabled(), true, 'no Confirm for an order that would be refused');
      await app.screenshot('trade-review-refused');
      await review.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Amount (BTC)').fill('0.001');
      await page.getByRole('button', { name: 'Review order' }).click();
      await review.getByText('Keyward checked this order: your token policy and your balance allow it.').waitFor({ timeout: 30_000 });
      assert.ok(app.requests.some((r) => r.method === 'POST' && r.url.endsWith('/api/v1/orders/preview')), 'the preview came from the server');
      await review.getByText('This order waits in the book').waitFor();
      await review.getByText(/Estimated fee \(0\.10%, maker\)/).waitFor();
      await app.screenshot('trade-review');
      await review.getByRole('button', { name: 'Confirm buy' }).click();
      await page.getByText('Order placed: it is open').waitFor({ timeout: 30_000 });
      const open = page.getByTestId('open-orders');
      await open.getByRole('cell', { name: 'Open', exact: true }).waitFor();
      await app.screenshot('trade');
      await open.getByRole('button', { name: /^Cancel buy 0\.001 BTC\/USDT/ }).click();
      await page.getByText('No open orders on “binance”').waitFor({ timeout: 30_000 });
      await page.getByTestId('order-history').getByRole('cell', { name: 'Cancelled' }).waitFor({ timeout: 30_000 });
      await app.screenshot('trade-cancelled');

      // The other screens render, and nothing is wider than a phone.
      await page.getByRole('link', { name: 'Exchanges' }).click();
      await page.getByRole('heading', { name: /binance · Binance/ }).waitFor();
      await app.screenshot('exchanges');
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByRole('heading', { name: 'Security', exact: true }).first().waitFor();
      await app.screenshot('security');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `no horizontal scrolling (${String(overflow)} px too wide)`);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Keyward' }).waitFor();
    } catch (e) {
      await app.screenshot('failure').catch(() => undefined);
      throw e;
    } finally {
      await app.close();
    }
  });
}
