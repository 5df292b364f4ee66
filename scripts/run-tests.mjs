// Runs every test file: unit tests beside the code (*.test.ts) and cross-process tests under test/.
// Node 20's runner does not expand globs, and `node --test` with no files runs nothing, so the
// files are listed here, and an empty list is an error rather than a silent pass.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages/protocol/src', 'packages/keyward/src', 'packages/web/src', 'test'];
const filter = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = roots.flatMap((r) => {
  try { return walk(join(root, r), []); } catch { return []; }
}).filter((f) => filter.length === 0 || filter.some((s) => f.includes(s))).sort();

if (files.length === 0) {
  console.error('run-tests: no test files found' + (filter.length ? ` matching ${filter.join(' ')}` : ''));
  process.exit(1);
}
console.log(`run-tests: ${files.length} files`);
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files,
], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
