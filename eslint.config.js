// ESLint for the whole tree, run by `npm test` after the type-check and before vitest.
// TypeScript everywhere gets typescript-eslint's recommended rules; the dashboard's browser
// modules get the browser globals, everything else (the CLI's .mjs, configs) Node's.
// Not the type-aware set (recommendedTypeChecked): it builds the whole program again, as tsc just
// did, and took the lint from about 6 s to about 27 s on our 2-core machine.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // generated or data, not source: dependencies, test and bench output, recorded data
  globalIgnores(['node_modules/', '.out/', 'reports/', 'data/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: {
      // a disable comment that no longer suppresses anything is itself a finding
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // `const { v: _v, seq: _s, ...body } = message` is how the code drops keys from an object
      // (envelope fields, secrets, slots): the names beside a rest element are unused on purpose
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // a `let` that a closure reads before its one assignment stays a `let`: as a `const` it would
      // be in its temporal dead zone if the closure ran early (an SSE stream closed before its
      // heartbeat started)
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // declaration files describe untyped packages and modules (johnny-five, firmata-io, the
    // dashboard's modules for tests): their classes are reached through the module's exported
    // object's type (`typeof Sensor`), which this rule counts as "only used as a type"
    files: ['**/*.d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // the dashboard's modules run in the browser only: no `process`, `Buffer` or `require` there
    files: ['helpdesk/web/public/js/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    ignores: ['helpdesk/web/public/js/**'],
    languageOptions: { globals: globals.node },
  },
);
