import { GRAPH_CALLS_THROTTLE, throttlingSettingsFromEnv } from './throttling.module';

describe(throttlingSettingsFromEnv.name, () => {
  it("defaults to Graph's documented limit for calls: 50,000 requests per 15 s per application per tenant", () => {
    expect(throttlingSettingsFromEnv({})).toEqual({ limit: 50_000, windowMs: 15_000, redisUrl: undefined });
    expect(GRAPH_CALLS_THROTTLE).toEqual({ limit: 50_000, windowMs: 15_000 });
  });

  it('takes the limit and window an operator sets', () => {
    expect(throttlingSettingsFromEnv({ THROTTLE_LIMIT: '10', THROTTLE_WINDOW_MS: '1000' })).toMatchObject({
      limit: 10,
      windowMs: 1000,
    });
  });
});
