// The web app's build: React, output in packages/web/dist, which `keyward serve` serves. The
// manifest lets scripts/report-size.mjs tell the initial JavaScript from lazily loaded chunks
// (libsodium's WebAssembly build arrives only when a password is first used).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // libsodium's chunk is large by nature and loaded lazily; the budget that matters is the
    // initial one, which report-size.mjs enforces.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `vite` during development, with `keyward serve` on its default port for the API.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
