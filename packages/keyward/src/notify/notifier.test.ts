// The notifier against a real SMTP server (smtp-server, on an ephemeral loopback port): what
// arrives, what happens when the server is down, comes back, refuses, or is flooded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import {
  createNotifier, createSmtpMailer, MailDeliveryError, type Inbox, type InboxEntry, type NotifierOptions, type NotifyLogFields, type SecretBytes,
} from './index.js';

const FROM = 'Keyward <alerts@keyward.test>';
const ADDRESS = 'ada@example.com';

interface Received {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly user: unknown;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

async function startSmtp(options: SMTPServerOptions = {}, port = 0) {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false, authOptional: true, disabledCommands: ['STARTTLS'], ...options,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session));
        done();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMessage(raw: string, session: SMTPServerSession): Received {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  if (headers.get('content-transfer-encoding') === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  return { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address), user: session.user, headers, body };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function memoryInbox() {
  const entries: (InboxEntry & { id: string; emailedAt: number | null })[] = [];
  const inbox: Inbox = {
    add: (e) => {
      entries.push({ ...e, id: `n${String(entries.length + 1)}`, emailedAt: null });
      return Promise.resolve({ id: `n${String(entries.length)}` });
    },
    markEmailed: (id, at) => {
      const entry = entries.find((e) => e.id === id);
      if (entry !== undefined) entry.emailedAt = at;
      return Promise.resolve();
    },
  };
  return { entries, inbox };
}

function harness(port: number, overrides: Partial<NotifierOptions> = {}) {
  const { entries, inbox } = memoryInbox();
  const events: NotifyLogFields[] = [];
  let clock = Date.UTC(2026, 4, 1, 12, 0, 0);
  const mailer = createSmtpMailer({ host: '127.0.0.1', port, security: 'none', from: FROM, timeoutMs: 3000 });
  const notifier = createNotifier({
    inbox, mailer, addressOf: () => Promise.resolve(ADDRESS), now: () => clock,
    log: { info: (f) => events.push(f), warn: (f) => events.push(f) },
    retryDelaysMs: [10, 20], wait: () => Promise.resolve(), ...overrides,
  });
  return { entries, events, notifier, mailer, advance: (ms: number) => { clock += ms; }, failures: () => events.filter((e) => e.event === 'notify-mail-failed') };
}

function secretFile(text: string) {
  const counts = { read: 0, released: 0 };
  const password = (): SecretBytes => {
    counts.read++;
    const bytes = Buffer.from(text, 'utf8');
    return { reveal: (use) => use(bytes), release: () => { bytes.fill(0); counts.released++; } };
  };
  return { counts, password };
}

test('the e-mail arrives with the right content and headers, and the inbox entry is marked e-mailed', async () => {
  const smtp = await startSmtp();
  const h = harness(smtp.port);
  try {
    const result = await h.notifier.notify('acct-1', 'new-device', { ip: '203.0.113.9', userAgent: 'Firefox/140' });
    assert.deepEqual(result, { id: 'n1', email: 'queued' });
    await h.notifier.flush();
    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.ok(mail !== undefined);
    assert.equal(mail.mailFrom, 'alerts@keyward.test');
    assert.deepEqual(mail.rcptTo, [ADDRESS]);
    assert.equal(mail.headers.get('subject'), 'Sign-in from a new device');
    assert.equal(mail.headers.get('from'), FROM);
    assert.equal(mail.headers.get('to'), ADDRESS);
    assert.equal(mail.headers.get('message-id'), '<n1@keyward.test>');
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.headers.get('x-keyward-notification'), 'new-device');
    assert.match(mail.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
    assert.match(mail.headers.get('date') ?? '', /01 May 2026 12:00:00/);
    assert.match(mail.body, /Address: 203\.0\.113\.9\r?\nDevice: “Firefox\/140”/);
    assert.equal(mail.body.trim(), (h.entries[0]?.body ?? '').replace(/\n/g, '\r\n'));
    assert.equal(h.entries[0]?.emailedAt, Date.UTC(2026, 4, 1, 12, 0, 0));
  } finally {
    h.mailer.close();
    await smtp.close();
  }
});

test('SMTP AUTH (PLAIN and LOGIN) sends the password bytes, read for each connection and released', async () => {
  for (const method of ['PLAIN', 'LOGIN']) {
    const logins: string[] = [];
    const smtp = await startSmtp({
      authOptional: false, allowInsecureAuth: true, authMethods: [method],
      onAuth(auth, _session, done) {
        logins.push(`${auth.method} ${auth.username ?? ''} ${auth.password ?? ''}`);
        if (auth.username === 'keyward' && auth.password === 'correct horse ✓') done(null, { user: 'keyward' });
        else done(new Error('Invalid username or password'));
      },
    });
    const secret = secretFile('correct horse ✓');
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', from: FROM, user: 'keyward', password: secret.password });
    try {
      for (const id of ['m1', 'm2']) await mailer.send({ to: ADDRESS, subject: 's', text: 't', kind: 'sign-in', id, at: 0 });
      assert.deepEqual(logins, [`${method} keyward correct horse ✓`, `${method} keyward correct horse ✓`]);
      assert.equal(smtp.received.length, 2);
      assert.equal(smtp.received[0]?.user, 'keyward');
      assert.deepEqual(secret.counts, { read: 2, released: 2 });
    } finally {
      mailer.close();
      await smtp.close();
    }
  }
});

test('a refused password is a permanent failure: one attempt, no retry, and the inbox entry stays', async () => {
  const smtp = await startSmtp({ authOptional: false, allowInsecureAuth: true, onAuth: (_a, _s, done) => done(new Error('Invalid username or password')) });
  const secret = secretFile('wrong');
  const h = harness(smtp.port, { mailer: createSmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', from: FROM, user: 'keyward', password: secret.password }) });
  try {
    await h.notifier.notify('acct-1', 'password-changed', {});
    await h.notifier.flush();
    assert.deepEqual(h.failures().map((e) => [e.attempt, e.code, e.responseCode, e.retry]), [[1, 'EAUTH', 535, false]]);
    assert.equal(smtp.received.length, 0);
    assert.equal(h.entries.length, 1);
    assert.equal(h.entries[0]?.emailedAt, null);
    assert.equal(secret.counts.released, secret.counts.read);
  } finally {
    await smtp.close();
  }
});

test('SMTP down: notify still resolves, the inbox entry stays, and the mail is given up after three attempts', async () => {
  const pauses: number[] = [];
  const h = harness(await freePort(), { wait: (ms) => { pauses.push(ms); return Promise.resolve(); } });
  const result = await h.notifier.notify('acct-1', 'break-glass', { tokensRevoked: 2 });
  assert.equal(result.email, 'queued');
  assert.equal(h.entries.length, 1);
  await h.notifier.flush();
  assert.deepEqual(h.failures().map((e) => [e.attempt, e.retry]), [[1, true], [2, true], [3, false]]);
  assert.deepEqual(pauses, [10, 20]);
  assert.equal(h.entries[0]?.emailedAt, null);
  assert.ok(h.failures().every((e) => !JSON.stringify(e).includes(ADDRESS)), 'logs never hold the address');
});

test('a retry succeeds once the server comes back', async () => {
  const port = await freePort();
  let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
  const h = harness(port, {
    wait: async () => {
      smtp ??= await startSmtp({}, port);
    },
  });
  try {
    await h.notifier.notify('acct-1', 'token-created', { tokenLabel: 'nightly', accessor: 'kwa_0123456789abcdef0123' });
    await h.notifier.flush();
    assert.deepEqual(h.failures().map((e) => e.attempt), [1]);
    assert.equal((smtp as Awaited<ReturnType<typeof startSmtp>> | null)?.received.length, 1);
    assert.ok(h.entries[0]?.emailedAt !== null);
  } finally {
    h.mailer.close();
    await (smtp as Awaited<ReturnType<typeof startSmtp>> | null)?.close();
  }
});

test('a burst of one kind for one account is e-mailed once a minute, and every one is inboxed', async () => {
  const smtp = await startSmtp();
  const h = harness(smtp.port);
  try {
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push((await h.notifier.notify('acct-1', 'failed-attempts', { count: 10 * (i + 1) })).email);
      h.advance(10_000);
    }
    outcomes.push((await h.notifier.notify('acct-1', 'token-revoked', {})).email);
    outcomes.push((await h.notifier.notify('acct-2', 'failed-attempts', {})).email);
    h.advance(10_000);
    outcomes.push((await h.notifier.notify('acct-1', 'failed-attempts', { count: 60 })).email);
    await h.notifier.flush();
    assert.deepEqual(outcomes, ['queued', 'suppressed', 'suppressed', 'suppressed', 'suppressed', 'queued', 'queued', 'queued']);
    assert.equal(h.entries.length, 8);
    assert.deepEqual(smtp.received.map((m) => m.headers.get('x-keyward-notification')), ['failed-attempts', 'token-revoked', 'failed-attempts', 'failed-attempts']);
    assert.deepEqual(h.entries.filter((e) => e.emailedAt !== null).map((e) => e.id), ['n1', 'n6', 'n7', 'n8']);
  } finally {
    h.mailer.close();
    await smtp.close();
  }
});

test('STARTTLS is required: a server that does not offer it, or shows an untrusted certificate, gets nothing', async () => {
  const plainOnly = await startSmtp();
  // smtp-server's built-in certificate is self-signed (and expired): it must not be trusted.
  const selfSigned = await startSmtp({ disabledCommands: [] });
  try {
    for (const smtp of [plainOnly, selfSigned]) {
      const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'starttls', from: FROM, timeoutMs: 3000 });
      await assert.rejects(mailer.send({ to: ADDRESS, subject: 's', text: 't', kind: 'sign-in', id: 'x', at: 0 }), MailDeliveryError);
      mailer.close();
      assert.equal(smtp.received.length, 0);
    }
  } finally {
    await plainOnly.close();
    await selfSigned.close();
  }
});

