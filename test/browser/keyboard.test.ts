// Keyboard and labels: every control on each main screen has an accessible name, the first Tab
// reaches "Skip to content", and the app can be moved through with the keyboard alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSkip, connectInWizard, openApp, sandboxKey, signUpInBrowser } from './harness.js';

// The page's own objects, as far as these checks read them (test/ compiles without the DOM library).
interface El { textContent: string | null; outerHTML: string; labels?: { length: number } | null; getAttribute(name: string): string | null; blur?(): void }
interface Doc { activeElement: El | null }

/** Visible controls without an accessible name (label, aria-label, aria-labelledby, title or text). */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.locator('input:visible, select:visible, textarea:visible, button:visible, a[href]:visible').evaluateAll((els) => els.flatMap((el) => {
    const e = el as unknown as El;
    const byLabel = (e.labels?.length ?? 0) > 0;
    const byAria = (e.getAttribute('aria-label') ?? '').trim() !== '' || (e.getAttribute('aria-labelledby') ?? '') !== '';
    const byText = (e.textContent ?? '').trim() !== '' || (e.getAttribute('title') ?? '').trim() !== '';
    const hidden = e.getAttribute('type') === 'hidden';
    return byLabel || byAria || byText || hidden ? [] : [e.outerHTML.slice(0, 120)];
  }));
}

test('every control is labelled on each main screen, and the keyboard alone moves through the app', { skip: browserSkip(), timeout: 180_000 }, async () => {
  const app = await openApp({ viewport: 'desktop' });
  const { page } = app;
  try {
    await signUpInBrowser(page, 'keys@example.com', 'a long enough password');
    assert.deepEqual(await unnamedControls(page), [], 'welcome');
    await connectInWizard(page, await sandboxKey(app.server));
    await page.getByText('Connected “binance”').waitFor({ timeout: 30_000 });
    assert.deepEqual(await unnamedControls(page), [], 'wizard');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('portfolio-total').waitFor({ timeout: 30_000 });

    for (const screen of ['Portfolio', 'Trade', 'Exchanges', 'Security']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen }).click();
      await page.getByRole('heading', { name: screen, level: 1 }).waitFor();
      await page.waitForTimeout(300);
      assert.deepEqual(await unnamedControls(page), [], screen);
    }

    // Keyboard only: the first Tab is the skip link; the navigation follows and Enter opens a screen.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portfolio' }).click();
    await page.getByRole('heading', { name: 'Portfolio', level: 1 }).waitFor();
    // Start where a reader of the page would: at the brand at the top (a click sets the starting point).
    await page.locator('.brand').click();
    const focused = (): Promise<string | undefined> => page.evaluate(() => (globalThis as unknown as { document: Doc }).document.activeElement?.textContent?.trim());
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'Skip to content', 'the skip link comes first');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Portfolio');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Trade');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Trade', level: 1 }).waitFor();

    // The skip link moves focus into the content and leaves the screen where it was.
    await page.locator('.brand').click();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    assert.equal(await page.getByRole('heading', { name: 'Trade', level: 1 }).isVisible(), true, 'still on Trade');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id?: string } | null } }).document.activeElement?.id), 'main');
  } finally {
    await app.close();
  }
});
