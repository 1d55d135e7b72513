// Lint like temporalio/samples-typescript: floating promises are errors, and workflow code may not
// import Node built-ins or I/O libraries, so nondeterminism fails lint rather than production.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  { ignores: ['node_modules/', 'lib/', '.tools/', '.data/', 'results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...builtinModules.flatMap((name) => [name, `node:${name}`]),
            'axios',
            'pino',
            '@temporalio/activity',
            '@temporalio/client',
            '@temporalio/worker',
          ].map((name) => ({ name, message: 'Workflow code must be deterministic: do I/O in an activity.' })),
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/workers/*',
                '**/client/*',
                '**/simulator/*',
                '**/config',
                '**/tools/*',
              ],
              allowTypeImports: true,
              message: 'Workflows import activity types only (import type): I/O lives in activities.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
