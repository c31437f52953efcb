import { DynamicModule, Module, OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import Redis from 'ioredis';
import type { ThrottlingSettings } from '@calls/config';
import { GraphThrottlerGuard } from './graph-throttler.guard';
import { LocalBudgetThrottlerStorage } from './local-budget.storage';

const REDIS = Symbol('THROTTLE_REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

/** Graph-style throttling; import it after AuthModule so its guard runs after authentication. */
@Module({})
export class ThrottlingModule {
  static forRoot(settings: ThrottlingSettings): DynamicModule {
    const redis = settings.redisUrl
      ? new Redis(settings.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
      : null;
    return {
      module: ThrottlingModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: settings.windowMs, limit: settings.limit }],
          // Slices of the budget per replica instead of a Redis round trip per request (local-budget.storage.ts).
          ...(redis ? { storage: new LocalBudgetThrottlerStorage(redis) } : {}),
        }),
      ],
      providers: [
        { provide: REDIS, useValue: redis },
        RedisCloser,
        { provide: APP_GUARD, useClass: GraphThrottlerGuard },
      ],
    };
  }
}
