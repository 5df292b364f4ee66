// DESIGN.md: revoking a token revokes its whole subtree, effective at the next request. The
// revocation comes from the CLI, another process, while the agent runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { agent, makeVault, PASSWORD, policy, recordingUpstream, token } from '../helpers/agent.js';
import { baseEnv, runCli } from '../helpers/cli.js';

const upstream = await recordingUpstream();
const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
const parent = await token(home, policy({ credential: 'b', actions: ['read', 'trade'] }));
const child = await token(home, policy({ credential: 'b', actions: ['read'] }), parent.accessor);
const grandchild = await token(home, policy({ credential: 'b', actions: ['read'] }), child.accessor);
const sibling = await token(home, policy({ credential: 'b', actions: ['read'] }));
const a = await agent(home, { binance: `${upstream.url}/binance` });
after(async () => {
  await a.close();
  await upstream.close();
});

const account = async (t: string): Promise<{ status: number; body: string }> => {
  const r = await request(`${a.url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t } });
  return { status: r.statusCode, body: await r.body.text() };
};

test('a revoked token and every token under it are refused at their next request; others are not', async () => {
  for (const t of [parent, child, grandchild, sibling]) assert.equal((await account(t.token)).status, 200);
  const work = home.replace(/\/?$/, '');
  writeFileSync(join(work, 'pw'), PASSWORD);
  const r = runCli(['token', 'revoke', child.accessor, '--home', home], { cwd: work, env: baseEnv(work) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `keyward: revoked 2 tokens (${child.accessor} and everything under it)\n`);
  for (const t of [child, grandchild]) {
    const res = await account(t.token);
    assert.equal(res.status, 401);
    assert.match(res.body, /KW_TOKEN_REVOKED/);
  }
  for (const t of [parent, sibling]) assert.equal((await account(t.token)).status, 200);
  assert.equal(runCli(['token', 'revoke', parent.accessor, '--home', home], { cwd: work, env: baseEnv(work) }).status, 0);
  assert.equal((await account(parent.token)).status, 401);
  assert.equal((await account(sibling.token)).status, 200);
});
