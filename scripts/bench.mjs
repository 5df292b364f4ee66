// `npm run bench`: runs every benchmark, prints its table, writes bench/results/<time>.json and
// bench/results/latest.json. Numbers come from this machine, this run: compare ratios, not times.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The gateway benchmark runs the built packages, as `keyward agent` does: build them first
// (incremental, quick when nothing changed).
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'packages/protocol', 'packages/keyward'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
