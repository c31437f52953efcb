import { Writable } from 'node:stream';
import request from 'supertest';
import { setLogDestination } from '@calls/runtime';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { startTestApp, TestApp } from '../support/test-app';

/** Structured JSON logs: request ids, tenant and app on the request's lines, never the token. */
describe('logs (HTTP)', () => {
  let database: TestDatabase;
  let service: TestApp;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    setLogDestination(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    database = await createSqliteDatabase();
    service = await startTestApp(database, { LOG_LEVEL: 'info' });
  });

  afterAll(async () => {
    await service?.close();
    setLogDestination(undefined);
    await database?.drop();
  });

  it('writes one lean JSON line per request with request-id, client-request-id, tenant and app, and never the token', async () => {
    const token = service.token();
    const res = await request(service.url)
      .post('/communications/calls/00000000-0000-4000-8000-000000000009/cancelMediaProcessing')
      .set('Authorization', `Bearer ${token}`)
      .set('client-request-id', 'client-42')
      .send({});
    expect(res.status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, 100));
    const ofRequest = lines.filter((l) => l.requestId === res.headers['request-id']);
    expect(ofRequest).toEqual([
      expect.objectContaining({
        level: 30,
        clientRequestId: 'client-42',
        tenantId: 'tenant-a',
        appId: 'app-a',
        req: {
          method: 'POST',
          url: '/communications/calls/00000000-0000-4000-8000-000000000009/cancelMediaProcessing',
        },
        res: { statusCode: 404 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('names the request on the lines written while it runs, such as why a caller was refused', async () => {
    const res = await request(service.url)
      .get('/communications/calls/00000000-0000-4000-8000-000000000009')
      .set('Authorization', 'Bearer not-a-token')
      .set('client-request-id', 'client-43');
    expect(res.status).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, 100));
    const ofRequest = lines.filter((l) => l.requestId === res.headers['request-id']);
    expect(ofRequest.map((l) => [l.level, l.clientRequestId, l.msg])).toEqual([
      [40, 'client-43', expect.stringMatching(/^GET \/communications\/calls\/\S+ 401 /)],
      [30, 'client-43', `GET /communications/calls/00000000-0000-4000-8000-000000000009 401`],
    ]);
    expect(JSON.stringify(ofRequest)).not.toContain('not-a-token');
  });

  it('leaves probes and scrapes out of the request lines', async () => {
    const before = lines.length;
    await request(service.url).get('/health/live').expect(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.slice(before)).toEqual([]);
  });
});
