import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '*.config.js', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['apps/*/src/cli/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // One typed configuration tree (libs/config) reads the environment; everything else is handed its section.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/src/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through @calls/config (loadConfig) and take your section of it.',
        },
      ],
    },
  },
  {
    // On Node 20 (V8 11.3) every key written after a spread in an object literal (`{ ...props, status }`)
    // costs about 0.85 us: building one operation of a cancel took 8.5 us (docs/performance.md, sixth
    // session). Code a request runs names the fields, or spreads last.
    files: [
      'libs/domain/src/**/*.ts',
      'libs/application/src/**/*.ts',
      'libs/messaging/src/**/*.ts',
      'libs/runtime/src/**/*.ts',
      'libs/graph/src/**/*.ts',
      'libs/persistence/src/*.ts',
      'apps/calls-service/src/**/*.ts',
    ],
    ignores: [
      '**/*.spec.ts',
      '**/testing/**',
      'libs/persistence/src/database.config.ts',
      'libs/persistence/src/migrate.cli.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement ~ Property',
          message:
            'A key after a spread costs about 0.85 us each on Node 20: name the fields, or put the spread last (docs/performance.md).',
        },
      ],
    },
  },
  {
    // The examples are small command-line programs: printing what they receive is their output.
    files: ['examples/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
