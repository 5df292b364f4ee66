import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runFoundationBench } from './foundation.bench.js';
import { runGatewayBench } from './gateway.bench.js';

const results = {
  command: 'npm run bench',
  at: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  foundation: await runFoundationBench(),
  gateway: await runGatewayBench(),
};
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(results, null, 2) + '\n';
writeFileSync(new URL(`${results.at.replace(/[:.]/g, '-')}.json`, dir), json);
writeFileSync(new URL('latest.json', dir), json);
console.log(`\nwrote bench/results/latest.json`);
