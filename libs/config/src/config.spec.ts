import { resolve } from 'node:path';
import { GRAPH_CALLS_THROTTLE, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('gives the embedded defaults with nothing set: SQLite under ./data, the dev issuer, no broker', () => {
    const config = loadConfig({});
    expect(config.production).toBe(false);
    expect(config.http).toMatchObject({ port: 3000, host: '0.0.0.0', bodyLimitBytes: 65_536, trustProxy: false });
    expect(config.database).toEqual({
      databaseUrl: undefined,
      dataDir: resolve('./data'),
      runMigrations: true,
      poolSize: 10,
      statementTimeoutMs: 5000,
      slowStatementMs: 500,
    });
    expect(config.auth).toMatchObject({ mode: 'dev', audience: 'https://graph.microsoft.com' });
    expect(config.messaging).toMatchObject({ amqpUrl: undefined, exchange: 'calls.events', relayEnabled: true });
    expect(config.mediaPlane.mode).toBe('simulated');
    expect(config.throttling).toEqual({ ...GRAPH_CALLS_THROTTLE, redisUrl: undefined });
    expect(config.callLifetime.keepAliveTimeoutMs).toBe(45 * 60_000);
    expect(config.idempotency.ttlMs).toBe(24 * 3_600_000);
    expect(config.tracing).toEqual({ enabled: false, serviceName: undefined });
  });

  it("defaults throttling to Graph's documented limit for calls: 50,000 requests per 15 s per app per tenant", () => {
    expect(GRAPH_CALLS_THROTTLE).toEqual({ limit: 50_000, windowMs: 15_000 });
  });

  it('reads numbers as numbers and lists as lists, and takes an empty variable as not set', () => {
    const config = loadConfig({
      PORT: '8080',
      THROTTLE_LIMIT: '10',
      THROTTLE_WINDOW_MS: '1000',
      CALL_KEEPALIVE_TIMEOUT_S: '60',
      AUTH_JWKS_URI: 'https://login.example.test/keys',
      AUTH_ISSUER: 'https://a.example.test/v2.0, https://b.example.test/v2.0',
      TRUST_PROXY: '2',
      HOST: '',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.http.trustProxy).toBe(2);
    expect(config.throttling).toMatchObject({ limit: 10, windowMs: 1000 });
    expect(config.callLifetime.keepAliveTimeoutMs).toBe(60_000);
    expect(config.auth).toMatchObject({
      mode: 'jwks',
      issuers: ['https://a.example.test/v2.0', 'https://b.example.test/v2.0'],
    });
  });

  it('refuses a wrong value before building anything, naming it', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'ten' })).toThrow(/DATABASE_POOL_SIZE \('ten'\)/);
    expect(() => loadConfig({ MEDIA_PLANE: 'broker' })).toThrow('MEDIA_PLANE=broker needs AMQP_URL.');
  });

  it('derives the notification issuer from the public base URL unless one is set', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://calls.example.test/' }).notificationSigning.issuer).toBe(
      'https://calls.example.test',
    );
    expect(loadConfig({}).notificationSigning.issuer).toBe('calls-service');
  });
});
