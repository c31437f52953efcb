import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { startTestApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Per application per tenant, shared across replicas through Redis. */
describe('throttling (HTTP, SQLite, Redis)', () => {
  let database: TestDatabase;
  let replicas: TestApp[];
  // A tenant of this run alone, so counters in the shared Redis never meet another run's.
  const tenantId = `tenant-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    const env = { REDIS_URL, THROTTLE_LIMIT: '5', THROTTLE_WINDOW_MS: '60000' };
    replicas = [await startTestApp(database, env), await startTestApp(database, env)];
  });

  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await database?.drop();
  });

  const get = (replica: TestApp, appId: string) =>
    request(replica.url)
      .get('/communications/calls/00000000-0000-4000-8000-000000000001')
      .set('Authorization', `Bearer ${replica.token({ tenantId, appId })}`);

  it('answers 429 activityLimitReached with Retry-After once an app of a tenant used its limit on any replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(replicas[i % 2], 'app-1')).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);

    const throttled = await get(replicas[1], 'app-1');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body.error).toMatchObject({
      code: 'activityLimitReached',
      message: expect.stringMatching(/Retry after/),
    });

    // Another application of the same tenant has its own budget; health is never throttled.
    expect((await get(replicas[0], 'app-2')).status).toBe(404);
    expect((await request(replicas[0].url).get('/health/live')).status).toBe(200);
  });
});
