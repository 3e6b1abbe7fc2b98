// @ts-check
// ESLint for the UI: the recommended rules of ESLint, typescript-eslint and eslint-plugin-svelte,
// with every formatting rule off (Prettier formats; `npm run lint` checks both).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
  {
    // Built, installed or generated: ui/src/bindings is written by ts-rs from the Rust types.
    ignores: [
      'dist/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'coverage/',
      'src/bindings/',
    ],
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    // The app runs in the webview.
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    // The end-to-end tests and the benchmark run in Node and drive the page: the callbacks they
    // pass to `page.evaluate` run in the browser, so both sets of globals are real there.
    files: ['e2e/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Build and tool configuration, run by Node.
    files: ['*.config.js', '*.config.ts'],
    languageOptions: { globals: globals.node },
  },
  // Last: turn off the rules that Prettier's formatting would fight.
  prettier,
  svelte.configs.prettier,
);