test('inbox down: the e-mail still goes out, and notify rejects with the inbox\'s error', async () => {
  const smtp = await startSmtp();
  const h = harness(smtp.port, { inbox: { add: () => Promise.reject(new Error('database gone')), markEmailed: () => Promise.resolve() } });
  try {
    await assert.rejects(h.notifier.notify('acct-1', 'break-glass', {}), /database gone/);
    await h.notifier.flush();
    assert.equal(smtp.received.length, 1);
    assert.match(smtp.received[0]?.headers.get('message-id') ?? '', /^<[0-9a-f-]{36}@keyward\.test>$/);
  } finally {
    h.mailer.close();
    await smtp.close();
  }
});

test('no address means inbox only; an address that could name several recipients is never sent to', async () => {
  const smtp = await startSmtp();
  const addresses = [null, `${ADDRESS}, thief@evil.example`, `Ada <${ADDRESS}>`, `${ADDRESS}\r\nBcc: thief@evil.example`];
  let next = 0;
  const h = harness(smtp.port, { addressOf: () => Promise.resolve(addresses[next++] ?? null) });
  try {
    for (let i = 0; i < addresses.length; i++) await h.notifier.notify(`acct-${String(i)}`, 'sign-in', {});
    await h.notifier.flush();
    assert.equal(smtp.received.length, 0);
    assert.equal(h.entries.length, addresses.length);
    assert.deepEqual(h.failures().map((e) => [e.code, e.retry]), [['EADDRESS', false], ['EADDRESS', false], ['EADDRESS', false]]);
  } finally {
    h.mailer.close();
    await smtp.close();
  }
});

