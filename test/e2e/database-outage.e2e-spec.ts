import request from 'supertest';
import { TcpProxy } from '../support/tcp-proxy';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, startTestApp, TestApp } from '../support/test-app';

/** The database goes away behind a proxy the test cuts: fast 503s, no partial state, recovery on its own. */
describe('database outage (HTTP, PostgreSQL through a TCP proxy)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let service: TestApp;
  let auth: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = new TcpProxy(5432);
    await proxy.start();
    const url = new URL(database.settings.databaseUrl!);
    url.port = String(proxy.port);
    service = await startTestApp(
      { ...database, settings: { ...database.settings, databaseUrl: url.toString() } },
      { DATABASE_STATEMENT_TIMEOUT_MS: '1000' },
    );
    auth = `Bearer ${service.token()}`;
  });

  afterAll(async () => {
    await service?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503 serviceNotAvailable with Retry-After while the database is unreachable, then recovers by itself', async () => {
    const api = () => request(service.url);
    const before = await api().post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY);
    expect(before.status).toBe(201);
    const readyBefore = await api().get('/health/ready');
    expect({ status: readyBefore.status, body: readyBefore.body.status }).toEqual({ status: 200, body: 'ok' });

    await proxy.stop();
    const started = Date.now();
    const during = await api().post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY);
    const read = await api().get(`/communications/calls/${before.body.id}`).set('Authorization', auth);
    expect(Date.now() - started).toBeLessThan(5000); // no hang past the configured timeout
    for (const res of [during, read]) {
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('serviceNotAvailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }

    const notReady = await api().get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect((await api().get('/health/live')).status).toBe(200);

    await proxy.start();
    let after: request.Response | undefined;
    for (let i = 0; i < 50; i++) {
      after = await api().get(`/communications/calls/${before.body.id}`).set('Authorization', auth);
      if (after.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after?.status).toBe(200);
    expect(after?.body.id).toBe(before.body.id);
    expect((await api().get('/health/ready')).status).toBe(200);
  });
});
