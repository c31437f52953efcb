import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

/*
 * Graph's request limit kept across replicas without a Redis round trip per
 * request. Each replica takes a slice of an app's budget from Redis at a time
 * (one INCRBY for `slice` requests) and spends it locally; only when its
 * slice is spent does it ask again. Written by hand: the Redis storages for
 * @nestjs/throttler count every request in Redis, and none hands out slices.
 *
 * The tolerance, documented in docs/operations.md: the limit is never
 * exceeded, since every slice is counted in Redis when it is taken; a
 * replica may refuse up to (slice - 1) requests per window sooner than exact
 * counting would, when other replicas hold parts of their slices unspent.
 * A slice is 1% of the limit, at most 100 and at least 1: at Graph's 50,000
 * per 15 s, 10 replicas refuse at most 990 requests (2%) early; small limits
 * (tests, 5 per window) are counted exactly. The window starts at an app's
 * first request, as in @nestjs/throttler's own storages; once it is spent,
 * a replica refuses locally until the window ends, so a bot that keeps
 * hammering costs Redis nothing.
 */

/** Adds a slice, starts the window on the first one, and answers the new total and the window's remaining ms. */
const TAKE_SLICE = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {total, ttl}
`;

interface Budget {
  /** Requests this replica may still admit in the window. */
  left: number;
  /** When the window ends (epoch ms). */
  windowEnd: number;
  /** The window's budget is spent everywhere: refuse without asking Redis. */
  spent: boolean;
  /** The count in Redis after this replica's last slice, for the rate-limit headers. */
  counted: number;
  taking: Promise<void> | null;
}

/** What the guard reads back (the package does not export this type by name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Budgets kept at most; windows that ended are dropped first. */
const MAX_KEYS = 10_000;

export class LocalBudgetThrottlerStorage implements ThrottlerStorage {
  private readonly budgets = new Map<string, Budget>();

  constructor(private readonly redis: Redis) {}

  static sliceOf(limit: number): number {
    return Math.max(1, Math.min(100, Math.floor(limit / 100)));
  }

  /** A refusal blocks until the window ends, so `blockDuration` (equal to the window here) is not used. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration?: number,
    _throttlerName?: string,
  ): Promise<ThrottlerStorageRecord> {
    const budget = this.budgetOf(key);
    while (budget.left === 0 && !budget.spent) {
      // Requests arriving together wait for one slice instead of each asking Redis.
      await (budget.taking ??= this.take(key, budget, ttl, limit).finally(() => (budget.taking = null)));
      if (Date.now() >= budget.windowEnd) this.reset(budget);
    }
    const timeToExpire = Math.max(1, Math.ceil((budget.windowEnd - Date.now()) / 1000));
    if (budget.left === 0)
      return { totalHits: limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
    budget.left -= 1;
    return { totalHits: budget.counted - budget.left, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  private async take(key: string, budget: Budget, ttl: number, limit: number): Promise<void> {
    const slice = LocalBudgetThrottlerStorage.sliceOf(limit);
    const [total, remainingMs] = (await this.redis.eval(TAKE_SLICE, 1, `${key}:budget`, slice, ttl)) as [
      number,
      number,
    ];
    const before = total - slice;
    const granted = Math.max(0, Math.min(slice, limit - before));
    budget.left += granted;
    budget.counted = before + granted;
    budget.windowEnd = Date.now() + remainingMs;
    budget.spent = granted < slice;
  }

  private budgetOf(key: string): Budget {
    let budget = this.budgets.get(key);
    if (budget && Date.now() >= budget.windowEnd && !budget.taking) this.reset(budget);
    if (!budget) {
      if (this.budgets.size >= MAX_KEYS) this.dropEnded();
      budget = { left: 0, windowEnd: 0, spent: false, counted: 0, taking: null };
      this.budgets.set(key, budget);
    }
    return budget;
  }

  private reset(budget: Budget): void {
    budget.left = 0;
    budget.spent = false;
    budget.counted = 0;
  }

  private dropEnded(): void {
    const now = Date.now();
    for (const [key, budget] of this.budgets) if (now >= budget.windowEnd && !budget.taking) this.budgets.delete(key);
    // Still full (every window live): forget the oldest; at worst that app is counted from a fresh slice.
    if (this.budgets.size >= MAX_KEYS) this.budgets.delete(this.budgets.keys().next().value!);
  }
}
