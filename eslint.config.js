// ESLint for the whole tree, run by `npm test` after the type-check and before vitest.
// TypeScript everywhere gets typescript-eslint's recommended rules; the dashboard's browser
// modules get the browser globals, everything else (the CLI's .mjs, configs) Node's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // generated or data, not source: dependencies, test and bench output, recorded data
    ignores: ['node_modules/', '.out/', 'reports/', 'data/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.node,
    },
    linterOptions: {
      // a disable comment that no longer suppresses anything is itself a finding
      reportUnusedDisableDirectives: 'error',
    },
  },
  {
    files: ['helpdesk/web/public/js/**/*.js'],
    languageOptions: {
      globals: globals.browser,
    },
  },
);
