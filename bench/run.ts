// `npm run bench [-- foundation|gateway]`: runs every benchmark, or only those named. A filtered run
// writes its own file and latest-<names>.json, so it never overwrites the full run's latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runFoundationBench } from './foundation.bench.js';
import { DURATION_MS, runGatewayBench } from './gateway.bench.js';
import { runServerBench } from './server.bench.js';

const SUITES = { foundation: runFoundationBench, gateway: runGatewayBench, server: runServerBench } as const;
type Suite = keyof typeof SUITES;
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !Object.hasOwn(SUITES, a));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
const chosen = (asked.length === 0 ? Object.keys(SUITES) : asked) as Suite[];

const results: Record<string, unknown> = {
  command: `npm run bench${asked.length === 0 ? '' : ` -- ${asked.join(' ')}`}`,
  at: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  /** Per target and number of connections, in the gateway suite. */
  gatewayDurationMs: DURATION_MS,
};
for (const s of chosen) results[s] = await SUITES[s]();
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(results, null, 2) + '\n';
const suffix = asked.length === 0 ? '' : `-${chosen.join('-')}`;
writeFileSync(new URL(`${String(results.at).replace(/[:.]/g, '-')}${suffix}.json`, dir), json);
writeFileSync(new URL(`latest${suffix}.json`, dir), json);
console.log(`\nwrote bench/results/latest${suffix}.json`);
