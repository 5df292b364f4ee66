// Brute force against one account: 200 wrong passwords from 200 addresses meet growing delays
// (429 with Retry-After, answered before any Argon2id work) and the owner is notified, while the
// owner, from the device they signed up on, still signs in at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signIn, signUp, startTestServer } from '../helpers/server.js';

test('200 wrong passwords from many addresses: growing delays, a notification, and the owner still gets in', { timeout: 120_000 }, async () => {
  const s = await startTestServer({ extraConfig: { trustProxy: true } });
  try {
    const email = 'target@example.com';
    const owner = s.client('192.0.2.10');
    await signUp(owner, email);
    await owner.post('/api/v1/auth/signout');

    const delays: number[] = [];
    let refusedEarly = 0;
    let wrong = 0;
    for (let i = 0; i < 200; i++) {
      const attacker = s.client(`198.51.${String(Math.floor(i / 250))}.${String(i % 250)}`);
      const r = await attacker.post('/api/v1/auth/signin', { email, authKey: randomBytes(32).toString('base64url') });
      if (r.status === 429) {
        refusedEarly++;
        assert.equal(r.body.code, 'KW_AUTH_THROTTLED');
        const retry = Number(r.headers.get('retry-after'));
        assert.ok(retry >= 1, 'Retry-After says how long');
        delays.push(retry);
        // The attacker waits as told, so the next attempt is let through and the delay grows.
        s.clock.advance(retry * 1000);
      } else {
        assert.equal(r.status, 401, r.text);
        assert.equal(r.body.code, 'KW_AUTH_FAILED');
        wrong++;
      }
    }
    assert.ok(refusedEarly > 50, `most attempts were slowed (${String(refusedEarly)} of 200)`);
    assert.ok(delays.length > 3 && Math.max(...delays) > (delays[0] ?? Infinity) * 8, `delays grow: ${delays.slice(0, 12).join(', ')} ... max ${String(Math.max(...delays))}`);
    assert.ok(Math.max(...delays) <= 15 * 60, 'a delay, never a lockout: at most 15 minutes');
    assert.ok(wrong >= 5);

    // The owner, on their own device, signs in now, not after the attacker's delay.
    const r = await signIn(owner, email);
    assert.equal(r.status, 200, JSON.stringify(r.body));

    await s.server.flushNotifications();
    const inbox = await owner.get<{ notifications: { kind: string; body: string }[] }>('/api/v1/notifications');
    assert.ok(inbox.body.notifications.some((n) => n.kind === 'failed-attempts'), JSON.stringify(inbox.body.notifications.map((n) => n.kind)));
    assert.ok(s.smtp.mails.some((m) => m.to.includes(email) && /failed/i.test(m.raw)));
  } finally {
    await s.close();
  }
});
