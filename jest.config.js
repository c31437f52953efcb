// Nest 12 and some of its dependencies ship ESM only: @swc/jest compiles them
// (and our TypeScript, with legacy decorators and their metadata) to CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const aliases = Object.fromEntries(
  [
    'config',
    'domain',
    'application',
    'persistence',
    'auth',
    'messaging',
    'graph',
    'notifications',
    'media-plane',
    'runtime',
  ].flatMap((lib) => [
    [`^@calls/${lib}$`, `<rootDir>/libs/${lib}/src`],
    [`^@calls/${lib}/(.*)$`, `<rootDir>/libs/${lib}/src/$1`],
  ]),
);

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  testMatch,
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@microsoft|file-type|strtok3|token-types|peek-readable|uint8array-extras|@tokenizer|load-esm|jose|uuid)/)',
  ],
  moduleNameMapper: aliases,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  ...extra,
});

module.exports = {
  // Real databases, brokers and waits for retries take more than the default 5 s (a global option in jest 30).
  testTimeout: 30_000,
  projects: [
    project('unit', ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts']),
    project('integration', ['<rootDir>/test/integration/**/*.int-spec.ts']),
    project('e2e', ['<rootDir>/test/e2e/**/*.e2e-spec.ts']),
  ],
};
