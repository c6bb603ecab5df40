import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

/** What deterministic code (workflows/, domain/) may not import. */
const deterministicPaths = [
  ...nodeBuiltins.map((name) => ({ name, message: 'Node APIs are not allowed in workflows/ or domain/.' })),
  ...nodeBuiltins.map((name) => ({
    name: `node:${name}`,
    message: 'Node APIs are not allowed in workflows/ or domain/.',
  })),
  { name: 'pg', message: 'Database access belongs in activities/ and db/.' },
  { name: '@temporalio/activity', message: 'Activities run in the worker, not in workflow code.' },
  { name: '@temporalio/client', message: 'Use child workflows or signals from workflow code.' },
  { name: '@temporalio/worker', message: 'Workers are built in workers/.' },
];
const deterministicPatterns = [
  {
    group: ['**/activities/*', '**/activities'],
    allowTypeImports: true,
    message: 'Workflows may import activity types only (import type).',
  },
  {
    group: ['**/db/*', '**/connectors/*', '**/platform/*', '**/sandbox/*', '**/api/*'],
    message: 'I/O layers are not allowed in workflows/ or domain/.',
  },
];
const restrictImports = (...extra) => [
  'error',
  { paths: [...deterministicPaths, ...extra], patterns: deterministicPatterns },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.quayside/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code must stay deterministic: no I/O, no Node APIs, no environment, no activity implementations.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'process (and process.env) is not available to deterministic code.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use a loop with sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'I/O belongs in activities.' },
        { name: 'require', message: 'Use static imports.' },
      ],
    },
  },
  {
    // domain/ holds no Temporal code; a process's contract only defines its messages.
    files: ['domain/**/*.ts'],
    ignores: ['domain/contracts/**'],
    rules: {
      'no-restricted-imports': restrictImports({
        name: '@temporalio/workflow',
        message:
          "domain/ does not use the Temporal SDK; a process's messages are defined in its contract (domain/contracts/).",
      }),
    },
  },
  {
    files: ['domain/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports({
        name: '@temporalio/workflow',
        allowImportNames: ['defineSignal', 'defineQuery', 'defineUpdate'],
        message:
          'A contract defines its messages with defineSignal/defineQuery/defineUpdate and nothing else of the SDK.',
      }),
    },
  },
  {
    // Activity options are named profiles, written once (workflows/activity-profiles.ts).
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/activity-profiles.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.name=/^proxy(Local)?Activities$/][arguments.0.type!='MemberExpression']",
          message:
            'Pass a named profile from workflows/activity-profiles.ts (PROFILES.<name>), not inline options.',
        },
      ],
    },
  },
);
