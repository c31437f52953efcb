/**
 * The layering of docs/architecture.md, enforced: the domain knows no
 * infrastructure, the application knows no HTTP and no TypeORM.
 */
const INFRASTRUCTURE = [
  '^libs/(persistence|messaging|auth|graph)/',
  '^apps/',
  '(^|/)node_modules/(typeorm|@nestjs/typeorm|pg|better-sqlite3|amqplib|fastify|@nestjs/platform-fastify|@nestjs/passport|passport|passport-jwt|jwks-rsa|jsonwebtoken|class-validator|class-transformer)/',
];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'libs/domain holds the rules of calls; persistence, messaging, auth, HTTP and apps depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: [...INFRASTRUCTURE, '^libs/application/'] },
    },
    {
      name: 'application-knows-no-http-or-typeorm',
      comment: 'Use cases talk to ports; HTTP shapes and TypeORM stay in apps, graph and persistence.',
      severity: 'error',
      from: { path: '^libs/application/' },
      to: { path: INFRASTRUCTURE },
    },
    {
      name: 'event-contract-is-not-the-http-shape',
      comment:
        'calls.v1 payloads are written by libs/messaging alone: a change to a Graph response (libs/graph) must not change a published event.',
      severity: 'error',
      from: { path: '^libs/messaging/' },
      to: { path: '^libs/graph/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|data)/' },
  },
};
