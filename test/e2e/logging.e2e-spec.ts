import { Writable } from 'node:stream';
import request from 'supertest';
import { setLogDestination } from '@calls/runtime';
import { Client } from 'pg';
import { createPostgresDatabase, createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { establishedCall, startTestApp, TestApp } from '../support/test-app';

/**
 * Every JSON line the services of this file write, parsed. One capture for
 * the file: nestjs-pino keeps the first logger it was given for Nest's own
 * lines, for the life of the process.
 */
const lines: Record<string, unknown>[] = [];
beforeAll(() =>
  setLogDestination(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  ),
);
afterAll(() => setLogDestination(undefined));

/** Structured JSON logs: request ids, tenant and app on the request's lines, never the token. */
describe('logs (HTTP)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    service = await startTestApp(database, { LOG_LEVEL: 'info' });
  });

  afterAll(async () => {
    await service?.close();
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

/**
 * A line written deep in the stack while a request is served names it: a
 * statement the persistence layer finds slow (the call's row is held locked
 * by another session, so the cancel's save waits) is a warning with the
 * cancel's request-id and client-request-id, after its body was parsed.
 */
describe('logs (lines from the layers below HTTP)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    service = await startTestApp(database, { LOG_LEVEL: 'info', DATABASE_SLOW_STATEMENT_MS: '200' });
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('writes a slow statement as a warning naming the request it served', async () => {
    const callId = await establishedCall(service);
    const locker = new Client({ connectionString: database.settings.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM calls WHERE id = $1 FOR UPDATE', [callId]);
      const cancel = request(service.url)
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', `Bearer ${service.token()}`)
        .set('client-request-id', 'client-slow')
        .send({ clientContext: 'held' })
        .then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await locker.query('COMMIT');
      const res = await cancel;
      expect(res.status).toBe(200);

      await new Promise((resolve) => setTimeout(resolve, 100));
      const slow = lines.filter((line) => line.context === 'Database');
      expect(slow.map((line) => [line.level, line.requestId, line.clientRequestId])).toEqual([
        [40, res.headers['request-id'], 'client-slow'],
      ]);
      expect(slow[0].msg).toMatch(/^statement took \d+ ms: WITH up AS \(UPDATE calls SET /);
      expect(Number(/took (\d+) ms/.exec(String(slow[0].msg))?.[1])).toBeGreaterThanOrEqual(200);
    } finally {
      await locker.end();
    }
  });

  it('names no request on the lines of work that serves none', () => {
    const startup = lines.filter((line) => line.context === 'NestApplication' || line.context === 'InstanceLoader');
    expect(startup.length).toBeGreaterThan(2);
    expect(startup.filter((line) => 'requestId' in line || 'clientRequestId' in line)).toEqual([]);
  });
});
