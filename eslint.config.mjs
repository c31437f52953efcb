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
    // The examples are small command-line programs: printing what they receive is their output.
    files: ['examples/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
