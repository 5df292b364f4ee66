// Prints the gzipped size of the JavaScript a first visit downloads (the entry chunk and every
// chunk it imports statically) and of each lazily loaded chunk (libsodium's WebAssembly build
// among them), and fails when the initial JavaScript is above the budget.
// Run after `vite build`: node packages/web/scripts/report-size.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1024;
const dist = new URL('../dist/', import.meta.url);

let manifest;
try {
  manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));
} catch {
  console.error('report-size: no dist/.vite/manifest.json; run `vite build` first');
  process.exit(1);
}

const gzipped = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// Everything reachable from the entries through static imports is initial; the rest is lazy.
const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (chunk === undefined || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
};
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
if (initial.size === 0) {
  console.error('report-size: the manifest has no entry chunk');
  process.exit(1);
}

const js = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith('.js'));
let initialBytes = 0;
for (const file of js.sort()) {
  const size = gzipped(file);
  const isInitial = initial.has(file);
  if (isInitial) initialBytes += size;
  console.log(`${isInitial ? 'initial' : 'lazy   '}  ${kb(size).padStart(9)}  ${file}`);
}
console.log(`initial JavaScript, gzipped: ${kb(initialBytes)} (budget ${kb(BUDGET_BYTES)})`);
if (initialBytes > BUDGET_BYTES) {
  console.error('report-size: the initial JavaScript is over budget; load the new code lazily (import()) or trim it');
  process.exit(1);
}
