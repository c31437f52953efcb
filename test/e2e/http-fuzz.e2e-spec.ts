import fc from 'fast-check';
import request from 'supertest';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, startTestApp, TestApp } from '../support/test-app';

/** Thousands of generated requests: never a 5xx, and every 4xx in Graph's error shape. */
describe('HTTP surface under generated input (HTTP, SQLite)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let auth: string;
  let callId: string;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    service = await startTestApp(database, { THROTTLE_LIMIT: '1000000' });
    auth = `Bearer ${service.token()}`;
    callId = (
      await request(service.url).post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY)
    ).body.id;
    await eventually(
      () => request(service.url).get(`/communications/calls/${callId}`).set('Authorization', auth),
      (res) => res.body.state === 'established',
    );
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const id = () =>
    fc.oneof(
      fc.constant(callId),
      fc.uuid(),
      fc.string({ maxLength: 80 }).map((s) => encodeURIComponent(s) || 'x'),
    );
  const action = fc.constantFrom(
    '',
    '/playPrompt',
    '/recordResponse',
    '/subscribeToTone',
    '/cancelMediaProcessing',
    '/operations/00000000-0000-4000-8000-000000000001',
    '/operations/x',
    '/unknown',
  );
  const prefix = fc.constantFrom(
    '/communications/calls',
    '/app/calls',
    '/v1.0/communications/calls',
    '/beta/app/calls',
    '/nope',
  );
  const body = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc
      .record(
        {
          clientContext: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
          prompts: fc.oneof(
            fc.array(fc.record({ mediaInfo: fc.record({ uri: fc.oneof(fc.webUrl(), fc.string()) }) }), {
              maxLength: 22,
            }),
            fc.anything(),
          ),
          maxRecordDurationInSeconds: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.string()),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 200 }),
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined);
  const method = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH');
  const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,200}$/);

  it('never answers 5xx, and answers every 4xx with a Graph error body and request ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        prefix,
        id(),
        action,
        body,
        contentType,
        fc.option(headerValue),
        fc.option(headerValue),
        async (verb, base, target, suffix, payload, type, clientRequestId, idempotencyKey) => {
          const path = `${base}/${target}${suffix}`;
          let req = request(service.url)[verb.toLowerCase() as 'get'](path).set('Authorization', auth);
          if (clientRequestId) req = req.set('client-request-id', clientRequestId);
          if (idempotencyKey) req = req.set('Idempotency-Key', idempotencyKey);
          if (verb !== 'GET' && verb !== 'DELETE' && type) req = req.set('Content-Type', type).send(payload);
          const res = await req;
          expect({ path, status: res.status }).toEqual({ path, status: expect.any(Number) });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
