// Server benchmarks (issue: the multi-user server). Break-glass for an account with 1,000 tokens
// and several unlocked sessions: the time the server reports for the call (revoke every token,
// wipe every unlocked key, end every session) and the round trip the client sees.
import { performance } from 'node:perf_hooks';
import { connectBinance, signIn, signUp, startTestServer } from '../test/helpers/server.js';
import { printTable, type Row } from './lib.js';

const TOKENS = 1000;
const SESSIONS = 5;

const policy = {
  credential: 'main', actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null,
  priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
};

export async function runServerBench(): Promise<Row[]> {
  const s = await startTestServer({ extraConfig: { trustProxy: true } });
  try {
    const owner = s.client('192.0.2.1');
    const { userKey, accountId } = await signUp(owner, 'glass@example.com');
    const unlock = { userKey: userKey.reveal((b) => b.toString('base64url')) };
    // A credential named by the tokens' policy: a sealed placeholder is enough to issue against.
    await owner.post('/api/v1/session/unlock', unlock);
    await connectBinance(s, owner, userKey, accountId, 'main');
    userKey.release();
    for (let i = 0; i < SESSIONS - 1; i++) await signIn(s.client(`192.0.2.${String(10 + i)}`), 'glass@example.com');

    // Issued from many addresses so the per-address rate limit does not pace the set-up.
    let made = 0;
    for (let batch = 0; made < TOKENS; batch++) {
      const c = owner.from(`198.51.100.${String(batch + 1)}`);
      const chunk = Math.min(400, TOKENS - made);
      await Promise.all(Array.from({ length: chunk }, (_, i) => c.post('/api/v1/tokens', { label: `bot ${String(made + i)}`, policy }).then((r) => {
        if (r.status !== 201) throw new Error(`token ${String(made + i)}: ${r.text}`);
      })));
      made += chunk;
    }
    const started = performance.now();
    const r = await owner.post<{ tokensRevoked: number; sessionsEnded: number; tookMs: number }>('/api/v1/account/break-glass', { confirm: 'BREAK GLASS' });
    const roundTrip = performance.now() - started;
    if (r.status !== 200) throw new Error(`break-glass: ${r.text}`);
    if (r.body.tokensRevoked < TOKENS) throw new Error(`break-glass revoked ${String(r.body.tokensRevoked)} of ${String(TOKENS)}`);
    const rows: Row[] = [
      { name: `break-glass, ${String(TOKENS)} tokens: server time`, value: r.body.tookMs, unit: 'ms', goal: '< 1000', met: r.body.tookMs < 1000 },
      { name: `break-glass, ${String(TOKENS)} tokens: client round trip`, value: roundTrip, unit: 'ms', goal: '< 1000', met: roundTrip < 1000 },
      { name: 'break-glass: tokens revoked', value: r.body.tokensRevoked, unit: 'tokens' },
      { name: 'break-glass: sessions ended', value: r.body.sessionsEnded, unit: 'sessions' },
    ];
    printTable('Server (npm run bench -- server)', rows);
    return rows;
  } finally {
    await s.close();
  }
}
