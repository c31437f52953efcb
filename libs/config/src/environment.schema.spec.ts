import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnvironment } from './environment.schema';

describe(validateEnvironment.name, () => {
  it('accepts the embedded defaults (nothing set)', () => {
    expect(() => validateEnvironment({})).not.toThrow();
  });

  it('names every wrong value', () => {
    expect(() =>
      validateEnvironment({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        MEDIA_PLANE: 'real',
        THROTTLE_LIMIT: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      }),
    ).toThrow(
      /PORT \('eighty'\)[\s\S]*DATABASE_URL \('mysql:\/\/x'\)[\s\S]*MEDIA_PLANE \('real'\)[\s\S]*THROTTLE_LIMIT \('0'\)[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT \('collector:4318'\): OTEL_EXPORTER_OTLP_ENDPOINT must be a http\/https URL/,
    );
  });

  it('names what production needs and is missing', () => {
    let message = '';
    try {
      validateEnvironment({ NODE_ENV: 'production' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['DATABASE_URL', 'AUTH_JWKS_URI', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'NOTIFICATION_SIGNING_KEY']) {
      expect(message).toContain(`${name} (missing)`);
    }
  });

  it('accepts a complete production configuration', () => {
    expect(() =>
      validateEnvironment({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://calls@db:5432/calls',
        AUTH_JWKS_URI: 'https://login.example.test/keys',
        AUTH_ISSUER: 'https://login.example.test/tenant/v2.0',
        AUTH_AUDIENCE: 'api://calls',
        AMQP_URL: 'amqp://guest:guest@rabbitmq:5672',
        REDIS_URL: 'redis://redis:6379',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
        NOTIFICATION_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n',
        PORT: '3000',
      }),
    ).not.toThrow();
  });

  it('takes the signing key from a file instead, and never repeats a secret or a password it refuses', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://calls@db:5432/calls',
      AUTH_JWKS_URI: 'https://login.example.test/keys',
      AUTH_ISSUER: 'https://login.example.test/tenant/v2.0',
      AUTH_AUDIENCE: 'api://calls',
    };
    expect(() =>
      validateEnvironment({ ...production, NOTIFICATION_SIGNING_KEY_FILE: '/var/run/secrets/calls/key.pem' }),
    ).not.toThrow();

    let message = '';
    try {
      validateEnvironment({
        ...production,
        NOTIFICATION_SIGNING_KEY: 'hunter2-not-a-pem',
        DATABASE_URL: 'mysql://calls:s3cret@db/calls',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'NOTIFICATION_SIGNING_KEY (set, not shown): NOTIFICATION_SIGNING_KEY must be a PEM private key',
    );
    expect(message).toContain("DATABASE_URL ('mysql://calls:***@db/calls')");
    expect(message).not.toMatch(/hunter2|s3cret/);
  });
});

describe('the configuration schema and its documentation', () => {
  const root = join(__dirname, '..', '..', '..');
  /** Every variable any process reads: `env.X`, `env['X']`, or a reader given `env, 'X'`. */
  function variablesRead(): Set<string> {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          entry.name.endsWith('.ts') &&
          !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) &&
          !path.includes('/testing/')
        ) {
          const source = readFileSync(path, 'utf8');
          for (const match of source.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)|\benv, '([A-Z][A-Z0-9_]+)'/g))
            names.add(match[1] ?? match[2]);
        }
      }
    };
    for (const dir of ['apps', 'libs']) walk(join(root, dir));
    return names;
  }
  const schema = new Set(
    [...readFileSync(join(__dirname, 'environment.schema.ts'), 'utf8').matchAll(/\b([A-Z][A-Z0-9_]+)\?:/g)].map(
      (m) => m[1],
    ),
  );

  it('names every variable the processes read, so each is checked at start', () => {
    const read = [...variablesRead()].sort();
    expect(read.length).toBeGreaterThan(40);
    expect(read.filter((name) => !schema.has(name))).toEqual([]);
  });

  it('is the table of docs/configuration.md: every variable there, and nothing else', () => {
    const table = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect([...schema].filter((name) => !table.includes(name)).sort()).toEqual([]);
    expect(table.filter((name) => !schema.has(name)).sort()).toEqual([]);
  });
});
