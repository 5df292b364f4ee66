// Lint: typescript-eslint's strict rules plus the import boundaries of ../shared/STYLE.md.
// Each module under packages/keyward/src may import only the modules listed for it, and
// only through their index.ts door; only tests may import testing/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const MODULES = [
  'crypto', 'kms', 'vault', 'exchanges', 'policy', 'tokens', 'audit', 'store', 'accounts',
  'gateway', 'api', 'sandbox', 'config', 'log', 'cli', 'main', 'testing', 'client', 'notify', 'trading',
];

/** Which modules each module may import (besides itself and @keyward/protocol). */
const ALLOWED = {
  crypto: [],
  kms: ['crypto'],
  store: [],
  vault: ['crypto', 'kms', 'store'],
  exchanges: ['vault'],
  policy: [],
  tokens: ['crypto', 'store'],
  audit: ['crypto', 'store'],
  accounts: ['crypto', 'store', 'vault'],
  gateway: ['exchanges', 'policy', 'tokens', 'audit', 'accounts', 'vault', 'store', 'crypto', 'log', 'config'],
  api: ['exchanges', 'policy', 'tokens', 'audit', 'accounts', 'vault', 'store', 'crypto', 'log', 'config', 'kms', 'notify', 'trading', 'gateway'],
  // The client end of the key hierarchy (what a browser or the CLI does before talking to a server).
  client: ['crypto', 'vault'],
  notify: [],
  trading: ['exchanges', 'gateway'],
  sandbox: ['log', 'config'],
  config: [],
  log: [],
  main: MODULES.filter((m) => m !== 'cli' && m !== 'testing' && m !== 'main'),
  cli: ['main', 'crypto', 'config', 'log'],
  testing: MODULES.filter((m) => m !== 'testing'),
};

const innerFile = {
  regex: `^(\\.\\./)+(${MODULES.join('|')})/(?!index\\.js$).+`,
  message: 'Import a module through its index.js door, never its inner files.',
};

function boundaryFor(mod) {
  const forbidden = MODULES.filter((m) => m !== mod && !ALLOWED[mod].includes(m) && m !== 'testing');
  const patterns = [innerFile, {
    regex: '^(\\.\\./)+testing/',
    message: 'testing/ is for tests only.',
  }];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
      message: `${mod}/ may import only: ${ALLOWED[mod].join(', ') || 'nothing from src'} (see STYLE.md).`,
    });
  }
  return {
    files: [`packages/keyward/src/${mod}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/*.contract.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/web/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  ...MODULES.map(boundaryFor),
  {
    // Only config/load-config.ts reads process.env (STYLE habit 7); the CLI reads the few
    // variables it documents through config too.
    files: ['packages/keyward/src/**/*.ts'],
    ignores: ['packages/keyward/src/config/**', '**/*.test.ts', 'packages/keyward/src/testing/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through config/, never process.env.' }],
    },
  },
  {
    files: ['packages/protocol/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'protocol is isomorphic: no Node built-ins.' }] }],
    },
  },
);
