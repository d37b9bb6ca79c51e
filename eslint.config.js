// ESLint: typescript-eslint's strict and stylistic type-checked rules over every TypeScript file.
// Formatting is Prettier's job (`npm run format:check`); eslint-config-prettier turns off the
// rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'node_modules/',
    '**/__generated__/',
    'bench/results/',
    'client/generated/',
    'web/dist/',
    'test-results/',
  ]),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Named in issue 12 as checks this codebase relies on; on in the presets, stated so a preset
      // change cannot turn them off silently.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Numbers (counts, ports, cents, milliseconds) read the same in every message; other
      // non-strings (null, objects, unions with undefined) still need an explicit conversion.
      // `_name` marks a deliberately unused binding (as tsconfig's noUnusedParameters allows), and
      // `const { dropped, ...rest } = x` is how a property is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `process.env.X || fallback`: an empty environment variable means "not set", so `||` on
      // strings is deliberate; `??` is still required for numbers, booleans and objects.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node:test's describe/it/before/after return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
  {
    // In a test a wrong `!` throws and fails the test, as the assertion it replaces would; the
    // rule stays on in runtime code, where a wrong `!` is a crash in production.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // This file is plain JavaScript outside tsconfig.json.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
