import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { createApp } from '../../apps/calls-service/src/bootstrap';
import { loadConfig } from '@calls/config';
import { createSqliteDatabase } from '../support/test-databases';
import type { TestDatabase } from '../support/test-databases';

const CALLS = '/communications/calls';

/**
 * A route as docs/api.md writes it: `/v1.0`, `/beta` and the `/app/calls`
 * alias folded into `/communications/calls` (the table says every route
 * answers under them), the namespace-qualified action name into the plain
 * one, and every path parameter as `{}`.
 */
function canonical(method: string, path: string): string {
  const plain = path
    .replace(/^\/(v1\.0|beta)(?=\/)/, '')
    .replace(/^\/app\/calls/, CALLS)
    .replace(/\/microsoft\.graph\.(\w+)$/, '/$1')
    .replace(/:\w+|\{\w+\}/g, '{}');
  return `${method} ${plain}`;
}

/** The routes of docs/api.md's table, `.../` standing for `/communications/calls/`. */
function documentedRoutes(): string[] {
  const table = readFileSync(join(__dirname, '../../docs/api.md'), 'utf8')
    .split('\n')
    .filter((line) => /^\| `(GET|POST|DELETE|PUT|PATCH) /.test(line));
  return table.map((line) => {
    const [method, path] = /^\| `(\w+) ([^`]+)`/.exec(line)!.slice(1);
    return canonical(method, path.replace(/^\.\.\.\//, `${CALLS}/`));
  });
}

/** The API reference lists every route the service serves, and only those. */
describe('docs/api.md against the router (HTTP, SQLite)', () => {
  let database: TestDatabase;
  const served = new Set<string>();

  beforeAll(async () => {
    database = await createSqliteDatabase();
    const saved = { ...process.env };
    delete process.env.AUTH_JWKS_URI; // the embedded default, as `npm start` runs
    Object.assign(process.env, { DATA_DIR: database.settings.dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' });
    try {
      const app = await createApp(loadConfig(), { logger: false });
      const fastify = app.getHttpAdapter().getInstance();
      // Routes registered so far (by createApp itself) and every one Nest registers at init.
      for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
        const match = /([/\w.:-]+) \(([A-Z, ]+)\)/.exec(line.replace(/^[│├└─\s]+/, ''));
        if (match) for (const method of match[2].split(', ')) served.add(`${method} ${match[1]}`);
      }
      fastify.addHook('onRoute', (route: RouteOptions) => {
        for (const method of [route.method].flat()) served.add(`${method} ${route.url}`);
      });
      await app.init();
      await app.close();
    } finally {
      process.env = saved;
    }
  });

  afterAll(() => database?.drop());

  const servedCanonical = () =>
    new Set(
      [...served]
        .map((entry) => entry.split(' ') as [string, string])
        .filter(([method]) => method !== 'HEAD' && method !== 'OPTIONS')
        .map(([method, path]) => canonical(method, path)),
    );

  it('finds the routes the service serves (the test reads the router, not a list of its own)', () => {
    const routes = servedCanonical();
    expect(routes.has(`POST ${CALLS}/{}/cancelMediaProcessing`)).toBe(true);
    expect(routes.size).toBeGreaterThan(15);
  });

  it('lists every route the service serves', () => {
    const documented = new Set(documentedRoutes());
    expect([...servedCanonical()].filter((route) => !documented.has(route)).sort()).toEqual([]);
  });

  it('lists no route the service does not serve', () => {
    const routes = servedCanonical();
    expect(documentedRoutes().filter((route) => !routes.has(route))).toEqual([]);
  });
});
