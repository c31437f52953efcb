import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { LocalBudgetThrottlerStorage } from '../../apps/calls-service/src/throttling/local-budget.storage';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two replicas' throttling storages on one real Redis, each app key private to the test. */
describe('LocalBudgetThrottlerStorage (Redis)', () => {
  const clients: Redis[] = [];
  const replica = () => {
    const redis = new Redis(REDIS_URL);
    clients.push(redis);
    return { redis, storage: new LocalBudgetThrottlerStorage(redis) };
  };
  const appKey = () => `calls-throttle:test:${process.pid}:${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('never admits more than the limit across replicas, and refuses early by at most a slice per replica', async () => {
    const [a, b] = [replica(), replica()];
    const key = appKey();
    const limit = 1000; // slices of 10
    let admitted = 0;
    for (let i = 0; i < 1200; i++) {
      const record = await (i % 3 === 0 ? a : b).storage.increment(key, 60_000, limit, 60_000, 'default');
      if (!record.isBlocked) admitted += 1;
    }
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * (LocalBudgetThrottlerStorage.sliceOf(limit) - 1));
    const refused = await a.storage.increment(key, 60_000, limit, 60_000, 'default');
    expect(refused).toMatchObject({ isBlocked: true });
    expect(refused.timeToBlockExpire).toBeGreaterThanOrEqual(1);
    expect(refused.timeToBlockExpire).toBeLessThanOrEqual(60);
  });

  it('asks Redis once per slice, and not at all once the window is spent', async () => {
    const { redis, storage } = replica();
    const calls = jest.spyOn(redis, 'eval');
    const key = appKey();
    for (let i = 0; i < 500; i++) await storage.increment(key, 60_000, 1000, 60_000, 'default');
    expect(calls).toHaveBeenCalledTimes(50);

    calls.mockClear();
    const small = appKey();
    for (let i = 0; i < 20; i++) await storage.increment(small, 60_000, 5, 60_000, 'default');
    // Five slices of one, the sixth finds the budget spent; the fourteen after it stay local.
    expect(calls).toHaveBeenCalledTimes(6);
  });

  it('counts small limits exactly, with requests arriving together', async () => {
    const [a, b] = [replica(), replica()];
    const key = appKey();
    const records = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).storage.increment(key, 60_000, 7, 60_000, 'default')),
    );
    expect(records.filter((record) => !record.isBlocked)).toHaveLength(7);
  });

  it('admits again once the window ends', async () => {
    const { storage } = replica();
    const key = appKey();
    for (let i = 0; i < 3; i++) expect((await storage.increment(key, 300, 3, 300, 'default')).isBlocked).toBe(false);
    expect((await storage.increment(key, 300, 3, 300, 'default')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await storage.increment(key, 300, 3, 300, 'default')).isBlocked).toBe(false);
  });
});
