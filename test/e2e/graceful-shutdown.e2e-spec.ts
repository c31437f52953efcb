import { Client } from 'pg';
import request from 'supertest';
import { shutDown } from '@calls/runtime';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, startTestApp, TestApp } from '../support/test-app';

/** What SIGTERM runs: in-flight requests finish, new connections are refused, exit code 0 within the grace time. */
describe('graceful shutdown (HTTP, PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    service = await startTestApp(database);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('finishes the request in flight, then closes and answers exit code 0', async () => {
    // Hold a lock so the create-call request is still in flight when shutdown starts.
    const blocker = new Client({ connectionString: database.settings.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE calls IN EXCLUSIVE MODE');
    const inFlight = request(service.url)
      .post('/communications/calls')
      .set('Authorization', `Bearer ${service.token()}`)
      .send(CREATE_CALL_BODY)
      .then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exitCode = shutDown(service.app, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await request(service.url)
      .get('/health/live')
      .then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code,
      );
    await blocker.query('COMMIT');
    await blocker.end();

    expect((await inFlight).status).toBe(201);
    expect(refused).toBe('ECONNREFUSED');
    expect(await exitCode).toBe(0);
  });
});
