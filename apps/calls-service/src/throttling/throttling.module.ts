import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DynamicModule, Module, OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { GraphThrottlerGuard } from './graph-throttler.guard';

export interface ThrottlingSettings {
  /** Requests allowed per application per tenant in each window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Shared counters across replicas; in memory (per replica) without it. */
  readonly redisUrl?: string;
}

/**
 * Graph's own limit for the calls API: 50,000 requests per 15 seconds per
 * application per tenant (https://learn.microsoft.com/en-us/graph/throttling-limits,
 * "Cloud communication service limits").
 */
export const GRAPH_CALLS_THROTTLE = { limit: 50_000, windowMs: 15_000 } as const;

export function throttlingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ThrottlingSettings {
  return {
    limit: Number(env.THROTTLE_LIMIT ?? GRAPH_CALLS_THROTTLE.limit),
    windowMs: Number(env.THROTTLE_WINDOW_MS ?? GRAPH_CALLS_THROTTLE.windowMs),
    redisUrl: env.REDIS_URL || undefined,
  };
}

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
