import { GRADIENT_TUNING, GradientLimit } from './gradient-limit';

const settings = {
  ...GRADIENT_TUNING,
  initialLimit: 20,
  minLimit: 4,
  maxLimit: 100,
  windowMs: 100,
  minSamples: 10,
};

/** Feeds `windows` windows of answers that each took `latencyMs`, with `inFlight` in flight, from `start`. */
function feed(limit: GradientLimit, windows: number, latencyMs: number, inFlight: number, start: number): number {
  let now = start;
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 10; i++) limit.record(latencyMs, inFlight, (now += 10));
  }
  return now;
}

describe('GradientLimit', () => {
  it('grows while latency holds at its usual level and the limit is used', () => {
    const limit = new GradientLimit(settings, 0);
    feed(limit, 30, 5, 100, 0);
    expect(limit.limit).toBeGreaterThan(40);
  });

  it('does not grow on windows that used less than half of it', () => {
    const limit = new GradientLimit(settings, 0);
    feed(limit, 30, 5, 5, 0);
    expect(limit.limit).toBe(20);
  });

  it('shrinks when latency rises past the tolerated multiple of the usual, down to its minimum', () => {
    const limit = new GradientLimit(settings, 0);
    let now = feed(limit, 30, 5, 100, 0);
    const grown = limit.limit;
    now = feed(limit, 5, 40, 100, now);
    expect(limit.limit).toBeLessThan(grown);
    feed(limit, 200, 400, 100, now);
    expect(limit.limit).toBe(settings.minLimit);
  });

  it('holds steady within the tolerance (1.4x the usual latency)', () => {
    const limit = new GradientLimit({ ...settings, maxLimit: 1000 }, 0);
    const now = feed(limit, 30, 10, 1000, 0);
    const before = limit.limit;
    feed(limit, 5, 14, 1000, now);
    expect(limit.limit).toBeGreaterThanOrEqual(before);
  });

  it('updates only once a window has both its time and its samples', () => {
    const limit = new GradientLimit(settings, 0);
    const now = feed(limit, 30, 5, 100, 0);
    const before = limit.limit;
    for (let i = 1; i <= 9; i++) limit.record(500, 100, now + i * 100); // its time passed, too few samples
    expect(limit.limit).toBe(before);
    limit.record(500, 100, now + 1000);
    expect(limit.limit).toBeLessThan(before);
  });

  it('keeps refusing to grow through a long overload: the usual latency follows a rise only slowly', () => {
    const limit = new GradientLimit(settings, 0);
    let now = feed(limit, 30, 5, 100, 0);
    const grown = limit.limit;
    now = feed(limit, 300, 50, 100, now); // 30 s at 10x the usual latency
    const held = limit.limit;
    expect(held).toBeLessThanOrEqual(10); // Gradient2's long average would be at 50 ms by now, and the limit back up
    feed(limit, 30, 5, 100, now);
    expect(limit.limit).toBeGreaterThan(held); // and it grows back once latency is usual again
    expect(grown).toBeGreaterThan(40);
  });

  it('stays within its maximum', () => {
    const limit = new GradientLimit(settings, 0);
    feed(limit, 500, 5, 1000, 0);
    expect(limit.limit).toBe(settings.maxLimit);
  });
});
