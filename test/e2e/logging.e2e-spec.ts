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
    const line = lines.find((l) => (l.req as { id?: string } | undefined)?.id === res.headers['request-id']);
    expect(line).toMatchObject({
      level: 30,
      clientRequestId: 'client-42',
      tenantId: 'tenant-a',
      appId: 'app-a',
      res: { statusCode: 404 },
    });
    expect((line!.req as Record<string, unknown>).headers).toBeUndefined(); // no headers, so no token to leak
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});
