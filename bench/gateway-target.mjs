// A process the gateway benchmark measures: `sandbox`, a bare forwarding `proxy` (node:http and
// undici, no auth, no signing, no audit), or the Keyward `agent` (with or without its audit log).
// Prints one JSON line {url} once listening.
// Plain JavaScript run by plain node, importing the built packages (packages/keyward/dist, what
// `keyward agent` runs): no TypeScript loader in the measured processes, whose transform would
// add its own per-call work (esbuild's keepNames wraps every closure in a defineProperty call).
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { SecureBuffer } from '../packages/keyward/dist/crypto/index.js';
import { startAgent } from '../packages/keyward/dist/main/index.js';
import { startSandbox } from '../packages/keyward/dist/sandbox/index.js';

const [kind, arg1, arg2] = process.argv.slice(2);
if (kind === 'sandbox') {
  const s = await startSandbox({ seed: 1 });
  console.log(JSON.stringify({ url: s.url }));
} else if (kind === 'proxy') {
  const upstream = new URL(arg1 ?? '');
  const pool = new Pool(upstream.origin, { connections: 64 });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      pool.request({ method: req.method, path: req.url ?? '/', headers, body: chunks.length > 0 ? Buffer.concat(chunks) : null })
        .then(async (r) => {
          res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'application/json') });
          for await (const c of r.body) res.write(c);
          res.end();
        })
        .catch(() => { res.writeHead(502).end(); });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    console.log(JSON.stringify({ url: `http://127.0.0.1:${String(typeof a === 'object' && a !== null ? a.port : 0)}` }));
  });
} else if (kind === 'agent') {
  const a = await startAgent({
    location: { home: arg1 ?? '', db: undefined }, host: '127.0.0.1', port: 0, sandbox: false,
    upstreams: { binance: `${arg2 ?? ''}/binance` }, idleLockMs: 3_600_000, maxUnlockMs: 3_600_000,
    testOnlyAuditOff: process.argv.includes('--audit-off'),
  }, SecureBuffer.from(Buffer.from('bench password'), { wipeSource: true }));
  console.log(JSON.stringify({ url: a.url }));
}
process.on('SIGINT', () => process.exit(0));
