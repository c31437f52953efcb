import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DynamicModule, Module, OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import type { ThrottlingSettings } from '@calls/config';
import { GraphThrottlerGuard } from './graph-throttler.guard';

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
          ...(redis ? { storage: new ThrottlerStorageRedisService(redis) as ThrottlerStorage } : {}),
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
