// A small rule set: the recommended JavaScript, TypeScript and Svelte rules,
// plus the house rules that matter here (no empty catch, no alert). Type
// checking itself is svelte-check's job (`npm run check`).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'tests/fixtures/', 'test-results/', 'playwright-report/', '.cache/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-alert': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // The import cleaner's patterns match control characters on purpose.
      'no-control-regex': 'off',
      // Maps and Sets in state are replaced whole ($state.raw), never mutated in place.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  // TypeScript checks names itself (DOM types such as BlobPart are not runtime globals).
  { files: ['**/*.ts', '**/*.svelte'], rules: { 'no-undef': 'off' } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