test('an e-mail change is told to the old address when the caller names it', async () => {
  const smtp = await startSmtp();
  const h = harness(smtp.port, { addressOf: () => Promise.resolve('new@example.com') });
  try {
    await h.notifier.notify('acct-1', 'email-changed', { to: 'new@example.com' }, { address: ADDRESS });
    await h.notifier.flush();
    assert.deepEqual(smtp.received.map((m) => m.rcptTo), [[ADDRESS]]);
    assert.match(smtp.received[0]?.body ?? '', /changed to new@example\.com/);
  } finally {
    h.mailer.close();
    await smtp.close();
  }
});

test('close() cuts a retry pause short instead of holding shutdown', { timeout: 15_000 }, async () => {
  const mailer = createSmtpMailer({ host: '127.0.0.1', port: await freePort(), security: 'none', from: FROM });
  let failed: () => void = () => undefined;
  const firstFailure = new Promise<void>((resolve) => { failed = resolve; });
  // The default pause (a real timer) of 20 s, which close() must abort: without the abort, this test times out.
  const notifier = createNotifier({
    inbox: memoryInbox().inbox, mailer, addressOf: () => Promise.resolve(ADDRESS), now: () => 0, retryDelaysMs: [20_000],
    log: { info: () => undefined, warn: () => failed() },
  });
  await notifier.notify('acct-1', 'sign-in', {});
  await firstFailure;
  const started = Date.now();
  await notifier.close();
  assert.ok(Date.now() - started < 5_000);
  assert.equal((await notifier.notify('acct-1', 'password-changed', {})).email, 'off');
});
