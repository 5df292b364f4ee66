// The web app in Debian's Chromium, driven by playwright-core, against `keyward serve` in this
// process (test/helpers/server.ts). Builds nothing: packages/web/dist must exist
// (`npm run build -w packages/web`). Never downloads a browser: KEYWARD_CHROMIUM or
// /usr/bin/chromium; when it is missing the tests skip loudly, or fail with KEYWARD_REQUIRE_CHROMIUM=1.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';

export const CHROMIUM = process.env.KEYWARD_CHROMIUM ?? '/usr/bin/chromium';
export const WEB_DIST = fileURLToPath(new URL('../../packages/web/dist/', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export type Viewport = 'desktop' | 'phone';
export const VIEWPORTS: readonly Viewport[] = ['desktop', 'phone'];

/** For node:test's `skip` option: false when the browser tests can run, else why not. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) {
    if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST}index.html is missing: run \`npm run build -w packages/web\` first`);
    return false;
  }
  const why = `Chromium not found at ${CHROMIUM} (set KEYWARD_CHROMIUM, or apt install chromium); the browser tests are NOT running`;
  if (process.env.KEYWARD_REQUIRE_CHROMIUM === '1') throw new Error(why);
  console.warn(`\n!!!!!!!!!!\n!!! ${why}\n!!!!!!!!!!\n`);
  return why;
}

export interface SentRequest {
  readonly url: string;
  readonly method: string;
  /** Every header the browser sent, cookies included (filled in once the request settles). */
  headers: Record<string, string>;
  readonly body: Buffer | null;
}

export interface OpenApp {
  readonly page: Page;
  readonly server: TestServer;
  readonly viewport: Viewport;
  /** Everything the page sent, in order. Call `settled()` before reading headers. */
  readonly requests: SentRequest[];
  settled(): Promise<void>;
  /** Path of the saved screenshot: test/browser/screenshots/<viewport>-<name>.png */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json',
};

/** When the server does not serve the web app itself, the browser context serves dist/ for it. */
async function serveDistIfNeeded(context: BrowserContext, base: string, probe: string): Promise<void> {
  const res = await fetch(`${probe}/`, { headers: { accept: 'text/html' } });
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) return;
  await context.route((url) => url.origin === base && !url.pathname.startsWith('/api/'), async (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = join(WEB_DIST, path === '/' || !existsSync(join(WEB_DIST, path)) ? 'index.html' : path);
    await route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
}

let browser: Promise<Browser> | null = null;
let users = 0;

/** A port free on 127.0.0.1 a moment ago (the server binds it right after). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/**
 * `host: 'localhost'` opens the app at http://localhost:PORT and tells the server that is its public
 * URL. WebAuthn needs it: Chromium (156) refuses an IP address as the relying party id with
 * "SecurityError: This is an invalid domain." even on http://127.0.0.1, which is a secure context,
 * and the server takes its rpId from the host of its URL. The port must be known before the server
 * starts, since the passkey origin comes from publicUrl.
 */
export async function openApp(options: { viewport: Viewport; host?: '127.0.0.1' | 'localhost' }): Promise<OpenApp> {
  let server: TestServer;
  if (options.host === 'localhost') {
    const port = await freePort();
    server = await startTestServer({ extraConfig: { port, publicUrl: `http://localhost:${String(port)}` } });
  } else {
    server = await startTestServer();
  }
  browser ??= chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  users += 1;
  const b = await browser;
  const base = options.host === 'localhost' ? server.server.url.replace('//127.0.0.1:', '//localhost:').replace(/\/$/, '') : server.server.url.replace(/\/$/, '');
  const context = await b.newContext(options.viewport === 'desktop'
    ? { baseURL: base, viewport: { width: 1280, height: 800 } }
    : { baseURL: base, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await serveDistIfNeeded(context, base, server.server.url.replace(/\/$/, ''));
  const page = await context.newPage();
  const requests: SentRequest[] = [];
  const pending: Promise<unknown>[] = [];
  page.on('request', (req) => {
    const entry: SentRequest = { url: req.url(), method: req.method(), headers: req.headers(), body: req.postDataBuffer() };
    requests.push(entry);
    pending.push(req.allHeaders().then((h) => { entry.headers = h; }, () => undefined));
  });
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${base}/`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page, server, viewport: options.viewport, requests,
    settled: async () => { await Promise.all(pending); },
    screenshot: async (name) => {
      const path = join(SCREENSHOTS, `${options.viewport}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      await context.close();
      await server.close();
      users -= 1;
      if (users === 0 && browser !== null) {
        const closing = browser;
        browser = null;
        await (await closing).close();
      }
      if (consoleErrors.length > 0) throw new Error(`uncaught errors in the page:\n${consoleErrors.join('\n')}`);
    },
  };
}

/** Create an account in the browser; resolves when the signed-in shell shows. */
export async function signUpInBrowser(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account instead' }).click();
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
}

/** A paper key from the sandbox exchange. */
export async function sandboxKey(server: TestServer, permissions: string[] = ['read', 'trade']): Promise<{ apiKey: string; secret: string }> {
  const res = await fetch(`${server.server.sandbox?.url ?? ''}/admin/keys`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exchange: 'binance', permissions }),
  });
  if (res.status !== 201) throw new Error(`sandbox /admin/keys: ${String(res.status)} ${await res.text()}`);
  return await res.json() as { apiKey: string; secret: string };
}

/** The connect wizard from its first step to the point where the key is sent. */
export async function connectInWizard(page: Page, key: { apiKey: string; secret: string }, name?: string): Promise<void> {
  await page.getByRole('button', { name: 'Binance' }).click();
  await page.getByRole('button', { name: 'I have the key' }).click();
  if (name !== undefined) await page.getByLabel('Name for this key').fill(name);
  await page.getByLabel('API Key').fill(key.apiKey);
  await page.getByLabel('Secret Key').fill(key.secret);
  await page.getByRole('button', { name: 'Seal and connect' }).click();
}

/** Every form a secret could take on the wire. */
export function encodingsOf(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  return [...new Set([secret, encodeURIComponent(secret), b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url'),
    b.toString('base64').replace(/=+$/, ''), JSON.stringify(secret).slice(1, -1)])].filter((s) => s.length >= 8);
}

/** The requests (and where in them) that carry any encoding of `secret`. */
export function leaksOf(requests: readonly SentRequest[], secret: string): string[] {
  const forms = encodingsOf(secret);
  const found: string[] = [];
  for (const r of requests) {
    const body = r.body ?? Buffer.alloc(0);
    const places: [string, string | Buffer][] = [['url', r.url], ['headers', JSON.stringify(r.headers)], ['body', body], ['body (latin1)', body.toString('latin1')]];
    for (const [where, text] of places) {
      for (const f of forms) {
        const hit = typeof text === 'string' ? text.includes(f) || decodeURIComponentSafe(text).includes(f) : text.includes(Buffer.from(f));
        if (hit) found.push(`${r.method} ${r.url}: ${where} holds the secret as ${f === secret ? 'plain text' : `"${f.slice(0, 6)}…"`}`);
      }
    }
  }
  return found;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
